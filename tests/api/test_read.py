"""Every read route with the test client: answers carry sources (and SQL on request); bad input is a 4xx."""

from __future__ import annotations

import csv
import io

import pytest


def error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["message"], body
    return body


def test_index_and_health(client):
    body = client.get("/api").json()
    assert body["openapi"] == "/openapi.json" and "/api/compare" in body["endpoints"]
    assert body["write_endpoints"] is False
    assert client.get("/api/health").json()["warehouse_exists"] is True


def test_openapi_is_published(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/profile/{country}",
        "/api/compare",
        "/api/timeline",
        "/api/sources",
        "/api/indicators",
        "/api/claims/check",
        "/api/countries",
        "/api/actors",
    ):
        assert path in paths
    assert not any(p.startswith("/api/admin") for p in paths)  # read-only: write endpoints are not offered
    assert client.get("/docs").status_code == 200


def test_countries_list_paginated_and_csv(client):
    body = client.get("/api/countries", params={"role": "central_asia"}).json()
    assert {r["iso3"] for r in body["rows"]} == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    page = client.get("/api/countries", params={"per_page": 10, "page": 2})
    info = page.json()["pagination"]
    assert info["page"] == 2 and len(page.json()["rows"]) == 10 and info["total"] > 200
    assert 'rel="next"' in page.headers["link"] and int(page.headers["x-total-count"]) == info["total"]
    text = client.get("/api/countries", params={"format": "csv", "role": "partner"}).text
    assert text.startswith("iso3,iso2,iso_numeric,name")
    error(client.get("/api/countries", params={"role": "planet"}), 422)
    error(client.get("/api/countries", params={"per_page": 0}), 422)


def test_country_resolves_names_and_groups(client):
    assert client.get("/api/countries/Kyrgyz Republic").json()["iso3"] == "KGZ"
    assert client.get("/api/countries/C5").json()["members"] == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    body = error(client.get("/api/countries/Uzbekstan"), 422)
    assert body["type"] == "unknown_country" and "Uzbekistan (UZB)" in body["near_matches"]


def test_groups_and_actors(client):
    assert any(g["group_id"] == "C5" for g in client.get("/api/groups").json()["groups"])
    rows = client.get("/api/actors", params={"country": "Japan"}).json()["rows"]
    assert any(r["actor_id"] == "jica" for r in rows)
    assert client.get("/api/actors/China Eximbank").json()["actor_id"] == "china_exim"
    assert error(client.get("/api/actors/Jyca"), 422)["type"] == "unknown_actor"
    error(client.get("/api/actors", params={"country": "Atlantis"}), 422)


def test_profile_carries_sources_and_sql_on_request(client):
    body = client.get("/api/profile/UZB", params={"partners": "JPN,KOR,CHN"}).json()
    visits = next(s for s in body["sections"] if s["title"].startswith("Leader-level visits by partner"))
    assert {r["partner_iso3"] for r in visits["rows"]} == {"JPN", "KOR", "CHN"}
    assert visits["sources"] and "query" not in visits
    with_sql = client.get("/api/profile/Uzbekistan", params={"partners": "Japan", "_query": 1}).json()
    assert all("SELECT" in s["query"] for s in with_sql["sections"])
    csv_text = client.get("/api/profile/UZB", params={"partners": "JPN", "format": "csv"})
    assert csv_text.headers["content-type"].startswith("text/csv") and csv_text.text.startswith("section,")
    assert csv_text.headers["x-silkscope-sources"]


def test_profile_bad_input(client):
    body = error(client.get("/api/profile/Uzbekstan"), 422)
    assert body["field"] == "country" and "Uzbekistan (UZB)" in body["near_matches"]
    body = error(client.get("/api/profile/UZB", params={"partners": "JPN,Japn"}), 422)
    assert body["field"] == "partners"
    assert "since" in error(client.get("/api/profile/UZB", params={"since": 2010, "until": 2000}), 422)["message"]
    error(client.get("/api/profile/UZB", params={"since": "last year"}), 422)
    error(client.get("/api/profile/UZB", params={"since": 3000}), 422)
    error(client.get("/api/profile/UZB", params={"format": "xml"}), 422)


