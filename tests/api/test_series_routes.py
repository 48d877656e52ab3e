"""The series routes: the measure catalogue, any measure by partner, state and year, trade partners, context."""

from __future__ import annotations

from silkscope.analysis.measures import catalogue


def test_measures_lists_the_catalogue(client):
    body = client.get("/api/measures").json()
    names = [m["measure"] for m in body["measures"]]
    assert names == list(catalogue())
    visits = next(m for m in body["measures"] if m["measure"] == "leader_visits")
    assert visits["label"] == "Leader-level visits to the state" and visits["held"] == ["leader_visits"]


def test_observations_rows_carry_sources_and_the_query(client):
    r = client.get("/api/observations", params={"measure": "leader_visits", "partners": "JPN", "_query": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["rows"] and {row["partner_iso3"] for row in body["rows"]} == {"JPN"}
    assert all(row["source_ids"] for row in body["rows"]) and body["sources"]
    assert "out.observations" in body["query"]
    csv = client.get("/api/observations", params={"measure": "leader_visits", "format": "csv"})
    assert csv.status_code == 200 and csv.text.startswith("measure,partner_iso3,country_iso3,year,value")


def test_bad_series_requests_are_422s_that_name_the_input(client):
    r = client.get("/api/observations", params={"measure": "oda_lik"})
    assert r.status_code == 422 and "oda_lik" in r.json()["error"]["message"]
    r = client.get("/api/trade/partners", params={"top": 0})
    assert r.status_code == 422 and "top" in r.text
    r = client.get("/api/context", params={"country": "Uzbekstan"})
    assert r.status_code == 422 and "Uzbekistan" in r.text


def test_trade_partners_and_context_answer(client):
    assert client.get("/api/trade/partners", params={"country": "KGZ"}).status_code == 200
    body = client.get("/api/context", params={"country": "UZB"}).json()
    assert body["title"].startswith("Context: GDP")
