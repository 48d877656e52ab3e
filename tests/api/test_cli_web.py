"""`silkscope brief` (PDF and HTML, 2–4 pages) and `serve`'s help, through the typer app cli.py mounts."""

from __future__ import annotations

from pypdf import PdfReader
from typer.testing import CliRunner

from silkscope.cli.web import app

runner = CliRunner()


def test_brief_pdf_is_two_to_four_pages(api_db, tmp_path):
    for country, partners in (("UZB", "JPN,KOR,CHN"), ("C5", "JPN,CHN,KOR,RUS,USA")):
        out = tmp_path / f"brief-{country}.pdf"
        result = runner.invoke(
            app, ["brief", "--country", country, "--partners", partners, "--out", str(out), "--db", str(api_db)]
        )
        assert result.exit_code == 0, result.output
        pages = PdfReader(str(out)).pages
        assert 2 <= len(pages) <= 4, (country, len(pages))
        text = "".join(p.extract_text() for p in pages)
        assert "Key figures" in text and "Sources" in text and "Visits and summits" in text


def test_brief_html_has_charts_timeline_and_sources(api_db, tmp_path):
    out = tmp_path / "brief.html"
    result = runner.invoke(
        app, ["brief", "--country", "Uzbekistan", "--partners", "JPN,KOR,CHN", "--out", str(out), "--db", str(api_db)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") >= 1 and "Koizumi" in html and "Sources" in html
    assert "http://" not in html.split("<body>")[0] and "<script" not in html  # self-contained, no fetches


def test_brief_bad_input(api_db, tmp_path):
    result = runner.invoke(app, ["brief", "--country", "UZB", "--out", str(tmp_path / "b.docx"), "--db", str(api_db)])
    assert result.exit_code != 0 and "expected a file name ending in .pdf or .html" in str(result.exception)
    result = runner.invoke(
        app, ["brief", "--country", "Uzbekstan", "--out", str(tmp_path / "b.pdf"), "--db", str(api_db)]
    )
    assert result.exit_code != 0 and "Uzbekistan (UZB)" in str(result.exception)


def test_serve_help():
    result = runner.invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
