"""The API reference renders in the browser from the npm package, with no request leaving 127.0.0.1."""

from __future__ import annotations


def test_api_reference_renders_offline(page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "silkscope" in page.locator(".swagger-ui .info .title").inner_text()
    page.get_by_text("/api/observations", exact=True).first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert not errors, errors
