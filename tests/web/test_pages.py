"""Browser tests: every page in Debian's chromium against a real server, with screenshots kept for review."""

from __future__ import annotations

import io
import types
from pathlib import Path
from urllib.parse import urlparse

import pytest
from pypdf import PdfReader

from silkscope.serving import checking
from web.conftest import ROOT, shot

SEED = ROOT.parent / "shared" / "reference" / "articles" / "japan-central-asian-frontier-2018.txt"


DRAWN = "figure.chart .vl-live svg.marks"  # a chart the browser drew from the spec the page ships


def svg_marks(page, selector: str = DRAWN) -> list[int]:
    """Drawn marks (paths, symbols, text) in each chart the browser drew on the page, once every chart is drawn: an
    empty chart has none. A chart the browser could not draw fails here."""
    page.wait_for_selector(".vl-pending", state="detached")
    assert page.locator("figure.chart p.empty").all_inner_texts() == []
    return page.eval_on_selector_all(selector, "els => els.map(e => e.querySelectorAll('path, text').length)")


def test_overview_map_and_partner_selector(page):
    page.goto("/")
    assert page.title() == "Overview · silkscope"
    marks = svg_marks(page)
    assert len(marks) >= 2 and all(n > 20 for n in marks), marks
    assert page.locator("table.glance th:has-text('South Korea')").count() == 1
    # Who leads where: a row per instrument with two or more partners recorded, a column per state.
    leaders = page.locator("table.leaders")
    assert leaders.locator("thead th").count() == 7
    labels = leaders.locator("tbody th").all_inner_texts()
    assert labels[:2] == ["Leader-level visits", "Official finance committed (constant US$)"], labels
    assert "%" in leaders.locator("tbody tr").first.inner_text()
    # All eight partners side by side, each with the period the curated timeline covers (none 'not covered').
    cover = page.locator("table.glance tr.coverage td")
    assert cover.count() == 8
    texts = cover.all_inner_texts()
    assert all("leader visits to the five states" in t for t in texts), texts
    assert "2000–2026, complete" in texts[7]  # India's leaders' visits
    glance = page.locator("table.glance")
    for name in ("European Union", "Türkiye", "India"):
        assert glance.locator(f"thead th:has-text('{name}')").count() == 1
    shot(page, "overview")
    page.select_option("#partner", "CHN")  # auto-submits
    page.wait_for_url("**partner=CHN**")
    assert "by China" in page.locator("#map-h").inner_text()
    page.select_option("#metric", "finance")
    page.wait_for_url("**metric=finance**")
    assert "official finance" in page.locator("#map-h").inner_text().lower()
    shot(page, "overview-china-finance")


def test_the_map_links_each_state_to_its_page(page):
    page.goto("/")
    svg_marks(page)
    page.locator(f"{DRAWN} path[aria-label^='Kazakhstan:']").first.click()
    page.wait_for_url("**/country/KAZ")
    assert urlparse(page.url).path == "/country/KAZ", page.url
    assert page.locator("h1").inner_text().startswith("Kazakhstan")
    # Drawn by the server (the page without JavaScript), the map's states are links.
    page.goto("/?charts=svg")
    links = page.eval_on_selector_all(
        "figure > svg[role=img] a", "els => els.map(e => e.getAttribute('xlink:href') || e.getAttribute('href'))"
    )
    assert {"/country/KAZ", "/country/UZB", "/country/TJK"} <= set(links)


def test_the_chart_runtime_is_a_few_scripts_not_vega_utils_modules(page):
    page.goto("/partner/JPN")
    assert all(n > 0 for n in svg_marks(page))  # the charts are drawn: the expression interpreter found its helpers
    paths = page.evaluate("() => performance.getEntriesByType('resource').map(r => new URL(r.name).pathname)")
    scripts = [p for p in paths if p.endswith(".js")]
    assert "/static/vega-util.js" in scripts and not [p for p in scripts if "/vega-util/" in p], scripts
    assert len(scripts) <= 8, scripts  # app, vega, vega-lite, vega-embed, interactive, vega-interpreter, vega-util


