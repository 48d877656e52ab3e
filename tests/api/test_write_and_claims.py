"""Write endpoints need a configured bearer token; the claim checker degrades to 503; uploads are size-limited."""

from __future__ import annotations

import shutil
import types

import pytest
from fastapi.testclient import TestClient

from silkscope.server import create_app
from silkscope.serving import checking


@pytest.fixture
def own_db(built_db, tmp_path):
    path = tmp_path / "w.duckdb"
    shutil.copy(built_db, path)
    return path


def test_write_endpoints_off_without_a_token(own_db, monkeypatch):
    monkeypatch.delenv("SILKSCOPE_API_TOKEN", raising=False)
    with TestClient(create_app(own_db)) as c:
        response = c.post("/api/admin/build", headers={"Authorization": "Bearer anything"})
        assert response.status_code == 403 and "no API token" in response.json()["error"]["message"]


def test_write_endpoints_need_the_right_token(own_db):
    with TestClient(create_app(own_db, token="s3cret")) as c:
        assert "/api/admin/build" in c.get("/openapi.json").json()["paths"]
        missing = c.post("/api/admin/build")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert c.post("/api/admin/build", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = c.post("/api/admin/build", json={"force": True}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["changed"] is True
        # Reads still work after a rebuild (the shared connection was released and reopened).
        assert c.get("/api/compare", params={"indicator": "leader_visits"}).status_code == 200
        bad = c.post(
            "/api/admin/update", json={"sources": ["no_such_connector"]}, headers={"Authorization": "Bearer s3cret"}
        )
        assert bad.status_code == 422 and "unknown connector" in bad.json()["error"]["message"]


def test_token_from_environment(own_db, monkeypatch):
    monkeypatch.setenv("SILKSCOPE_API_TOKEN", "from-env")
    with TestClient(create_app(own_db)) as c:
        assert c.post("/api/admin/build", headers={"Authorization": "Bearer from-env"}).status_code == 200


def test_claims_503_when_checker_missing(client, monkeypatch):
    def missing():
        raise checking.ClaimsUnavailableError("test")

    monkeypatch.setattr(checking, "module", missing)
    response = client.post("/api/claims/check", json={"text": "Japan's ODA rose in 2003."})
    assert response.status_code == 503 and "claim checker not installed" in response.json()["error"]["message"]
    files = {"file": ("a.txt", b"Japan's ODA rose in 2003.", "text/plain")}
    assert client.post("/api/claims/check-file", files=files).status_code == 503
    assert client.get("/api").json()["claim_checker"] is False


def test_claims_import_failure_is_503(client, monkeypatch):
    """The real lazy import path: a missing package is 'not installed', never a 500."""
    import sys

    monkeypatch.setitem(sys.modules, "silkscope.claims", None)  # makes `import silkscope.claims` raise ImportError
    response = client.post("/api/claims/check", json={"text": "Japan's ODA rose in 2003."})
    assert response.status_code == 503


def _fake_checker(monkeypatch):
    seen = {}

    class Report:
        def __init__(self, text):
            self.text = text

        def to_dict(self):
            return {"claims": [{"text": self.text[:5], "start": 0, "end": 5, "verdict": "supported", "evidence": []}]}

    def check_text(text, db=None, con=None):
        seen["con"] = con
        return Report(text)

    monkeypatch.setattr(checking, "module", lambda: types.SimpleNamespace(check_text=check_text))
    return seen


def test_claims_contract_passed_through(client, monkeypatch):
    seen = _fake_checker(monkeypatch)
    body = client.post("/api/claims/check", json={"text": "Japan visited twice."}).json()
    assert body["claims"][0]["verdict"] == "supported" and seen["con"] is not None
    files = {"file": ("article.html", b"<html><script>x()</script><p>Japan visited</p></html>", "text/html")}
    assert client.post("/api/claims/check-file", files=files).json()["claims"][0]["text"] == "\n\nJap"


def test_claims_bad_input(client, monkeypatch):
    _fake_checker(monkeypatch)
    assert client.post("/api/claims/check", json={"text": ""}).status_code == 422
    assert client.post("/api/claims/check", json={}).status_code == 422
    assert (
        client.post("/api/claims/check", content=b"not json", headers={"content-type": "application/json"}).status_code
        == 422
    )
    files = {"file": ("virus.exe", b"MZ", "application/octet-stream")}
    assert "expected one of" in client.post("/api/claims/check-file", files=files).json()["error"]["message"]
    files = {"file": ("latin.txt", "café".encode("latin-1"), "text/plain")}
    assert "UTF-8" in client.post("/api/claims/check-file", files=files).json()["error"]["message"]


def test_upload_and_text_size_limits(api_db, monkeypatch):
    _fake_checker(monkeypatch)
    with TestClient(create_app(api_db, max_upload_bytes=1000, max_text_chars=50)) as c:
        files = {"file": ("big.txt", b"x" * 5000, "text/plain")}
        response = c.post("/api/claims/check-file", files=files)
        assert response.status_code == 413 and "limit" in response.json()["error"]["message"]
        assert c.post("/api/claims/check", json={"text": "y" * 60}).status_code == 413
        # A file is limited by its bytes (the text limit is for pasted text).
        assert c.post("/api/claims/check-file", files={"file": ("ok.txt", b"x" * 900, "text/plain")}).status_code == 200


def test_missing_warehouse_is_503_not_500(tmp_path):
    with TestClient(create_app(tmp_path / "absent.duckdb")) as c:
        response = c.get("/api/compare")
        assert response.status_code == 503 and "silkscope build" in response.json()["error"]["message"]
        assert c.get("/api/health").json()["warehouse_exists"] is False
