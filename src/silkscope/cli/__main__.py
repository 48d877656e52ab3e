"""`python -m silkscope.cli`: the console script without its installed wrapper."""

from silkscope.cli.main import main

main()