def test_country_page_charts_sources_and_selectors(page):
    page.goto("/country/UZB")
    assert page.locator("h1").inner_text().startswith("Uzbekistan")
    # The timeline's coverage note is said once, at the top, not again under "Partners side by side".
    notes = page.locator("main p.note").all_inner_texts()
    assert sum(n.startswith("Curated timeline coverage") for n in notes) == 1, notes
    marks = svg_marks(page)
    assert len(marks) >= 2 and all(n > 5 for n in marks), marks
    # Sources sit under every chart and table.
    assert page.locator("section.card details.sources").count() >= 5
    # The balance indicator's ratios, on one stated public definition, under the side-by-side table.
    ratios = page.locator("#ratios-h ~ div.table-wrap table").first
    assert "Public share (%)" in ratios.locator("thead").inner_text()
    assert "Public side: official" in page.locator("#balance-h ~ p.note.warn").all_inner_texts()[-1]
    assert ratios.locator("tbody tr").count() >= 2
    # Public opinion over time: one chart per question, with the question under it.
    charts = page.locator("#opinion-h ~ div figure.opinion-chart")
    assert charts.count() >= 3
    approval = page.locator("figure.opinion-chart[data-indicator=opinion_leadership_approval_share]").first
    assert "Question:" in approval.locator("figcaption.question").inner_text()
    svg_marks(page)
    assert approval.locator(DRAWN).count() == 1
    assert "secondary_report" in page.locator("#opinion-h ~ div.table-wrap").first.inner_text()
    shot(page, "country-UZB")
    # Narrow the partners and the period with the form.
    for p in ("RUS", "USA"):
        page.uncheck(f"input[name=partners][value={p}]")
    page.fill("#since", "2000")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**/country/UZB?**since=2000**")
    assert page.locator("input[name=partners]:checked").count() == 6  # the eight tracked partners less two
    page.select_option("#country", "KAZ")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**/country/KAZ**")
    assert page.locator("h1").inner_text().startswith("Kazakhstan")
    shot(page, "country-KAZ")


def test_partner_page_timeline_next_to_china_and_korea(page):
    page.goto("/partner/JPN")
    assert "Japan in Central Asia" in page.locator("h1").inner_text()
    svg_marks(page)
    timeline = page.locator(f"#timeline-h ~ {DRAWN}")
    assert timeline.count() == 1
    labels = timeline.first.inner_html()
    assert "China" in labels and "South Korea" in labels and "Japan" in labels
    assert page.locator("#formats-h ~ h3").first.inner_text() == "Central Asia + Japan Dialogue"
    # Japan's share of each state's total and its rank, per instrument (visits; AidData finance in this warehouse).
    standing = page.locator("table.standing tbody tr")
    assert standing.count() >= 2 and "#" in standing.first.inner_text()
    shot(page, "partner-JPN")
    page.select_option("#partner", "KOR")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**/partner/KOR**")
    assert "South Korea in Central Asia" in page.locator("h1").inner_text()


def test_compare_chart_table_and_csv_download(page):
    page.goto("/compare")
    page.select_option("#indicator", "presence")
    page.select_option("#country", "UZB")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**indicator=presence**")
    assert page.locator("section.card table tbody tr").count() >= 3
    assert all(n > 5 for n in svg_marks(page))
    shot(page, "compare-presence-UZB")
    with page.expect_download() as download:
        page.click("text=Download CSV")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("partner_iso3,scope,presence_kind,count")
    assert len(text.splitlines()) >= 4
    page.goto("/compare?indicator=all&country=C5")
    assert page.locator("table.glance tbody tr").count() > 5
    shot(page, "compare-all-C5")
    page.goto("/compare?indicator=news_events&country=TKM&partners=USA")
    assert "No rows" in page.locator(".empty").first.inner_text()


