"""The `silkscope` command line: thin wrappers that parse options, call the library and print (main.py mounts
the commands of check.py, indicators.py, snapshot.py and web.py; common.py holds the options they share)."""
