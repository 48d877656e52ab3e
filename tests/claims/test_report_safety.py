"""Reports a reader opens run nothing from the article: `silkscope check` (the installed console script) writes an HTML
report whose only script is its own, pinned by a Content-Security-Policy hash, with links only to http(s) addresses,
and a Markdown report in which the article's HTML is text."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import subprocess
import sys
from pathlib import Path

SILKSCOPE = Path(sys.executable).with_name("silkscope")
PAGE = """<html><head><title>Visits</title><meta property="og:url" content="javascript:alert(document.domain)">
</head><body><h1>Koizumi in Central Asia</h1><p>Junichiro Koizumi visited Uzbekistan in 2010.</p>
<script>alert(5)</script></body></html>"""
ARTICLE = """# <script>alert(1)</script> Koizumi's trips

Junichiro Koizumi visited Uzbekistan in 2010, <img src=x onerror=alert(2)> as **they** said.

Shinzo Abe visited all five Central Asian countries in 2015 <script>alert(4)</script>.
"""


def check(path: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(SILKSCOPE), "check", str(path), "--db", str(db), *args], capture_output=True,
                          text=True, timeout=180)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc


def test_html_report_links_only_web_addresses_and_runs_only_its_own_script(built_db, tmp_path):
    page, out = tmp_path / "page.html", tmp_path / "report.html"
    page.write_text(PAGE, encoding="utf-8")
    check(page, built_db, "--format", "html", "--output", str(out))
    report = out.read_text(encoding="utf-8")
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", report, re.I)
    assert "javascript:alert(document.domain)" in report  # shown as text, not a link
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', report)
    assert csp and report.index(csp.group(0)) < report.index("<style>"), "the policy comes before any content"
    policy = html.unescape(csp.group(1))
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    scripts = re.findall(r"<script>(.*?)</script>", report, re.S)
    assert len(scripts) == 1 and "alert(5)" not in report
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert re.findall(r"<script\b", report, re.I) == ["<script"]  # no other script, attribute-borne or not


def test_markdown_report_escapes_the_articles_html(built_db, tmp_path):
    article = tmp_path / "article.md"
    article.write_text(ARTICLE, encoding="utf-8")
    md = check(article, built_db, "--format", "markdown").stdout
    assert "<script" not in md.lower() and "<img" not in md.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md.splitlines()[0]  # the title, as written
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in md  # a claim's text, as written
