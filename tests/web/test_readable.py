"""Readable everywhere (issue 15, item 4): no page scrolls sideways at phone width, hidden rows are announced with a
working 'show all', empty states say what to load, slow pages show progress; and on every page no request leaves
127.0.0.1 and the console shows no error."""

from __future__ import annotations

import re

import pytest

from web.conftest import shot

PAGES = [
    "/",
    "/country/UZB",
    "/partner/JPN",
    "/compare",
    "/explore",
    "/check",
    "/sources",
    "/model",
    "/tables",
    "/tables/core.events",
    "/search?q=uzbekistan",
    "/country/Atlantis",  # the error page
]
ARTICLE = (
    "Japan's Prime Minister Shinzo Abe visited all five Central Asian states in October 2015. "
    "China's leaders have visited Kazakhstan more often than Japan's since 2000."
)


def console_errors(page) -> list[str]:
    errors: list[str] = []

    def on_console(message):
        if message.type != "error":
            return
        # The error page answers with its own HTTP status (404/422), which Chromium logs for the document itself.
        location = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and location.split("?")[0] == page.url.split("?")[0]:
            return
        errors.append(f"{message.text} ({location})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


@pytest.fixture
def phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("path", PAGES)
def test_no_sideways_page_scroll_at_390_px(phone, path):
    phone.goto(path, wait_until="networkidle")
    phone.wait_for_selector(".vl-pending", state="detached")  # every chart drawn by the browser
    width = scroll_width(phone)
    if width > 391:  # name what sticks out, for the failure message
        culprits = phone.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
                 .slice(0, 6).map(e => e.tagName + '.' + e.className)"""
        )
        pytest.fail(f"{path} is {width} px wide at 390: {culprits}")
    # Charts fit their card: each chart the browser drew is no wider than the screen.
    widths = phone.eval_on_selector_all(
        "figure.chart svg",
        "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.getBoundingClientRect().right)",
    )
    assert all(right <= 391 for right in widths), (path, widths)


def test_check_report_fits_390_px(phone):
    phone.goto("/check")
    phone.fill("textarea", ARTICLE)
    phone.locator("form button[type=submit]").first.click()
    phone.wait_for_load_state("networkidle")
    assert scroll_width(phone) <= 391


def test_wide_tables_scroll_inside_their_card_with_a_cue(phone):
    phone.goto("/", wait_until="networkidle")
    wrap = phone.locator("section[aria-labelledby=table-h] .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")  # eight partners do not fit a phone
    cue = phone.locator("section[aria-labelledby=table-h] .scroll-cue")
    text = cue.inner_text()
    shown, total = map(int, re.search(r"Showing (\d+) of (\d+) columns", text).groups())
    assert 0 < shown < total == 9  # "Measure" and the eight partners
    wrap.evaluate("e => e.scrollLeft = e.scrollWidth")  # the hidden columns are one swipe away
    last = wrap.locator("thead th").last.bounding_box()
    box = wrap.bounding_box()
    assert last["x"] + last["width"] <= box["x"] + box["width"] + 1


@pytest.mark.parametrize("path", PAGES)
def test_every_page_stays_local_and_logs_no_error(page, path):
    errors = console_errors(page)
    page.goto(path, wait_until="networkidle")
    page.wait_for_selector(".vl-pending", state="detached")  # the charts finish drawing
    assert not errors, errors
    # (the `page` fixture fails the test if any request left 127.0.0.1)
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert ids and not [i for i in set(ids) if ids.count(i) > 1]  # an id names one element: anchors find it


def test_check_report_stays_local_and_logs_no_error(page):
    errors = console_errors(page)
    page.goto("/check")
    page.fill("textarea", ARTICLE)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert not errors, errors


def test_hidden_rows_are_announced_and_show_all_works(page):
    page.goto("/sources")
    rows = page.locator("section.card table tbody tr").count()
    if page.locator("p.shown").count():  # more sources than one page holds
        note = page.locator("p.shown").first
        numbers = re.search(r"Showing ([\d,]+) of ([\d,]+)", note.inner_text()).groups()
        shown, total = (int(n.replace(",", "")) for n in numbers)
        assert rows == shown < total
        note.locator("a", has_text="show all").click()
        page.wait_for_url("**all=1**")
        assert page.locator("section.card table tbody tr").count() == total
    assert page.locator("section.card .table-wrap.tall").count() == 0  # no rows hidden in an inner scroll box
    page.goto("/compare?indicator=index&country=C5")
    note = page.locator("p.shown").first
    match = re.search(r"The first (\d+) of (\d+) rows", note.inner_text())
    assert match, note.inner_text()
    shown, total = int(match.group(1)), int(match.group(2))
    assert page.locator("section.card").first.locator("table tbody tr").count() == shown < total
    note.locator("a").click()
    page.wait_for_url("**all=1**")
    assert page.locator("section.card").first.locator("table tbody tr").count() == total
    assert page.locator("section.card").first.locator("p.shown").count() == 0


def test_empty_states_name_the_connector_and_command(page):
    page.goto("/compare?indicator=news_events&country=TKM&partners=USA")
    empty = page.locator(".empty").first.inner_text()
    assert "No rows" in empty and "silkscope update --only gdelt2" in empty
    page.goto("/compare?indicator=investment&country=TKM&partners=IND")
    text = page.locator("section.card").first.inner_text()
    assert "silkscope update --only imf_cdis" in text or page.locator("table").count() > 0


def test_slow_pages_show_progress_after_half_a_second(page):
    page.goto("/sources")
    bar = page.locator("#progress")
    assert bar.count() == 1 and not bar.is_visible()
    page.evaluate("window.silkscopeBusy('Loading…')")
    page.wait_for_timeout(200)
    assert not bar.is_visible()  # quick pages never flash a bar
    page.wait_for_timeout(600)
    assert bar.is_visible() and page.locator("#content").get_attribute("aria-busy") == "true"
    shot(page, "progress")


def test_years_and_money_read_as_people_write_them(page):
    page.goto("/country/UZB")
    years = page.eval_on_selector_all(
        "table",
        """tables => tables.flatMap(t => {
             const i = [...t.querySelectorAll('thead th')].findIndex(th => th.textContent.trim() === 'Year');
             return i < 0 ? [] : [...t.querySelectorAll('tbody tr')].map(r => (r.children[i] || {}).textContent);
           })""",
    )
    assert years and all(re.fullmatch(r"\d{4}|–", y.strip()) for y in years), years[:10]
    body = page.locator("main").inner_text()
    assert not re.search(r"\+\d{4,}%", body)
    page.goto("/model")
    body = page.locator("main").inner_text()
    assert not re.search(r"[+-]\d{4,}%", body), re.findall(r"[+-]\d{4,}%", body)


# Panelled charts: the overview's "at a glance" small multiples, the country page's GDP/FDI/ODA panels, the explorer.
PANELLED = [
    "/",
    "/country/UZB",
    "/explore?measure=leader_visits&partners=JPN,CHN,KOR&countries=C5&since=2000&until=2018",
]
DRAWN_CHARTS = """() => [...document.querySelectorAll('figure.chart .vl-live svg.marks')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;  // below 1: shrunk to fit
    const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    return {label: svg.getAttribute('aria-label'), scale, smallest: Math.min(...sizes),
            right: svg.getBoundingClientRect().right};
  })"""


@pytest.mark.parametrize("path", PANELLED)
def test_panelled_charts_keep_their_text_size_at_390_px(phone, path):
    """At phone width a chart is redrawn for the card, panels one per row, instead of being scaled down until its
    text is 3 px: every interactive chart is drawn at its own size and no text is smaller than 9 px."""
    phone.goto(path, wait_until="networkidle")
    # every chart with a spec drawn interactively (a selector: the CSP refuses wait_for_function's string polling)
    phone.wait_for_selector("figure.chart:not([data-interactive]):has(.vl-spec)", state="detached")
    charts = phone.evaluate(DRAWN_CHARTS)
    assert charts
    for chart in charts:
        assert chart["scale"] > 0.97 and chart["smallest"] >= 9, chart
        assert chart["right"] <= 391, chart
    if path.startswith("/explore"):  # one panel per state, stacked: the five panel titles are centred on one line
        titles = phone.evaluate(
            """names => [...document.querySelectorAll('figure.chart .vl-live svg.marks text')]
                 .filter(t => names.includes(t.textContent)).map(t => t.getBoundingClientRect())
                 .map(r => [Math.round(r.left + r.width / 2), Math.round(r.top)])""",
            ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"],
        )
        assert len(titles) == 5 and len({x for x, _ in titles}) <= 2, titles
        assert [y for _, y in titles] == sorted(y for _, y in titles)
    shot(phone, "charts-390-" + (path.strip("/").split("?")[0].replace("/", "-") or "overview"))
