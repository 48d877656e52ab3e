"""Download publisher files into a checksummed cache (or take them from an offline mirror folder)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import platformdirs

from silkscope.errors import SilkscopeError

CACHE_ENV = "SILKSCOPE_CACHE"
CHUNK = 1 << 20
# Progress callback: (file name, bytes done, bytes total or None)
ByteProgress = Callable[[str, int, int | None], None]


class FetchError(SilkscopeError):
    """A download failed for good; nothing was left in the cache."""


class MissingFromMirror(FetchError):
    """The file is not in the mirror folder at all. Only this may be skipped by a connector that accepts a partial
    mirror: an analyst carries in the files they need."""


class ContentError(FetchError):
    """The file is there but is not what it should be (an HTML error page, an empty file, a folder, unreadable):
    never skipped, because skipping it would delete that file's earlier rows on ingest."""


@dataclass(frozen=True)
class RemoteFile:
    """One file a connector needs: where the publisher serves it and what it must look like."""

    url: str
    name: str  # file name in the cache and in a mirror folder
    params: dict[str, str] = field(default_factory=dict)  # query string for API endpoints
    # first bytes must contain one of these (b"" = no check): catches HTML error pages served with status 200
    expect: tuple[bytes, ...] = ()
    mirror_subdir: str = ""  # where the file sits in a mirror laid out like ../shared/data

    @property
    def full_url(self) -> str:
        return f"{self.url}?{urlencode(self.params)}" if self.params else self.url


@dataclass(frozen=True)
class FetchedFile:
    remote: RemoteFile
    path: Path
    sha256: str
    size: int
    retrieved_at: datetime
    origin: str  # 'download', 'cache' or 'mirror:<dir>'

    def manifest(self) -> dict:
        data = asdict(self)
        data["path"] = str(self.path)
        data["retrieved_at"] = self.retrieved_at.isoformat()
        data["remote"] = {"url": self.remote.full_url, "name": self.remote.name}
        return data


def default_cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir("silkscope", appauthor=False))


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _check_content(remote: RemoteFile, path: Path, shown_as: str | None = None) -> None:
    """The first bytes hold one of `remote.expect`; else ContentError naming `shown_as` (default: the URL)."""
    if not remote.expect:
        return
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not any(marker in head for marker in remote.expect):
        shown = head[:80].decode("utf-8", "replace")
        what = f"{shown_as}:1: the file" if shown_as else f"{remote.full_url}: the response"
        raise ContentError(
            f"{what} does not look like the expected file "
            f"(expected one of {[m.decode('utf-8', 'replace') for m in remote.expect]} in the first bytes, "
            f"found {shown!r}); nothing was cached"
        )


