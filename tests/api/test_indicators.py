"""/api/indicators serves the Ibis indicator library beside the summaries: same answers as the library, options
validated, every bad option a 422 that names it."""

from __future__ import annotations

import csv
import io

import pytest

from silkscope.indicators import registry

LIBRARY = sorted(registry.INDICATORS)


def error(response, status: int) -> str:
    assert response.status_code == status, response.text
    return response.json()["error"]["message"]


def test_catalogue_lists_every_library_indicator_with_its_options(client):
    items = {i["name"]: i for i in client.get("/api/indicators").json()["indicators"]}
    assert set(LIBRARY) <= set(items)
    assert items["leader_visits"]["provider"] == "views.compare" and items["leader_visits"]["options"] == {}
    change = items["change"]
    assert change["provider"] == "silkscope.indicators" and change["measure"] == "abs_change"
    assert {"measures", "start", "end"} == set(change["options"]) and "country" in change["parameters"]
    assert set(items["index"]["options"]) == {"weights"}
    schema = client.get("/openapi.json").json()["paths"]["/api/indicators/{name}"]["get"]
    assert {"measure", "start", "end", "weights", "level", "draws"} <= {p["name"] for p in schema["parameters"]}


@pytest.mark.parametrize("name", [n for n in LIBRARY if n != "change"])
def test_each_library_indicator_answers_with_definitions(client, name):
    response = client.get(f"/api/indicators/{name}", params={"country": "C5", "partners": "JPN,CHN,KOR"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] and body["columns"] and body["definitions"], body
    assert "query" not in body  # the SQL only on request
    if body["rows"]:
        assert body["sources"], f"{name}: rows without sources"
        assert response.headers["X-Silkscope-Sources"]


def test_answers_equal_the_library_called_directly(client, api_db):
    params = {"country": "KAZ,UZB", "partners": "JPN,CHN,KOR", "since": 2000, "until": 2018}
    served = client.get("/api/indicators/shares", params=params).json()
    direct = registry.INDICATORS["shares"].run(
        registry.options(partners=["JPN", "CHN", "KOR"], countries=["KAZ", "UZB"], since=2000, until=2018, db=api_db)
    )
    assert served["rows"] == direct.to_dict()["rows"]
    # Koizumi's 2006 tour (the seed article's "only twice") is in the leader-visit shares, each share = value/total.
    kaz_2006 = [
        r for r in served["rows"]
        if (r["country_iso3"], r["year"], r["instrument"]) == ("KAZ", 2006, "leader_visits_to_country")
    ]  # fmt: skip
    japan = next(r for r in kaz_2006 if r["partner_iso3"] == "JPN")
    assert japan["value"] == 1 and japan["share_pct"] == pytest.approx(100 * japan["value"] / japan["total"])


def test_options_reach_the_library(client):
    equal = client.get("/api/indicators/index", params={"weights": "leader_visits=1", "partners": "JPN,CHN"}).json()
    assert equal["rows"]
    for row in equal["rows"]:
        # With all the weight on visits, the index is the visits score wherever the partner has one.
        if row["leader_visits_score"] is not None:
            assert row["engagement_index"] == pytest.approx(row["leader_visits_score"])
    body = client.get(
        "/api/indicators/change",
        params={"partners": "JPN", "measure": "leader_visits_to_country", "start": "1997-2001", "end": "2002-2006"},
    ).json()
    titles = [s["title"] for s in body["sections"]]
    assert titles[0].startswith("Change 1997-2001 -> 2002-2006") and titles[1].startswith("Rows used")
    japan = body["sections"][0]["rows"][0]
    assert japan["instrument"] == "leader_visits_to_country" and japan["end_value"] >= 1  # Koizumi, 2006


def test_csv_pagination_and_query(client):
    text = client.get("/api/indicators/balance", params={"format": "csv"}).text
    header = next(csv.reader(io.StringIO(text)))
    assert header[:2] == ["partner_iso3", "country_iso3"] and "public_share_pct" in header
    page = client.get("/api/indicators/shares", params={"per_page": 5, "page": 2}).json()
    assert len(page["rows"]) == 5 and page["pagination"]["page"] == 2
    assert "SELECT" in client.get("/api/indicators/index", params={"_query": 1}).json()["query"].upper()


@pytest.mark.parametrize(
    ("name", "params", "names"),
    [
        ("shares", {"level": "division"}, "level: not an option of indicator 'shares'"),
        ("leader_visits", {"draws": 50}, "draws: indicator 'leader_visits' takes no options"),
        ("index", {"weights": "1; drop table core.events"}, "weights: expected name=number pairs"),
        ("index", {"weights": "luck=1"}, "unknown index component"),
        ("balance", {"measure": "oda_comit_constant_usd"}, "did you mean oda_commit_constant_usd"),
        ("shares", {"measure": "x'); DROP TABLE y"}, "is not a column name (letters, digits and _)"),
        ("change", {}, "change needs a start, an end and a measure"),
        ("change", {"measure": "agreements", "start": "2005", "end": "2000"}, "must start after"),
        ("change", {"measure": "agreements", "start": "last year", "end": "2000"}, "start: expected a year"),
        ("composition", {"level": "chapter"}, "level: expected section or division"),
        ("composition", {"direction": "sideways"}, "direction: expected exports or imports"),
        ("disagreement-finance", {"dataset": "a;b"}, "dataset: expected a dataset id"),
        ("panel", {"country": "Atlantis"}, "Atlantis"),
    ],
)
def test_bad_options_are_422s_that_name_the_option(client, name, params, names):
    assert names in error(client.get(f"/api/indicators/{name}", params=params), 422)


def test_declared_limits_are_422s(client):
    error(client.get("/api/indicators/sensitivity", params={"draws": 5}), 422)
    error(client.get("/api/indicators/change", params={"start": "1993-1995-1997"}), 422)


def test_visits_model_answers_with_specification_estimates_and_caveats(client):
    body = client.get("/api/models/visits", params={"outcome": "ministerial_meetings", "window": 2}).json()
    panel, event = body["sections"]
    assert panel["title"].endswith("panel model") and event["title"].endswith("event study")
    assert "dyad FE + year FE" in panel["definitions"]["specification"] and "dyads" in panel["definitions"]["N"]
    terms = [r["term"] for r in panel["rows"]]
    assert terms[0] == "leader_visits_to_country_lag1" and all(r["ci_low"] <= r["coef"] <= r["ci_high"]
                                                               for r in panel["rows"])  # fmt: skip
    assert [r["term"] for r in event["rows"]][:2] == ["event_t-2", "event_t+0"]  # t-1 is the reference year
    assert any(n.startswith("caveat: ") for n in panel["notes"]) and panel["sources"]
    # people read the terms and the outcome in words (issue 13: no internal name as a heading); machines keep `term`
    assert panel["rows"][0]["label"] == "Leader visits to the state, 1 year earlier"
    assert body["title"].startswith("Leader visits and ministerial meetings") and "_" not in body["title"]
    assert not any("_lag" in n or "event_t" in n for n in panel["notes"] + event["notes"])
    csv_text = client.get("/api/models/visits", params={"outcome": "ministerial_meetings", "format": "csv"}).text
    assert csv_text.startswith("section,term,label,coef")


@pytest.mark.parametrize(
    ("params", "status", "names"),
    [
        # no project-level finance on a default install (finance itself falls back to WDI's net ODA disbursements)
        ({"outcome": "projects"}, 422, "fewer than 10 observed dyad-years"),
        ({"outcome": "happiness"}, 422, "unknown outcome 'happiness'"),
        ({"outcome": "x; drop"}, 422, "outcome"),
        ({"lag": 9}, 422, "lag"),
        ({"window": 0}, 422, "window"),
        ({"country": "Atlantis"}, 422, "Atlantis"),
    ],
)
def test_visits_model_bad_input(client, params, status, names):
    assert names in error(client.get("/api/models/visits", params=params), status)


def test_compare_page_shows_a_long_table_in_part_and_links_the_whole(client):
    html = client.get("/compare", params={"indicator": "index", "country": "C5"}).text
    # the eight tracked partners (all in the timeline now) x 5 countries x 35 years
    assert "The first 400 of 1400 rows; the CSV download has them all." in html
    assert html.count("<tr") == 401
    partners = "JPN%2CCHN%2CKOR%2CRUS%2CUSA%2CEUU%2CTUR%2CIND"
    assert f'href="/api/indicators/index?country=C5&amp;partners={partners}&amp;format=csv"' in html
