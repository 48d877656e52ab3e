"""The brief's visits-and-summits table names the partner each summit belongs to (not the first partner listed)."""

from __future__ import annotations

import re

from silkscope.briefs.brief import make_brief


def test_summits_sit_under_their_own_partner(built_db):
    brief = make_brief("C5", ["JPN", "CHN", "KOR", "RUS", "USA"], since=2015, db=built_db)
    table = brief.html.split("<h2>Visits and summits</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", table)
    assert rows, "the brief lists no events"
    by_title = {title: partner for partner, title in rows}
    for title, partner in by_title.items():
        if "China-Central Asia" in title:
            assert partner == "China", (title, partner)
        if "C5+1" in title:
            assert partner == "United States", (title, partner)
    assert any("C5+1" in t for t in by_title) or any("China-Central Asia" in t for t in by_title)


def test_the_finance_table_says_datasets_and_flow_classes_in_words(built_db):
    brief = make_brief("KGZ", ["JPN", "CHN", "KOR", "USA"], db=built_db)
    table = brief.html.split("<h2>Official finance", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert cells, "the brief shows no finance rows"
    names = [c for c in cells if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", c.strip())]
    assert not names, names  # aiddata_china, wdi_ddf, oda_like... are said as the dashboard says them
