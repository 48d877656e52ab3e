"""A fresh install (the reference pack plus the embedded snapshot, no mirror) shows real published series: ODA by
donor and year, trade by partner, FDI and GDP, each with its publisher among the sources."""

from __future__ import annotations

import pytest


@pytest.fixture
def fresh(browser, tmp_path_factory):
    """A server on a warehouse built the way `make run` builds it: `silkscope build`, nothing else."""
    import threading
    import time

    import uvicorn

    from silkscope.build import build
    from silkscope.server import create_app
    from web.conftest import CHROMIUM_ARGS, free_port  # noqa: F401 - same server setup as the suite's

    db = tmp_path_factory.mktemp("fresh") / "silkscope.duckdb"
    report = build(db)
    assert report.snapshot_edition, "no embedded snapshot in the package"
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    context = browser.new_context(viewport={"width": 1366, "height": 860}, base_url=f"http://127.0.0.1:{port}")
    outside: list[str] = []
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(f"http://127.0.0.1:{port}")
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()
        server.should_exit = True
        thread.join(timeout=10)
    assert not outside, outside


def test_fresh_install_shows_published_series_with_their_sources(fresh):
    page = fresh
    page.goto("/")
    link = page.get_by_role("link", name="Japan's ODA to each Central Asian state by year", exact=False)
    link.click()
    page.wait_for_url("**indicator=finance**")
    table = page.locator("#result-h ~ div.table-wrap table").first
    text = table.inner_text()
    assert "JPN" in text or "Japan" in text
    assert "2,570,000" in text or "2.57" in text  # Japan to the five in 1993, summed (WDI DC.DAC.JPNL.CD)
    assert "World Bank" in " ".join(page.locator("details.sources").all_text_contents())

    page.goto("/country/KGZ")
    partners = page.locator("#tradepartners-h ~ div.table-wrap table").first
    assert "China" in partners.inner_text() and "own statistics" in partners.inner_text()
    # the state's side of each flow, labelled so: Kyrgyzstan buys far more from China than it sells there
    heads = partners.locator("thead th").all_inner_texts()
    china = partners.locator("tbody tr", has_text="China").first.locator("td").all_inner_texts()
    cells = dict(zip(heads, china, strict=False))
    sold, bought = (
        cells["The state's exports to the partner (US$)"],
        cells["The state's imports from the partner (US$)"],
    )
    assert "bn" in bought and "bn" not in sold, cells
    cited = " ".join(page.locator("#tradepartners-h ~ details.sources").all_text_contents())
    assert "National Statistical Committee" in cited
    context = page.locator("#context-h ~ div.table-wrap table").first.inner_text()
    assert "2024" in context  # GDP and FDI inflows to the latest year WDI publishes
    page.goto("/country/TJK")
    assert (
        "Tajikistan and Turkmenistan publish no partner figures here"
        in page.locator("#tradepartners-h ~ *").all_inner_texts().__str__()
    )

    page.goto("/partner/JPN")
    finance = page.locator("#pfinance-h ~ div.table-wrap table").first
    # states and the partner's column said by name, not by code
    assert "Kazakhstan" in finance.inner_text() and "KAZ" not in finance.inner_text()
    assert "Japan (US$)" in finance.locator("thead").inner_text() and "JPN" not in finance.inner_text()
    assert "World Bank" in " ".join(page.locator("#pfinance-h ~ details.sources").all_text_contents())
