"""One-file offline HTML report: the article with claims highlighted by verdict, evidence on click, sources listed."""

# ruff: noqa: E501 - the inline template's CSS and markup read better unwrapped; the Python stays within 120.

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any, Protocol
from urllib.parse import urlsplit

from jinja2 import Environment

from silkscope.countries import name_or_code


class Report(Protocol):
    """What the page reads of a report (claims/report.py:Report). A protocol, so this renderer never imports the
    report module that calls it: the two import one way only."""

    document: Any
    claims: list[Any]
    as_of: int
    warehouse: str
    connectors: list[str]

    @property
    def summary(self) -> dict[str, int]: ...

    @property
    def sources(self) -> list[dict[str, Any]]: ...


COLOURS = {
    "supported": ("#1b7f3b", "#e3f4e8"),
    "contradicted": ("#b3261e", "#fde7e5"),
    "imprecise": ("#9a6200", "#fff1d6"),
    "unverifiable": ("#3d5a80", "#e6edf6"),
    "not_checkable": ("#6b6b6b", "#efefef"),
}
LABELS = {
    "supported": "Supported",
    "contradicted": "Contradicted",
    "imprecise": "Imprecise",
    "unverifiable": "Unverifiable",
    "not_checkable": "Not checkable",
}
HELP = {
    "supported": "the data agree within the stated tolerance",
    "contradicted": "the data disagree under the claim's own definition",
    "imprecise": "right order, but the figure fits another year or definition",
    "unverifiable": "no data in the warehouse can settle it (what would is named)",
    "not_checkable": "an opinion or causal claim",
}