def test_compare_every_indicator_json_and_csv(client):
    for indicator in (
        "leader_visits",
        "inbound_visits",
        "dialogue_meetings",
        "presence",
        "finance",
        "trade",
        "investment",
        "leader_engagements",
        "news_events",
        "all",
    ):
        response = client.get("/api/compare", params={"indicator": indicator, "partners": "JPN,CHN,KOR"})
        assert response.status_code == 200, (indicator, response.text)
        assert "rows" in response.json() and "sources" in response.json()
    body = client.get(
        "/api/compare",
        params={
            "indicator": "leader_visits",
            "partners": "JPN,CHN,KOR,RUS,USA",
            "since": 2000,
            "until": 2018,
            "_query": "true",
        },
    ).json()
    trips = {r["partner_iso3"]: r["trips"] for r in body["rows"]}
    assert trips == {"CHN": 9, "KOR": 5, "RUS": 5, "JPN": 2, "USA": 0}  # the README's table
    assert body["query"].lstrip().startswith("SELECT") and body["params"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/compare", params={"indicator": "presence", "country": "UZB", "format": "csv"}).text
            )
        )
    )
    assert rows and {"partner_iso3", "presence_kind", "count"} <= set(rows[0])


def test_compare_bad_input(client):
    assert "expected one of" in error(client.get("/api/compare", params={"indicator": "gdp"}), 422)["message"]
    error(client.get("/api/compare", params={"country": "Narnia"}), 422)
    error(client.get("/api/compare", params={"partners": "," * 400}), 422)
    error(client.get("/api/compare", params={"country": ""}), 422)


def test_timeline_filters_and_pagination(client):
    body = client.get("/api/timeline", params={"partner": "JPN", "country": "C5", "leaders_only": True}).json()
    assert body["rows"] and all(r["level"] in ("head_of_state", "head_of_government") for r in body["rows"])
    held = client.get("/api/timeline", params={"status": "cancelled"}).json()
    assert held["rows"] and {r["status"] for r in held["rows"]} == {"cancelled"}
    assert {s["source_id"] for s in held["sources"]} <= {i for r in held["rows"] for i in r["source_ids"]}
    page = client.get("/api/timeline", params={"per_page": 5, "page": 3}).json()
    assert len(page["rows"]) == 5 and page["pagination"]["prev"].endswith("page=2")
    error(client.get("/api/timeline", params={"status": "rumoured"}), 422)
    error(client.get("/api/timeline", params={"partner": "Mordor"}), 422)


def test_sources_list_and_one(client):
    body = client.get("/api/sources", params={"per_page": 1000}).json()
    assert len(body["rows"]) > 100 and {"publisher", "licence", "sha256", "cited_by_rows"} <= set(body["columns"])
    one = body["rows"][0]["source_id"]
    assert client.get(f"/api/sources/{one}").json()["source_id"] == one
    assert error(client.get("/api/sources/not_a_source"), 404)["type"] == "not_found"
    assert client.get("/api/sources", params={"kind": "official", "format": "csv"}).text.startswith("source_id,")


def test_indicators_listed_and_served(client):
    items = {i["name"]: i for i in client.get("/api/indicators").json()["indicators"]}
    assert {"leader_visits", "presence", "all"} <= set(items)
    assert items["leader_visits"]["path"] == "/api/indicators/leader_visits"
    body = client.get("/api/indicators/leader_visits", params={"country": "KAZ", "partners": "JPN"}).json()
    assert body["rows"][0]["partner_iso3"] == "JPN" and body["sources"]
    assert error(client.get("/api/indicators/happiness"), 404)["type"] == "not_found"
    error(client.get("/api/indicators/presence", params={"country": "Atlantis"}), 422)


def test_unknown_route_and_method(client):
    error(client.get("/api/nothing-here"), 404)
    error(client.post("/api/compare"), 405)


@pytest.mark.parametrize("path", ["/", "/country/UZB", "/partner/JPN", "/compare", "/sources", "/check"])
def test_pages_answer_with_escaped_html(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_pages_escape_user_text(client):
    response = client.get("/country/<script>alert(1)")
    assert response.status_code == 422
    assert "<script>alert(1)" not in response.text and "&lt;script&gt;" in response.text
    response = client.get("/compare", params={"indicator": "<img src=x onerror=alert(1)>"})
    assert response.status_code == 422 and "<img src=x" not in response.text


def test_page_bad_input_is_a_4xx_page(client):
    assert client.get("/country/UZB", params={"since": "soon"}).status_code == 422
    assert client.get("/partner/Atlantis").status_code == 422
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/country/UZB/brief.docx").status_code == 404
