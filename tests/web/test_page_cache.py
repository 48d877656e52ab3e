"""Drawn pages are kept by URL while the warehouse is unchanged (web.PageCache); the warm-up draws the landing pages
so a fresh server's first visitor gets them drawn."""

from __future__ import annotations

import gc
import shutil
import time

import duckdb
import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from silkscope.countries import DEFAULT_PARTNERS
from silkscope.figures import maps
from silkscope.server import create_app, endpoints
from silkscope.web import page_cache, routes


@pytest.fixture
def counted(monkeypatch):
    """How often the country page's profile was assembled (each time the page was drawn rather than kept)."""
    calls = []
    real = routes.country_profile
    monkeypatch.setattr(routes, "country_profile", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    return calls


def test_a_page_is_drawn_once_per_warehouse_version(built_db, tmp_path, counted):
    db = tmp_path / "w.duckdb"
    shutil.copy(built_db, db)
    with TestClient(create_app(db)) as client:
        first = client.get("/country/KAZ?since=2005")
        again = client.get("/country/KAZ?since=2005")
        assert first.status_code == again.status_code == 200 and again.text == first.text
        assert counted == ["KAZ"]
        # the kept page passes the same security headers
        assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
        assert client.get("/country/KAZ?since=2006").status_code == 200 and len(counted) == 2  # another URL
        app = client.app
        with app.state.wh.write() as path, duckdb.connect(str(path)) as con:  # the warehouse changes
            con.execute("CREATE TABLE core.scratch AS SELECT 1 AS x")
        assert client.get("/country/KAZ?since=2005").status_code == 200 and len(counted) == 3


def test_errors_redirects_and_the_api_are_not_kept(built_db, counted):
    with TestClient(create_app(built_db)) as client:
        for _ in range(2):
            assert client.get("/country/Atlantis").status_code == 422
            assert client.get("/country?country=KAZ", follow_redirects=False).status_code == 303
        kept = [mw for mw in client.app.user_middleware if mw.cls is page_cache.PageCache]
        assert kept, "PageCache is not in the application"
        client.get("/api/health")
    assert counted == []


def test_the_warm_up_draws_the_landing_pages(built_db, monkeypatch):
    drawn = []
    real = routes.overview_profile
    monkeypatch.setattr(routes, "overview_profile", lambda *a, **k: drawn.append(a[1]) or real(*a, **k))
    with TestClient(create_app(built_db, warm=True, workers=0)) as client:
        deadline = time.monotonic() + 120
        while not client.get("/api/health").json()["warm"]:
            assert time.monotonic() < deadline, "the warm-up did not end"
            time.sleep(0.1)
        # the warm-up drew the overview, and each partner's as the landing page's pickers ask for it
        picked = drawn[1:]
        assert drawn[0] == "JPN" and sorted(set(picked)) == sorted(DEFAULT_PARTNERS) and len(picked) == 16
        assert client.get("/").status_code == 200
        assert client.get("/?partner=KOR&metric=finance").status_code == 200
        assert len(drawn) == 17, "a visitor's overview was drawn again"
        # every endpoint's source position, which FastAPI reads (tokenising its source) on its first request, was read
        # by the warm-up: /tables/{name} has had no request here
        known = getattr(fastapi.routing, "_endpoint_context_cache", None)
        if known is not None:
            calls = list(endpoints(client.app.routes))
            assert len(calls) > 30 and [c.__name__ for c in calls if id(c) not in known] == []
        # what the warm-up made is frozen: a full garbage collection no longer walks it on some visitor's request
        assert gc.get_freeze_count() > 50_000  # (bench/first_call.py times a full collection: 160 ms -> 3 ms)
    assert gc.get_freeze_count() == 0  # the stopped app's objects are the collector's again


def test_pages_and_answers_leave_compressed_for_clients_that_take_it(built_db):
    """A page drawn, then kept, goes gzip-compressed to a client that takes it and plain to one that does not, the
    same page either way; API answers are compressed on the way out too."""
    with TestClient(create_app(built_db, warm=False, workers=0)) as client:
        for _ in range(2):  # drawn, then kept
            zipped = client.get("/sources", headers={"accept-encoding": "gzip"})
            plain = client.get("/sources", headers={"accept-encoding": "identity"})
            assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
            assert int(zipped.headers["content-length"]) < len(plain.content) / 3
            assert zipped.text == plain.text
            assert zipped.headers["content-security-policy"] == plain.headers["content-security-policy"]
        answer = client.get("/api/indicators/shares?country=KAZ", headers={"accept-encoding": "gzip"})
        assert answer.status_code == 200 and answer.headers["content-encoding"] == "gzip"


def test_the_map_shapes_a_page_fetches_are_served_cacheable_and_never_kept_as_a_page(built_db):
    try:
        body = maps.geometry("shapes")
    except maps.MapUnavailableError as exc:
        pytest.skip(str(exc))
    with TestClient(create_app(built_db, warm=False, workers=0)) as client:
        page = client.get("/?partner=CHN").text
        assert (
            maps.geometry_url("shapes") in page and "MultiPolygon" not in page
        )  # the page names the shapes, not holds them
        served = client.get(maps.geometry_url("shapes"))
        assert served.status_code == 200 and served.content == body
        assert served.headers["content-type"] == "application/json"
        assert "immutable" in served.headers["cache-control"] and served.headers["content-encoding"] == "gzip"
        assert client.get(maps.GEOMETRY_PATH + "/rivers.json").status_code == 404
        assert not [k for k in _kept(client.app) if k[0].startswith(maps.GEOMETRY_PATH)]


def _kept(app) -> list[tuple]:
    stack = app.middleware_stack
    while stack is not None and not isinstance(stack, page_cache.PageCache):
        stack = getattr(stack, "app", None)
    assert stack is not None
    return list(stack.pages._data)