TEMPLATE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="silkscope claim checker">
<title>Claim check: {{ title }}</title>
<style>
:root { --ink:#1d232b; --muted:#5c6670; --rule:#dde2e7; --paper:#fbfbf9; --panel:#ffffff; }
* { box-sizing: border-box; }
body { margin:0; background:var(--paper); color:var(--ink); font:15px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background:#17212b; color:#f3f5f7; padding:18px 32px 14px; }
header.top .kicker { font-size:12px; letter-spacing:.08em; text-transform:uppercase; color:#9fb3c8; }
header.top h1 { margin:4px 0 6px; font:600 24px/1.25 Georgia, "Times New Roman", serif; }
header.top .meta { font-size:13px; color:#c4d0dc; overflow-wrap:anywhere; }
header.top .meta a { color:#c4d0dc; }
.summary { display:flex; flex-wrap:wrap; gap:8px; padding:12px 32px; background:#fff; border-bottom:1px solid var(--rule); position:sticky; top:0; z-index:3; }
.chip { border:1px solid var(--rule); border-radius:999px; padding:3px 12px 3px 8px; font-size:13px; background:#fff; cursor:pointer; display:inline-flex; align-items:center; gap:6px; }
.chip .dot { width:10px; height:10px; border-radius:50%; display:inline-block; }
.chip b { font-variant-numeric: tabular-nums; }
.chip.off { opacity:.35; }
.chip.zero { opacity:.5; cursor:default; }
.legend { font-size:12px; color:var(--muted); padding:6px 32px 0; }
main { display:grid; grid-template-columns:minmax(0, 1fr) minmax(340px, 440px); gap:28px; padding:20px 32px 40px; align-items:start; }
article.text { overflow-wrap:anywhere; background:#fff; border:1px solid var(--rule); border-radius:6px; padding:26px 34px; white-space:pre-wrap; font:16.5px/1.7 Georgia, "Times New Roman", serif; }
mark.claim { background:var(--bg); border-bottom:2px solid var(--fg); padding:1px 0; border-radius:2px; color:inherit; text-decoration:none; cursor:pointer; }
mark.claim sup { font:600 10px/1 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color:var(--fg); margin-left:2px; }
mark.claim:hover, mark.claim.active { outline:2px solid var(--fg); outline-offset:1px; }
mark.claim.dim { background:transparent; border-bottom-color:transparent; }
mark.claim.dim sup { display:none; }
aside.panel { overflow-x:hidden; position:sticky; top:62px; max-height:calc(100vh - 80px); overflow:auto; }
.card { background:var(--panel); border:1px solid var(--rule); border-left:5px solid var(--fg); border-radius:6px; padding:14px 16px; margin-bottom:14px; }
.card .badge { display:inline-block; background:var(--fg); color:#fff; font-size:12px; font-weight:600; border-radius:3px; padding:1px 8px; letter-spacing:.02em; }
.card .type { font-size:12px; color:var(--muted); margin-left:6px; }
.card .mark { display:inline-block; border:1px solid var(--fg); color:var(--fg); font-size:12px; font-weight:600; border-radius:3px; padding:0 7px; margin-left:6px; }
.card .quote { font:15px/1.5 Georgia, serif; margin:8px 0; padding-left:10px; border-left:3px solid var(--rule); }
.card .expl { margin:8px 0; }
.card .facts { font-size:12.5px; color:var(--muted); margin:6px 0; }
.card table { width:100%; border-collapse:collapse; font-size:12.5px; margin-top:6px; table-layout:fixed; }
.card col.c1 { width:27%; } .card col.c2 { width:15%; } .card col.c4 { width:13%; }
.card th { text-align:left; color:var(--muted); font-weight:600; border-bottom:1px solid var(--rule); padding:3px 4px; }
.card td { border-bottom:1px solid #eef1f4; padding:4px; vertical-align:top; overflow-wrap:anywhere; }
.card td.v { font-variant-numeric: tabular-nums; }
.card tr.role-context td, .card tr.role-alternative td { color:#56606a; }
.card .role { font-size:11px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
.card .needs { background:#f4f7fb; border:1px dashed #9fb3c8; border-radius:4px; padding:6px 8px; font-size:13px; margin-top:8px; }
.card details { margin-top:8px; font-size:12px; }
.card pre { white-space:pre-wrap; word-break:break-word; background:#f6f7f8; border:1px solid var(--rule); padding:6px 8px; border-radius:4px; font:11.5px/1.45 "SFMono-Regular", Menlo, Consolas, monospace; }
.empty { color:var(--muted); font-style:italic; padding:18px; border:1px dashed var(--rule); border-radius:6px; background:#fff; }
section.all, section.sources { padding:0 32px 30px; }
section h2 { font:600 18px/1.3 Georgia, serif; border-bottom:1px solid var(--rule); padding-bottom:6px; }
.grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(380px, 1fr)); gap:14px; }
ol.src { font-size:13.5px; padding-left:24px; }
ol.src li { margin-bottom:6px; }
ol.src .pub { color:var(--muted); }
footer { padding:10px 32px 30px; font-size:12px; color:var(--muted); }
@media (max-width: 980px) { main { grid-template-columns:1fr; } aside.panel { position:static; max-height:none; } }
@media print { .summary, aside.panel { display:none; } main { display:block; } section.all .card { break-inside:avoid; } }
</style>
</head>
<body>
<header class="top">
  <div class="kicker">silkscope · claim check</div>
  <h1>{{ title }}</h1>
  <div class="meta">{{ doc.name }}{% if doc.published %} · published {{ doc.published }}{% endif %} · claims read as of {{ as_of }}{% if doc_url %} · <a href="{{ doc_url }}" rel="noopener noreferrer">{{ doc_url }}</a>{% elif doc.url %} · {{ doc.url }}{% endif %} · {{ n_claims }} claims, checked against {{ warehouse }}{% if connectors %} ({{ connectors|join(', ') }}){% endif %}</div>
</header>
<nav class="summary" aria-label="verdicts">
{% for v, n in summary.items() %}  <span class="chip{% if not n %} zero{% endif %}" data-verdict="{{ v }}" title="{{ help[v] }}" style="--fg:{{ colours[v][0] }}"><span class="dot" style="background:{{ colours[v][0] }}"></span>{{ labels[v] }} <b>{{ n }}</b></span>
{% endfor %}</nav>
<div class="legend">Click a highlighted claim to see its evidence, sources and the query behind it. Click a verdict above to show or hide its claims.</div>
<main>
<article class="text" id="article">{{ body }}</article>
<aside class="panel" id="panel"><div class="empty">Select a highlighted claim to open its evidence.</div></aside>
</main>
<section class="all"><h2>All claims</h2><div class="grid">
{% for c in cards %}{{ c }}
{% endfor %}</div></section>
<section class="sources"><h2>Sources</h2>
<ol class="src">
{% for s in sources %}  <li id="src-{{ s.number }}"><span class="pub">{{ s.publisher or '' }}</span>{% if s.publisher %}: {% endif %}{% if s.url|web_url %}<a href="{{ s.url|web_url }}" rel="noopener noreferrer">{{ s.title or s.source_id }}</a>{% else %}{{ s.title or s.source_id }}{% endif %} <span class="pub">[{{ s.source_id }}]</span></li>
{% endfor %}</ol>
{% if not sources %}<p class="empty">No external source is cited: every verdict rests on the article's own text or on absent data.</p>{% endif %}
</section>
<footer>Generated by silkscope. Verdicts: {% for v in labels %}<b>{{ labels[v] }}</b> — {{ help[v] }}{% if not loop.last %}; {% endif %}{% endfor %}. This file works offline.</footer>
<script>{{ script }}</script>
</body>
</html>
"""


# The report's one script, kept out of the template so its hash can go into the Content-Security-Policy: the page
# runs this script and nothing else (no other script, no plug-in, no request anywhere: it is an offline file).
SCRIPT = """
(function () {
  var panel = document.getElementById("panel");
  function show(id) {
    var card = document.getElementById("card-" + id);
    if (!card) return;
    panel.innerHTML = "";
    var copy = card.cloneNode(true); copy.id = "";
    panel.appendChild(copy);
    document.querySelectorAll("mark.claim.active").forEach(function (m) { m.classList.remove("active"); });
    var mark = document.getElementById("m-" + id); if (mark) mark.classList.add("active");
  }
  document.querySelectorAll("mark.claim").forEach(function (m) {
    m.addEventListener("click", function (e) { e.preventDefault(); show(m.dataset.id); });
  });
  document.querySelectorAll(".chip").forEach(function (chip) {
    chip.addEventListener("click", function () {
      chip.classList.toggle("off");
      var off = chip.classList.contains("off");
      document.querySelectorAll('mark.claim[data-verdict="' + chip.dataset.verdict + '"]').forEach(function (m) { m.classList.toggle("dim", off); });
    });
  });
  var first = null;
  ["contradicted", "imprecise", "supported", "unverifiable", "not_checkable"].some(function (v) {
    first = document.querySelector('mark.claim[data-verdict="' + v + '"]'); return first;
  });
  if (first) show(first.dataset.id);
})();
"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; script-src '{SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


def web_url(url: Any) -> str | None:
    """`url` when it is an http(s) address, else None: an article's og:url or a source's URL becomes a link only
    then (a `javascript:` or `data:` URL would run in the reader's browser)."""
    text = str(url or "").strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") and urlsplit(text).netloc else None


def _said(claim_type: str) -> str:
    # a claim type as a reader says it ('first or only'); the JSON report keeps the name
    return claim_type.replace("_", " ")


def _fmt(value: Any, unit: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float | int) and not isinstance(value, bool):
        if unit == "USD":
            for scale, word in ((1e9, "bn"), (1e6, "m")):
                if abs(value) >= scale:
                    return f"US${value / scale:,.2f} {word}"
            return f"US${value:,.0f}"
        if unit == "percent":
            return f"{value:g}%"
        return f"{value:,.6g}" if isinstance(value, float) else f"{value:,}"
    return str(value)


def verdict_label(check) -> str:
    """The verdict as a reader sees it, with its mark: "Unverifiable (arithmetic holds)" for a change that holds on
    the article's own figures only (the badge keeps the verdict's colour: never a green "supported")."""
    return LABELS[check.verdict] + (f" ({check.mark})" if getattr(check, "mark", None) else "")


def _mark(check) -> str:
    mark = getattr(check, "mark", None)
    if not mark:
        return ""
    why = "the article's own figures agree with each other; the data give no endpoints to confirm them"
    return f'<span class="mark" title="{html.escape(why)}">{html.escape(mark)}</span>'


def _card(c, numbers: dict[str, int]) -> str:
    claim, check = c.claim, c.check
    fg, bg = COLOURS[check.verdict]
    e = html.escape
    rows = []
    for ev in check.evidence:
        if ev.source_id in numbers:
            src = f'<a href="#src-{numbers[ev.source_id]}">[{numbers[ev.source_id]}]</a>'
        elif ev.source_id == "article":
            src = "the article"
        else:
            src = "—"
        period = "–".join(str(p) for p in ev.period) if ev.period else ""
        unit = "" if ev.unit in (None, "USD", "percent") else f" {e(str(ev.unit).replace('_', ' '))}"
        rows.append(
            f'<tr class="role-{e(ev.role)}"><td class="v">{e(_fmt(ev.value, ev.unit))}{unit}</td><td>{e(period)}</td>'
            f'<td><span class="role">{e(ev.role)}</span> {e(ev.definition)}'
            + (f'<br><span class="role">note</span> {e(ev.note)}' if ev.note else "")
            + f"</td><td>{src}</td></tr>"
        )
    facts = [f"type: {_said(claim.type)}"]
    if claim.value is not None:
        facts.append(
            f"value: {_fmt(claim.value, claim.unit)}{'' if claim.unit in ('USD', 'percent') else ' ' + (claim.unit or '')}"
        )
    if claim.period:
        facts.append("period: " + "–".join(map(str, claim.period)))
    if claim.entities:
        facts.append("entities: " + ", ".join(map(name_or_code, claim.entities)))
    if check.tolerance:
        facts.append(f"tolerance: {check.tolerance}")
    needs = ""
    if check.needs:
        via = ", ".join(check.needs["connectors"]) or "no connector"
        needs = f'<div class="needs"><b>What would settle it:</b> {e(check.needs["data"])} <i>({e(via)})</i></div>'
    queries = list(dict.fromkeys(ev.query for ev in check.evidence))
    query_html = "".join(f"<pre>{e(q)}</pre>" for q in queries)
    return (
        f'<div class="card" id="card-{claim.id}" style="--fg:{fg};--bg:{bg}">'
        f'<span class="badge">{LABELS[check.verdict]}</span>{_mark(check)}<span class="type">{claim.id} · {e(_said(claim.type))}</span>'
        f'<div class="quote">{e(claim.text)}</div><div class="expl">{e(check.explanation.split(" Would settle it:")[0])}</div>'
        f'<div class="facts">{e(" · ".join(facts))}</div>'
        '<table><colgroup><col class="c1"><col class="c2"><col><col class="c4"></colgroup>'
        "<thead><tr><th>value</th><th>period</th><th>definition</th><th>source</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{needs}"
        f"<details><summary>query ({len(queries)})</summary>{query_html}</details></div>"
    )


def _body(report: Report) -> str:
    text = report.document.text
    out, pos = [], 0
    for c in sorted(report.claims, key=lambda c: c.claim.start):
        cl = c.claim
        if cl.start < pos:
            continue
        fg, bg = COLOURS[c.check.verdict]
        out.append(html.escape(text[pos : cl.start]))
        out.append(
            f'<a href="#card-{cl.id}" style="text-decoration:none;color:inherit"><mark class="claim" id="m-{cl.id}" '
            f'data-id="{cl.id}" data-verdict="{c.check.verdict}" style="--fg:{fg};--bg:{bg}" '
            f'title="{html.escape(verdict_label(c.check))}: {html.escape(c.check.explanation[:160])}">'
            f"{html.escape(text[cl.start : cl.end])}<sup>{cl.id[1:]}</sup></mark></a>"
        )
        pos = cl.end
    out.append(html.escape(text[pos:]))
    return "".join(out).strip()


def render_html(report: Report) -> str:
    from markupsafe import Markup

    numbers = {s["source_id"]: s["number"] for s in report.sources}
    env = Environment(autoescape=True)
    env.filters["web_url"] = web_url
    template = env.from_string(TEMPLATE)
    return template.render(
        title=report.document.title or report.document.name,
        doc=report.document,
        doc_url=web_url(report.document.url),
        csp=CSP,
        script=Markup(SCRIPT),
        as_of=report.as_of,
        warehouse=report.warehouse,
        connectors=[c for c in report.connectors if c != "reference_pack"],
        summary={k: v for k, v in report.summary.items()},
        colours=COLOURS,
        labels=LABELS,
        help=HELP,
        body=Markup(_body(report)),
        cards=[Markup(_card(c, numbers)) for c in report.claims],
        n_claims=len(report.claims),
        sources=report.sources,
        data=json.dumps({}),
    )
