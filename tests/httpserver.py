"""A real HTTP server on 127.0.0.1 for connector tests: serves canned responses, can fail on purpose."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "application/octet-stream"
    fail_first: int = 0  # answer 500 this many times before succeeding
    truncate_to: int | None = None  # send only this many bytes of the body (Content-Length stays full)
    honour_range: bool = True
    hits: int = 0


@dataclass
class Server:
    base_url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    ranges: list[str | None] = field(default_factory=list)  # the Range header of each request

    def add(self, path: str, body: bytes | str, **kwargs) -> str:
        """Serve `body` at `path` (path may include a query string to match exactly); return the full URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, **kwargs)
        return self.base_url + path.split("?")[0]


def _handler(server: Server):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

        def do_GET(self):
            server.requests.append(self.path)
            server.ranges.append(self.headers.get("Range"))
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            key = self.path if self.path in server.routes else parsed.path
            route = server.routes.get(key)
            if route is None:
                self.send_error(404, f"no route for {self.path} (query {query})")
                return
            route.hits += 1
            if route.hits <= route.fail_first:
                self.send_error(500, "planned failure")
                return
            if route.status != 200:
                self.send_error(route.status)
                return
            body, start = route.body, 0
            range_header = self.headers.get("Range")
            if range_header and route.honour_range and route.truncate_to is None:
                start = int(range_header.split("=")[1].split("-")[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            payload = body[start:]
            if route.truncate_to is not None:
                payload = payload[: route.truncate_to]
            with contextlib.suppress(BrokenPipeError):
                self.wfile.write(payload)
            if route.truncate_to is not None:
                self.close_connection = True

    return Handler


def start() -> tuple[Server, ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), None)  # type: ignore[arg-type]
    server = Server(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(server)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return server, httpd
