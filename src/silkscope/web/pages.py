"""The dashboard pages that are not profiles: the list of sources and the claim checker's page (the country,
partner and overview pages render silkscope.profiles)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from silkscope import views
from silkscope.serving import checking
from silkscope.serving.state import ServedWarehouse


def sources(served: ServedWarehouse, kind: str | None) -> dict[str, Any]:
    result = served.cached(("sources", kind), lambda con: views.sources(kind, con=con))
    everything = served.cached(("sources", None), lambda con: views.sources(None, con=con))
    kinds = Counter(r["kind"] for r in everything.rows)
    return {"result": result, "kind": kind, "kinds": sorted(kinds.items())}


def check(
    served: ServedWarehouse,
    text: str | None = None,
    upload: tuple[bytes, str] | None = None,
    *,
    max_chars: int = checking.MAX_TEXT_CHARS,
    max_bytes: int = checking.MAX_UPLOAD_BYTES,
) -> dict[str, Any]:
    """The checker's report with the article cut into highlighted runs; `available` False when not installed."""
    if not checking.available():
        return {"available": False, "report": None}
    with served.read() as con:
        if upload is not None:
            checked = checking.check_upload(upload[0], upload[1], db=served.path, con=con, max_bytes=max_bytes)
        else:
            checked = checking.check_text(text or "", db=served.path, con=con, max_chars=max_chars)
    claims = checked.payload.get("claims") or []
    return {
        "available": True,
        "text": checked.text,
        "payload": checked.payload,
        "claims": claims,
        "segments": checking.segments(checked.text, claims) if checked.text else [],
        "counts": checking.counts(claims),
        "report": checked.report,
    }
