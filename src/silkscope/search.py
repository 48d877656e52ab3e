"""One search box over what silkscope knows: states and partners (every alias the resolver knows), measures of the
catalogue, dialogue formats, events and sources, grouped by kind, each hit linking to the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import duckdb

from silkscope.analysis.measures import catalogue
from silkscope.countries import DEFAULT_PARTNERS, EU_CODE, normalise, registry
from silkscope.errors import SilkscopeError

MIN_CHARS, MAX_CHARS, MAX_WORDS = 2, 100, 8
DEFAULT_LIMIT, MAX_LIMIT = 10, 500
KINDS = {
    "countries": "Central Asian states",
    "partners": "Partners and other countries",
    "groups": "Groups of states",
    "formats": "Dialogue formats",
    "events": "Events",
    "measures": "Measures",
    "sources": "Sources",
}


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


@dataclass
class SearchResult:
    query: str
    groups: list[Group] = field(default_factory=list)
    note: str | None = None

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "note": self.note,
            "groups": [
                {"kind": g.kind, "label": g.label, "total": g.total, "shown": len(g.hits),
                 "hits": [{"title": h.title, "url": h.url, "detail": h.detail} for h in g.hits]}
                for g in self.groups
            ],
        }  # fmt: skip


def search(
    con: duckdb.DuckDBPyConnection, q: str, kinds: list[str] | None = None, limit: int = DEFAULT_LIMIT
) -> SearchResult:
    """Hits for `q` in each kind (all kinds, or those named), at most `limit` per kind; totals say how many more."""
    text = (q or "").strip()
    if len(text) > MAX_CHARS:
        raise SilkscopeError(f"q: at most {MAX_CHARS} characters, got {len(text)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise SilkscopeError(f"limit: expected 1 to {MAX_LIMIT}, got {limit}")
    for kind in kinds or []:
        if kind not in KINDS:
            raise SilkscopeError(f"kind: unknown {kind!r}; expected one of: {', '.join(KINDS)}")
    if len(text) < MIN_CHARS:
        return SearchResult(text, note=f"type at least {MIN_CHARS} characters to search")
    words = _words(text)
    if not words:
        return SearchResult(text, note="type a word to search: letters or digits")
    found: dict[str, list[Hit]] = {k: [] for k in KINDS}
    for kind, hit in _places(text):
        found[kind].append(hit)
    found["measures"] = _measures(words)
    found["formats"] = _rows(con, _FORMATS, words, _format_hit)
    found["events"] = _rows(con, _EVENTS, words, _event_hit)
    found["sources"] = _rows(con, _SOURCES, words, _source_hit)
    chosen = kinds or list(KINDS)
    groups = [Group(k, KINDS[k], found[k][:limit], len(found[k])) for k in KINDS if k in chosen and found[k]]
    return SearchResult(text, groups)


def _places(text: str) -> list[tuple[str, Hit]]:
    """States by any name or code the resolver knows (exact, then prefix, then a word inside the name)."""
    key = normalise(text)
    if len(key) < MIN_CHARS:
        return []
    reg, spelled = registry(), _spellings()
    best: dict[str, tuple[int, str]] = {}
    for alias, (iso3, _) in reg.index.items():
        if alias == key:
            score = 0
        elif alias.startswith(key):
            score = 1
        elif len(key) >= 4 and f" {key}" in f" {alias}":
            score = 2
        elif len(key) >= 4 and key in alias:
            score = 3
        else:
            continue
        if iso3 not in best or score < best[iso3][0]:
            best[iso3] = (score, spelled.get(alias, alias))
    order = {"central_asia": 0, "partner": 1, "caucasus": 2, "dac_member": 3}
    ranked = sorted(best, key=lambda i: (best[i][0], order.get(reg.countries[i].role, 4), reg.countries[i].common_name))
    out = []
    for iso3 in ranked:
        country, matched = reg.countries[iso3], best[iso3][1]
        via = "" if normalise(matched) == normalise(country.common_name) else f" · matched “{matched}”"
        if country.role == "central_asia":
            out.append(("countries", Hit(country.common_name, f"/country/{iso3}", f"{iso3}{via}")))
        elif country.role == "partner" or iso3 == EU_CODE or iso3 in DEFAULT_PARTNERS:
            out.append(("partners", Hit(country.common_name, f"/partner/{iso3}", f"{iso3} · partner{via}")))
        else:
            url = _table_url("core.countries", country_iso3=iso3)
            out.append(("partners", Hit(country.common_name, url, f"{iso3} · {country.role.replace('_', ' ')}{via}")))
    for g in reg.groups.values():
        if key in normalise(g.group_id) or key in normalise(g.name):
            detail = f"{g.group_id} · {len(g.members)} members"
            out.append(("groups", Hit(g.name, _table_url("core.country_group_members", group_id=g.group_id), detail)))
    return out


def prepare() -> None:
    """Build what every search reads once (a server's warm-up): the registry's spellings took ~40 ms of the first."""
    _spellings()


@cache
def _spellings() -> dict[str, str]:
    """Normalised alias -> one way it is written, to show which name matched ('Özbekiston')."""
    out: dict[str, str] = {}
    for alias, _, _ in sorted(registry().alias_rows):
        out.setdefault(normalise(alias), alias)
    return out


def _words(text: str) -> list[str]:
    """Lower-case words of letters, digits and '+' (so 'C5+1' stays one word); each must start a word of a hit."""
    return _plain(text).split()[:MAX_WORDS]


def _plain(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "+" else " " for ch in text.lower())


def _measures(words: list[str]) -> list[Hit]:
    hits = []
    for m in catalogue().values():
        hay = " " + _plain(" ".join([m.name, m.label, m.instrument, *m.phrases]))
        if all(f" {w}" in hay for w in words):
            first = 0 if " ".join(words) in m.label.lower() else 1
            hits.append((first, m.label, Hit(m.label, f"/explore?{urlencode({'measure': m.name})}",
                                             f"{m.name} · {m.unit} · {m.instrument}")))  # fmt: skip
    return [h for _, _, h in sorted(hits, key=lambda t: (t[0], t[1]))]


# Each word must start a word of the text searched (case-insensitive; punctuation and '_' count as spaces, as in
# _plain): 'oda' finds 'ODA', not 'today'. The words are bound parameters, never spliced into the SQL.
_FORMATS = (
    "SELECT format_id, name, partner_iso3, launched FROM core.dialogue_formats",
    "concat_ws(' ', name, format_id)",
    "launched",
)
_EVENTS = (
    "SELECT event_id, title, date_start, event_type, status FROM core.events",
    "concat_ws(' ', title, event_id)",
    "date_start DESC, event_id",
)
_SOURCES = (
    "SELECT source_id, title, publisher, kind, version, superseded_at FROM core.sources",
    "concat_ws(' ', title, publisher, source_id)",
    "kind = 'dataset' DESC, title, source_id",
)


def _rows(con: duckdb.DuckDBPyConnection, spec: tuple[str, str, str], words: list[str], make) -> list[Hit]:
    select, hay, order = spec
    plain = rf"' ' || regexp_replace(lower({hay}), '[^\pL\pN+]+', ' ', 'g')"
    where = " AND ".join(f"contains({plain}, ?)" for _ in words)
    cursor = con.execute(f"{select} WHERE {where} ORDER BY {order} LIMIT {MAX_LIMIT}", [f" {w}" for w in words])
    names = [d[0] for d in cursor.description]
    return [make(dict(zip(names, r, strict=True))) for r in cursor.fetchall()]


def _format_hit(r: dict[str, Any]) -> Hit:
    detail = f"{r['partner_iso3']} · launched {r['launched'].year} · its meetings in core.events"
    return Hit(r["name"], _table_url("core.events", format_id=r["format_id"]), detail)


def _event_hit(r: dict[str, Any]) -> Hit:
    detail = f"{r['date_start'].isoformat()} · {r['event_type'].replace('_', ' ')} · {r['status']}"
    return Hit(r["title"], _table_url("core.events", event_id=r["event_id"]), detail)


def _source_hit(r: dict[str, Any]) -> Hit:
    parts = [r["publisher"], r["kind"].replace("_", " "), r["source_id"]]
    if r["version"]:
        parts.append(f"edition {r['version']}")
    if r["superseded_at"]:
        parts.append("superseded")
    return Hit(r["title"], _table_url("core.sources", source_id=r["source_id"]), " · ".join(parts))


def _table_url(name: str, **filters: str) -> str:
    return f"/tables/{quote(name)}?{urlencode(filters)}"