def test_compare_library_indicator_with_its_options(page):
    page.goto("/compare")
    page.select_option("#indicator", "index")
    # Only the options the chosen indicator reads are shown (and sent).
    assert page.locator("#opt-weights").is_visible() and not page.locator("#opt-start").is_visible()
    page.fill("#opt-weights", "trade=1,leader_visits=1")
    page.select_option("#country", "UZB")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**indicator=index**")
    assert "weights=trade" in page.url and "start=" not in page.url
    assert page.locator("h2#result-h").inner_text().startswith("Engagement index")
    assert page.locator("section.card table tbody tr").count() >= 5
    assert all(n > 5 for n in svg_marks(page))
    shot(page, "compare-index-UZB")
    with page.expect_download() as download:
        page.click("text=Download CSV")
    header = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("partner_iso3,country_iso3,year,engagement_index")
    # change answers with its table and the dyad-year rows it used.
    page.select_option("#indicator", "change")
    assert page.locator("#opt-start").is_visible() and not page.locator("#opt-weights").is_visible()
    page.fill("#opt-measure", "leader_visits_to_country")
    page.fill("#opt-start", "1997-2001")
    page.fill("#opt-end", "2002-2006")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**indicator=change**")
    assert page.locator("h2", has_text="Rows used").count() == 1
    shot(page, "compare-change")
    # A mistyped measure is a clear 422 page naming the near match.
    page.goto("/compare?indicator=balance&measure=oda_comit_constant_usd")
    assert "did you mean oda_commit_constant_usd" in page.locator("main").inner_text()


def test_visits_model_page(page):
    page.goto("/")
    page.click("nav.main >> text=Model")
    page.wait_for_url("**/model")
    sections = page.locator("section.card")
    assert sections.count() == 2  # the panel model and the event study
    assert all(n > 5 for n in svg_marks(page)), "coefficient charts are empty"
    assert "dyad FE + year FE" in sections.first.locator("dl.facts").inner_text()
    assert sections.first.locator("ul.caveats li").count() >= 1
    shot(page, "model-finance")
    page.select_option("#outcome", "projects")
    page.fill("#window", "2")
    page.click("form.controls button[type=submit]")
    page.wait_for_url("**outcome=projects**")
    table = page.locator("section.card").nth(1).locator("table").inner_text()
    assert "Visit effect, 2 years before" in table and "event_t" not in table  # terms in words (issue 13)


def test_sources_page(page):
    page.goto("/sources")
    rows = page.locator("table tbody tr").count()
    assert rows > 100
    assert page.locator("th:has-text('Checksum')").count() == 1
    shot(page, "sources")
    page.select_option("#kind", "dataset")
    page.wait_for_url("**kind=dataset**")
    assert 0 < page.locator("table tbody tr").count() < rows


def test_brief_download_from_country_page(page):
    page.goto("/country/UZB?partners=JPN&partners=KOR&partners=CHN")
    with page.expect_download(timeout=120_000) as download:
        page.click("text=Download brief (PDF)")
    data = Path(download.value.path()).read_bytes()
    assert data[:5] == b"%PDF-"
    pdf = PdfReader(io.BytesIO(data))
    assert 2 <= len(pdf.pages) <= 4
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Public share of public + FDI" in text and "Public side: official commit" in text
    page.goto("/country/UZB/brief.html?partners=JPN,KOR,CHN")
    assert page.locator("figure svg").count() >= 2
    # One public definition covering both partners with AidData finance here (China's is not loaded in this test).
    assert page.locator("table.ratios tbody th").all_inner_texts() == ["Japan", "South Korea"]
    shot(page, "brief-UZB-html")


