"""Downloads against a real local HTTP server: retries, resume, truncation, wrong content, mirror, cache."""

from __future__ import annotations

import httpx
import pytest

from silkscope.fetch import FetchError, RemoteFile, cached, download, fetch, from_mirror

CSV = b"date,donor,recipient,sum_amount_usd_constant,count\n2005,JPN,UZB,26872456,51\n" * 200


def _no_partials(cache):
    return [p for p in cache.rglob("*") if p.name.endswith((".part", ".tmp"))]


def test_download_records_checksum_and_caches(http_server, tmp_path):
    url = http_server.add("/flows.csv", CSV)
    remote = RemoteFile(url, "flows.csv", expect=(b"date,donor",))
    got = download(remote, tmp_path)
    assert got.path.read_bytes() == CSV and got.size == len(CSV) and got.origin == "download"
    assert got.sha256 in str(got.path)  # cache keyed by URL and checksum
    again = fetch(remote, cache_dir=tmp_path)
    assert again.origin == "cache" and again.sha256 == got.sha256
    assert http_server.routes["/flows.csv"].hits == 1


def test_retries_server_errors_with_backoff(http_server, tmp_path):
    url = http_server.add("/flaky.csv", CSV, fail_first=2)
    got = download(RemoteFile(url, "flaky.csv"), tmp_path, backoff=0.01)
    assert got.path.read_bytes() == CSV
    assert http_server.routes["/flaky.csv"].hits == 3


def test_persistent_500_is_a_clear_error_and_leaves_nothing(http_server, tmp_path):
    url = http_server.add("/down.csv", CSV, fail_first=99)
    with pytest.raises(FetchError, match=r"HTTP 500 .*nothing was cached"):
        download(RemoteFile(url, "down.csv"), tmp_path, retries=2, backoff=0.01)
    assert cached(RemoteFile(url, "down.csv"), tmp_path) is None
    assert _no_partials(tmp_path) == []


def test_truncated_body_is_an_error_and_leaves_nothing(http_server, tmp_path):
    url = http_server.add("/short.csv", CSV, truncate_to=100)
    with pytest.raises(FetchError, match="closed before the whole body arrived"):
        download(RemoteFile(url, "short.csv"), tmp_path, retries=1, backoff=0.01)
    assert _no_partials(tmp_path) == [] and cached(RemoteFile(url, "short.csv"), tmp_path) is None


def test_wrong_content_is_refused(http_server, tmp_path):
    url = http_server.add("/page.csv", b"<!DOCTYPE html><html>Service unavailable</html>")
    with pytest.raises(FetchError, match="does not look like the expected file"):
        download(RemoteFile(url, "page.csv", expect=(b"date,donor",)), tmp_path)
    assert _no_partials(tmp_path) == [] and cached(RemoteFile(url, "page.csv"), tmp_path) is None


def test_404_is_not_retried(http_server, tmp_path):
    remote = RemoteFile(http_server.base_url + "/missing.csv", "missing.csv")
    with pytest.raises(FetchError, match="HTTP 404"):
        download(remote, tmp_path, retries=3, backoff=0.01)
    assert http_server.requests.count("/missing.csv") == 1


def test_resume_after_a_dropped_connection(http_server, tmp_path):
    """The first response drops after 1000 bytes; the retry asks for the rest with a Range header."""
    route_url = http_server.add("/big.csv", CSV)
    route = http_server.routes["/big.csv"]
    route.truncate_to = 1000
    calls = {"n": 0}

    class OnceTruncated(httpx.BaseTransport):
        def __init__(self):
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request):
            calls["n"] += 1
            if calls["n"] == 2:
                route.truncate_to = None
            return self.inner.handle_request(request)

    with httpx.Client(transport=OnceTruncated()) as client:
        got = download(RemoteFile(route_url, "big.csv"), tmp_path, client=client, backoff=0.01)
    assert got.path.read_bytes() == CSV
    assert calls["n"] == 2
    assert http_server.ranges == [None, "bytes=1000-"]  # the second request resumed, not restarted


def test_query_parameters_for_api_endpoints(http_server, tmp_path):
    url = http_server.add("/api", b'{"ok": true}')
    got = download(RemoteFile(url, "api.json", params={"format": "json", "page": "2"}), tmp_path)
    assert got.remote.full_url.endswith("?format=json&page=2")
    assert http_server.requests == ["/api?format=json&page=2"]


def test_mirror_folder(tmp_path):
    mirror = tmp_path / "mirror" / "aiddata"
    mirror.mkdir(parents=True)
    (mirror / "flows.csv").write_bytes(CSV)
    remote = RemoteFile("https://example.invalid/flows.csv", "flows.csv", mirror_subdir="aiddata")
    got = from_mirror(remote, tmp_path / "mirror", tmp_path / "cache")
    assert got.origin.startswith("mirror:") and got.path.read_bytes() == CSV
    with pytest.raises(FetchError, match="not in the mirror folder"):
        from_mirror(RemoteFile("https://example.invalid/x.csv", "x.csv"), tmp_path / "mirror", tmp_path / "cache")
