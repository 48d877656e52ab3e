"""Write endpoints (rebuild, ingest/update): off unless a token is configured, then bearer-token only."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from silkscope.api.respond import send_json
from silkscope.errors import SilkscopeError

bearer = HTTPBearer(auto_error=False, description="the token in SILKSCOPE_API_TOKEN (or create_app(token=...))")


class AuthError(SilkscopeError):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    token = request.app.state.token
    if not token:
        raise AuthError("write endpoints are off: no API token is configured (set SILKSCOPE_API_TOKEN)", 403)
    if credentials is None:
        raise AuthError("this endpoint changes the warehouse: send 'Authorization: Bearer <token>'", 401)
    if not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        raise AuthError("the bearer token does not match the configured API token", 403)


router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_token)], tags=["write (token required)"])


class BuildRequest(BaseModel):
    force: bool = Field(False, description="reload even if the reference pack is unchanged")


class UpdateRequest(BaseModel):
    sources: list[Annotated[str, Field(max_length=60)]] | None = Field(
        None, max_length=30, description="connector names (default: every available one)"
    )


@router.post("/build", summary="Rebuild the warehouse from the reference pack")
def build(request: Request, body: BuildRequest | None = None) -> Response:
    from silkscope.build import build as build_warehouse

    with request.app.state.wh.write() as path:
        report = build_warehouse(path, force=bool(body and body.force))
    return send_json(
        {
            "changed": report.changed,
            "digest": report.digest,
            "row_counts": report.row_counts,
            "db": Path(report.db_path).name,
        }
    )


@router.post("/update", summary="Fetch and ingest sources (from the configured mirror, if any)")
def update(request: Request, body: UpdateRequest | None = None) -> Response:
    from silkscope.build import build as build_warehouse
    from silkscope.ingest import Skipped, available
    from silkscope.ingest import update as run_update

    names = body.sources if body and body.sources else None
    known = available()
    for name in names or []:
        if name not in known:
            raise SilkscopeError(f"sources: unknown connector {name!r}; expected some of: {', '.join(known)}")
    # The mirror is the server's setting, never a path from the request.
    mirror: Path | None = request.app.state.mirror
    with request.app.state.wh.write() as path:
        build_warehouse(path)
        results = run_update(names, db=path, mirror=mirror)
    out = []
    for r in results:
        if isinstance(r, Skipped):
            out.append({"connector": r.connector, "skipped": r.reason})
        else:
            out.append({"connector": r.connector, "changed": r.changed, "rows": r.row_counts, "edition": r.edition})
    return send_json({"results": out})
