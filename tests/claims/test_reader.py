"""Reading articles: plain text as the reader sees it, offsets into it, formats, size limit, clear errors."""

from __future__ import annotations

import io
from datetime import date

import pytest

from silkscope.claims.reader import ReadError, markdown_to_text, read_bytes, read_file, read_stream, read_text, sniff


def _pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with a text layer (Helvetica), xref offsets computed."""
    stream = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({ln}) '" for ln in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_markdown_escapes_and_links_become_plain_text():
    source = "Japan's ODA rose from [US\\\\$2.57 million](#) in 1993 to US\\$242.28 million, *almost* **100x**."
    text = markdown_to_text(source)
    assert text == "Japan's ODA rose from US$2.57 million in 1993 to US$242.28 million, almost 100x."


def test_txt_with_markdown_escapes_is_cleaned_and_offsets_point_into_clean_text():
    doc = read_text("Title line here now\n\nIt reached [US\\\\$1.98 billion](#) by 2003.\n", name="a.txt")
    start = doc.text.index("US$1.98 billion")
    assert doc.text[start : start + 15] == "US$1.98 billion"
    assert "\\" not in doc.text and "](#)" not in doc.text


def test_plain_txt_without_markdown_is_left_alone():
    doc = read_text("snake_case_name and 2*3*4 stay as written.", name="a.txt")
    assert doc.text == "snake_case_name and 2*3*4 stay as written."


def test_markdown_headings_title_and_date():
    doc = read_text("# Seoul's Long Road\n\nPublished 2024-07-15\n\nBody text.\n", name="x.md")
    assert doc.fmt == "markdown"
    assert doc.title == "Seoul's Long Road"
    assert doc.published == date(2024, 7, 15)
    assert doc.text.startswith("Seoul's Long Road")


def test_html_strips_markup_scripts_and_keeps_blocks():
    page = (
        "<html><head><title>T</title><meta property='article:published_time' content='2025-07-01T08:00:00Z'>"
        "<style>p{color:red}</style><script>var x = 'US$9 billion in 2020';</script></head><body>"
        "<nav>Home</nav><h1>Beijing&rsquo;s Strategy</h1><p>China&nbsp;lent <em>US$4 billion</em>\n  in 2009.</p>"
        "<p>Second&amp;last.</p></body></html>"
    )
    doc = read_bytes(page.encode(), "page.html")
    assert doc.fmt == "html"
    assert "US$9" not in doc.text and "color" not in doc.text and "Home" not in doc.text
    assert "China lent US$4 billion in 2009." in doc.text  # a no-break space reads (and matches) as a space
    assert "Second&last." in doc.text
    assert doc.text.index("Second") > doc.text.index("2009.")
    assert doc.title == "Beijing’s Strategy" and doc.published == date(2025, 7, 1)  # the h1 over <title>


def test_sniff_by_content():
    assert sniff(b"%PDF-1.7 ...") == "pdf"
    assert sniff(b"<!DOCTYPE html><html>") == "html"
    assert sniff(b"just words") == "text"


def test_pdf_text_layer():
    doc = read_bytes(_pdf(["Japan's ODA reached US$242.28 million in 2003."]), "a.pdf")
    assert doc.fmt == "pdf"
    assert "US$242.28 million in 2003" in doc.text


def test_pdf_without_text_layer_is_refused():
    with pytest.raises(ReadError, match="no text layer"):
        read_bytes(_pdf([]), "scan.pdf")


def test_broken_pdf_is_refused_with_its_name():
    with pytest.raises(ReadError, match=r"broken\.pdf: not a readable PDF"):
        read_bytes(b"%PDF-1.4\nthis is not a pdf", "broken.pdf")


def test_size_limit_file_bytes_and_stream(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2_000)
    with pytest.raises(ReadError, match=r"big\.txt: input is 2,000 bytes; the limit is 1,000 bytes"):
        read_file(big, max_bytes=1_000)
    with pytest.raises(ReadError, match="limit"):
        read_bytes(b"a" * 11, "<text>", max_bytes=10)
    with pytest.raises(ReadError, match="<stdin>"):
        read_stream(io.BytesIO(b"a" * 50), max_bytes=10)


def test_default_limit_is_two_megabytes():
    with pytest.raises(ReadError, match=r"2\.0 MB"):
        read_bytes(b"x" * (2 * 1024 * 1024 + 1), "huge.md")


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(ReadError, match=r"bad\.txt: line 2, column 4 .*not valid UTF-8"):
        read_bytes(b"first line\nabc\xff\n", "bad.txt")


def test_missing_file():
    with pytest.raises(ReadError, match="no such file"):
        read_file("/nonexistent/article.txt")


def test_unknown_format():
    with pytest.raises(ReadError, match="unknown format 'docx'"):
        read_text("x", fmt="docx")


@pytest.mark.realdata
def test_seed_article_reads_as_plain_text(shared_dir):
    doc = read_file(shared_dir / "reference" / "articles" / "japan-central-asian-frontier-2018.txt")
    assert "from US$2.57 million in 1993 to US$242.28 million in 2003" in doc.text
    assert "[" not in doc.text and "\\$" not in doc.text
    assert doc.title == "Japan Attempts to Crack the Central Asian Frontier"
    assert doc.published == date(2018, 8, 30)
    assert doc.url == "https://www.asiaglobalonline.hku.hk/japan-central-asia-uzbekistan-kazakhstan"


def test_metadata_from_a_header_line_a_dateline_and_meta_tags():
    from silkscope.claims.reader import header_end

    text = "Published: 2012-11-12 | Title: Japan pledges aid | URL: https://example.org/a\n\nBody text here.\n"
    doc = read_text(text, "a.txt")
    assert (str(doc.published), doc.title, doc.url) == ("2012-11-12", "Japan pledges aid", "https://example.org/a")
    assert text[header_end(text) :].strip() == "Body text here."  # the header line is not article text
    doc = read_text("DUSHANBE, November 12, 2012, Asia-Plus -- Japan pledged projects in Central Asia.\n", "b.txt")
    assert str(doc.published) == "2012-11-12"
    page = (
        '<html><head><meta property="og:title" content="EU summit"><meta itemprop="datePublished" '
        'content="2025-04-04T10:00:00Z"><meta property="og:url" content="https://example.org/eu"></head>'
        "<body><p>The leaders met.</p></body></html>"
    )
    doc = read_text(page, "c.html")
    assert (str(doc.published), doc.title, doc.url) == ("2025-04-04", "EU summit", "https://example.org/eu")