def test_check_the_seed_article(page):
    if not SEED.exists():
        pytest.skip(f"{SEED} not present")
    page.goto("/check")
    if not checking.available():
        assert "not installed" in page.locator(".note.warn").inner_text()
        shot(page, "check-unavailable")
        return
    page.fill("#text", SEED.read_text(encoding="utf-8"))
    page.click("form.controls button[type=submit]")
    page.wait_for_selector("mark.claim", timeout=120_000)
    assert page.locator("mark.claim").count() >= 4
    first = page.locator("mark.claim a").first
    target = first.get_attribute("href")
    first.click()
    # selectors, not wait_for_function: its polling evaluates a string, which the page's CSP (no unsafe-eval)
    # refuses whenever the condition is not already true at the first try
    page.wait_for_selector(f"{target}[open]")
    shot(page, "check-seed-article")
    with page.expect_download() as download:
        page.click("text=Download the HTML report")
    report = Path(download.value.path()).read_text(encoding="utf-8")
    lower = report.lower()
    assert "<html" in lower and ("supported" in lower or "contradicted" in lower)


def test_checker_missing_degrades_gracefully(page, monkeypatch):
    def missing():
        raise checking.ClaimsUnavailableError("test: pretend it is not installed")

    monkeypatch.setattr(checking, "module", missing)
    page.goto("/check")
    assert "not installed" in page.locator(".note.warn").inner_text()
    assert page.locator("button[type=submit]").is_disabled()
    shot(page, "check-without-checker")


def test_highlights_follow_the_contract(page, monkeypatch):
    """With a stand-in checker, the page highlights each claim by verdict and opens its evidence."""
    text = "Japan's ODA rose to US$242.28 million in 2003. Koizumi visited in 2006. Japan is admired."

    class Report:
        def to_dict(self):
            def claim(phrase, verdict):
                start = text.index(phrase)
                return {
                    "text": phrase,
                    "start": start,
                    "end": start + len(phrase),
                    "type": "amount",
                    "entities": ["JPN"],
                    "period": [2003],
                    "value": 242.28,
                    "unit": "USD million",
                    "verdict": verdict,
                    "explanation": f"<b>{verdict}</b> & escaped",
                    "evidence": [
                        {
                            "value": 1,
                            "unit": "x",
                            "period": [2003],
                            "definition": "d",
                            "source_id": "s",
                            "source_title": "A source",
                            "source_url": "https://example.org/",
                            "query": "SELECT 1",
                        }
                    ],
                }

            return {
                "claims": [
                    claim("US$242.28 million in 2003", "contradicted"),
                    claim("visited in 2006", "supported"),
                    claim("Japan is admired", "not_checkable"),
                ]
            }

    fake = types.SimpleNamespace(check_text=lambda t, db=None: Report())
    monkeypatch.setattr(checking, "module", lambda: fake)
    page.goto("/check")
    page.fill("#text", text)
    page.click("form.controls button[type=submit]")
    page.wait_for_selector("mark.claim")
    assert page.locator("mark.v-contradicted").inner_text() == "US$242.28 million in 2003"
    assert page.locator("mark.v-supported").count() == 1
    assert page.locator("mark.v-not_checkable").count() == 1
    assert "<b>contradicted</b> & escaped" in page.locator("details.claim").first.text_content()  # escaped text
    page.locator("mark.v-supported a").click()
    page.wait_for_selector("#claim-2[open]")  # the hashchange handler opens it
    shot(page, "check-highlights-contract")


def test_keyboard_skip_link_and_focus(page):
    page.goto("/compare")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # Every form field has a label.
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll('select, input:not([type=hidden]), textarea')]
              .filter(e => !(e.labels && e.labels.length)).map(e => e.name)"""
    )
    assert unlabeled == []


def test_unknown_country_page_lists_near_matches(page):
    response = page.goto("/country/Uzbekstan")
    assert response.status == 422
    assert page.locator(".error-box a", has_text="Uzbekistan (UZB)").count() == 1
    shot(page, "error-unknown-country")
