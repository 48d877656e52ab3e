"""Every parser of user text is linear: 500,000 characters built to make a backtracking pattern rescan (the limit of
/api/claims/check) read and split into sentences in seconds of CPU, not minutes.

Each case runs in a child process with a wall-clock timeout, so a regression fails instead of hanging the suite
(64 kB of " **a" took 17.6 s before; 500,000 characters about 18 minutes). CPU time is measured, not wall time:
a busy machine does not fail the test, a quadratic parser does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from silkscope.claims.reader import markdown_to_text, read_text
from silkscope.claims.sentences import split_sentences

SIZE = 500_000
CPU_SECONDS = 5.0

# (name, repeated unit, format): each unit defeats one pattern that scanned to the end of the line and failed.
CASES = [
    ("markdown bold **", " **a", "markdown"),
    ("markdown bold __", " __a", "markdown"),
    ("markdown bold never closed", "**a ", "markdown"),
    ("link text never closed", "[", "markdown"),
    ("link text with words", "[a", "markdown"),
    ("nested link text", "[a[b]", "markdown"),
    ("link target never closed", "[a](b", "markdown"),
    ("link title never closed", '[a](b "c', "markdown"),
    ("autolink never closed", "<http:a", "markdown"),
    ("heading with trailing spaces", None, "markdown"),
    ("headings of hashes", "# #\n", "markdown"),
    ("escapes", "\\\\$", "markdown"),
    ("spaces before line breaks", "  \n", "markdown"),
    ("html start tags never closed", "<a ", "html"),
    ("html attributes quoting >", "<a x='>' ", "html"),
    ("html attribute value never given", "<a b=", "html"),
    ("html comments never closed", "<!--", "html"),
    ("html end tags never closed", "</", "html"),
    ("html processing instructions", "<?", "html"),
    ("html declarations", "<![", "html"),
    ("html bare <", "<", "html"),
    ("html pre with spaces and tabs", "<pre>\t \t", "html"),
    ("text: periods before lowercase", "a. b ", "text"),
    ("text: single letters", "a. ", "text"),
    ("text: abbreviations", "Mr. ", "text"),
    ("text: runs of periods", ".", "text"),
    ("text: closing brackets", ".)", "text"),
    ("text: lines that do not end sentences", "word\n", "text"),
    ("text: page breaks inside a sentence", "word word word word,\n\nmore ", "text"),
    ("text: blank lines", "\n \n", "text"),
    ("text: spaces", " ", "text"),
]

CHILD = """
import sys, time
from silkscope.claims.reader import read_text
from silkscope.claims.sentences import body_end, split_sentences
unit, fmt, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = "# a" + " " * size + "x" if unit == "-" else (unit * (size // len(unit) + 1))[:size]
start = time.process_time()
doc = read_text(text, "adversarial", fmt, max_bytes=10 * size)
split_sentences(doc.text, body_end(doc.text))
print(time.process_time() - start)
"""


@pytest.mark.parametrize(("name", "unit", "fmt"), CASES, ids=[c[0] for c in CASES])
def test_adversarial_input_reads_in_linear_time(name, unit, fmt):
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, unit or "-", fmt, str(SIZE)], capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: {SIZE:,} characters still not read after 120 s")
    assert proc.returncode == 0, proc.stderr
    cpu = float(proc.stdout.strip().splitlines()[-1])
    assert cpu < CPU_SECONDS, f"{name}: {SIZE:,} characters took {cpu:.1f} s of CPU"


def test_bold_pairs_as_before():
    assert markdown_to_text("**a** b **c**") == "a b c"
    assert markdown_to_text("__a__ and **b**") == "a and b"
    assert markdown_to_text("** a** and **b **") == "** a** and **b **"  # a space inside the delimiter: not bold
    assert markdown_to_text("**a**b**") == "ab**"  # the nearest closer wins
    assert markdown_to_text("x ** y") == "x ** y"


def test_links_headings_and_autolinks():
    assert markdown_to_text("see [the [2019] report](https://x.org/a_(b)) now") == "see the [2019] report now"
    assert markdown_to_text("## Title ##  ") == "Title"
    assert markdown_to_text("# C# #") == "C#"
    assert markdown_to_text("<https://example.org/a>") == "https://example.org/a"
    assert read_text("#\nBody text here.\n", "x.md").title != ""  # an empty heading is no title


def test_html_left_open_ends_the_text_without_an_error():
    assert read_text("<p>Japan lent US$1 billion.</p><![ x", "a.html").text == "Japan lent US$1 billion."
    assert read_text("<p>Kept.</p><!-- never closed <p>hidden</p>", "a.html").text == "Kept."
    assert read_text("<p>A <b>bold</b>\t \n  move.</p> \t<p>Next.</p>", "a.html").text == "A bold move.\n\nNext."


def test_sentences_as_before():
    text = "Mr. Abe came. He left!\nNext line\n\nU.S. aid rose. e.g. this.\nA heading\nBody text. "
    found = [s.text(text) for s in split_sentences(text)]
    assert found == ["Mr. Abe came.", "He left!", "Next line", "U.S. aid rose. e.g. this.", "A heading", "Body text."]