def _store(
    remote: RemoteFile, source: Path, cache_dir: Path, origin: str, *, move: bool, shown_as: str | None = None
) -> FetchedFile:
    """Put a complete, checked file in cache/<url key>/<sha256>/<name> and point the URL's manifest at it."""
    _check_content(remote, source, shown_as)
    sha = _sha256(source)
    folder = cache_dir / _url_key(remote.full_url) / sha
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / remote.name
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".tmp")
        if move:
            shutil.move(str(source), tmp)
        else:
            shutil.copyfile(source, tmp)
        tmp.replace(target)  # atomic: a crash never leaves a half file under the final name
    elif move:
        source.unlink(missing_ok=True)
    fetched = FetchedFile(remote, target, sha, target.stat().st_size, datetime.now(UTC), origin)
    manifest = cache_dir / _url_key(remote.full_url) / "manifest.json"
    # Written beside and renamed over: a crash mid-write never leaves a truncated manifest under the final name.
    # The temporary name is per process, so two fetches of the same URL cannot interleave their bytes.
    tmp = manifest.with_name(f"manifest.json.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(fetched.manifest(), indent=2))
        tmp.replace(manifest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return fetched


def cached(remote: RemoteFile, cache_dir: Path | None = None) -> FetchedFile | None:
    """The last file fetched for this URL, if its bytes still match the recorded checksum."""
    manifest = (cache_dir or default_cache_dir()) / _url_key(remote.full_url) / "manifest.json"
    if not manifest.is_file():
        return None
    # A manifest that is truncated, not JSON or missing a field (an older crash, a hand edit) is a cache miss: the
    # file is fetched again, which rewrites it.
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        path = Path(data["path"])
        sha, size, retrieved_at = str(data["sha256"]), int(data["size"]), datetime.fromisoformat(data["retrieved_at"])
        if not path.is_file() or _sha256(path) != sha:
            return None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    return FetchedFile(remote, path, sha, size, retrieved_at, "cache")


def from_mirror(remote: RemoteFile, mirror: Path, cache_dir: Path | None = None) -> FetchedFile:
    """Take the file from a folder an air-gapped analyst carried in: <mirror>/<subdir>/<name> or anywhere below."""
    if not mirror.is_dir():
        raise ContentError(f"{mirror}: the mirror folder {'is not a folder' if mirror.exists() else 'does not exist'}")
    candidates = [mirror / remote.mirror_subdir / remote.name, mirror / remote.name]
    present = [c for c in candidates if c.exists() or c.is_symlink()] or sorted(mirror.rglob(remote.name))
    if not present:
        raise MissingFromMirror(
            f"{remote.name} is not in the mirror folder {mirror} (looked in {mirror / remote.mirror_subdir} and below)"
        )
    # Something by that name is there: from here on every failure is an error naming it, never "absent".
    found = next((p for p in present if p.is_file()), present[0])
    if not found.is_file():
        kind = "a folder" if found.is_dir() else "not a regular file (a broken link, a device?)"
        raise ContentError(f"{found}: expected the file {remote.name}, found {kind}; nothing was cached")
    try:
        return _store(
            remote, found, cache_dir or default_cache_dir(), f"mirror:{mirror}", move=False, shown_as=str(found)
        )
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename and str(exc.filename) != str(found) else ""
        raise ContentError(f"{found}: the file could not be taken in ({where}{exc.strerror or exc})") from exc


def download(
    remote: RemoteFile,
    cache_dir: Path | None = None,
    *,
    client: httpx.Client | None = None,
    retries: int = 4,
    backoff: float = 0.5,
    timeout: float = 60.0,
    progress: ByteProgress | None = None,
) -> FetchedFile:
    """Stream the file to a .part file, resuming with Range after a dropped connection; retry 5xx with backoff.

    A body shorter than its Content-Length, a 4xx, or content that fails the `expect` check ends in FetchError and
    leaves no partial file behind.
    """
    cache_dir = cache_dir or default_cache_dir()
    staging = cache_dir / _url_key(remote.full_url)
    staging.mkdir(parents=True, exist_ok=True)
    part = staging / (remote.name + ".part")
    part.unlink(missing_ok=True)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    last_error = "no attempt made"
    try:
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(backoff * 2 ** (attempt - 1))
            try:
                if _attempt(http, remote, part, progress):
                    return _store(remote, part, cache_dir, "download", move=True)
                last_error = "the connection closed before the whole body arrived"
            except _Permanent as exc:
                last_error = str(exc)
                break
            except (httpx.TransportError, _Retryable) as exc:
                last_error = str(exc) or type(exc).__name__
        raise FetchError(
            f"could not download {remote.full_url} after {attempt + 1} attempt(s): {last_error}; nothing was cached"
        )
    except FetchError:
        part.unlink(missing_ok=True)
        raise
    finally:
        if own_client:
            http.close()


class _Retryable(Exception):
    pass


class _Permanent(Exception):
    pass


def _attempt(http: httpx.Client, remote: RemoteFile, part: Path, progress: ByteProgress | None) -> bool:
    """One request; True when the .part file holds the whole body. Resumes from the bytes already on disk."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    with http.stream("GET", remote.url, params=remote.params or None, headers=headers) as response:
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retryable(f"HTTP {response.status_code} from {remote.full_url}")
        if response.status_code >= 400:
            raise _Permanent(f"HTTP {response.status_code} from {remote.full_url}")
        if have and response.status_code != 206:  # server ignored Range: start again from zero
            have = 0
        length = response.headers.get("content-length")
        total = have + int(length) if length is not None else None
        done = have
        with part.open("ab" if have else "wb") as fh:
            try:
                for block in response.iter_bytes():  # as received, so a drop keeps what came
                    fh.write(block)
                    done += len(block)
                    if progress:
                        progress(remote.name, done, total)
            except httpx.TransportError:
                return False
    return total is None or done >= total


def fetch(
    remote: RemoteFile,
    *,
    cache_dir: Path | None = None,
    mirror: Path | None = None,
    refresh: bool = False,
    client: httpx.Client | None = None,
    progress: ByteProgress | None = None,
) -> FetchedFile:
    """Mirror if given, else the cache unless `refresh`, else the publisher."""
    if mirror is not None:
        return from_mirror(remote, Path(mirror), cache_dir)
    if not refresh:
        hit = cached(remote, cache_dir)
        if hit is not None:
            return hit
    return download(remote, cache_dir, client=client, progress=progress)
