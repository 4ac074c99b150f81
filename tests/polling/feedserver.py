"""A loopback HTTP server for tests and benchmarks: good feeds and hostile ones.

`FeedServer()` listens on 127.0.0.1 on a random port in a background thread; add routes with
`server.add(path, Route(...))` and read `server.url(path)`. A route can answer with a body
(with ETag/Last-Modified and 304 on a matching conditional GET), drip its body slowly, never
answer, stream a huge body, send a gzip bomb or redirect forever, or answer its first requests
429 Too Many Requests (with the route's headers, e.g. Retry-After). `server.hits[path]` counts
requests and `server.times` lists (monotonic time, path) of every request, for rate checks.
In a test module, `from tests.polling.feedserver import feed_server` gives the fixture;
elsewhere:

    with FeedServer() as server:
        url = server.add("/a.xml", Route(body=rss_bytes))
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

LAST_MODIFIED = "Mon, 23 Nov 2026 08:00:00 GMT"


@dataclass
class Route:
    """How one path answers. `kind`: body | slow | drip | hang | huge | bomb | redirect_loop."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    kind: str = "body"
    validators: bool = True          # send ETag and Last-Modified, answer 304 when they match
    gzip: bool = False               # compress the body (Content-Encoding: gzip)
    size: int = 0                    # for huge (bytes sent) and bomb (bytes after decompression)
    delay: float = 0.0               # slow: seconds before answering like `body`
    content_length: bool = True      # huge: announce the size, or stream without a length
    headers: dict[str, str] = field(default_factory=dict)
    busy_first: int = 0              # the first this many requests answer 429 with `headers`

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped (about a thousandth of the size)."""
    if size <= 1 << 24:
        return gzip.compress(b"\0" * size, compresslevel=9)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 24)
    parts = [compressor.compress(block) for _ in range(size >> 24)]
    parts.append(compressor.flush())
    return b"".join(parts)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path
        with self.server.lock:
            self.server.hits[path] += 1
            self.server.times.append((time.monotonic(), path))
            route = self.server.routes.get(path)
            hit = self.server.hits[path]
        if route is None:
            return self._send(404, "text/plain", b"not found")
        if hit <= route.busy_first:
            return self._send(429, "text/plain", b"too many requests", route.headers)
        try:
            getattr(self, "_" + route.kind)(route)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: that is the point
            self.close_connection = True

    def _send(self, status: int, content_type: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _body(self, route: Route) -> None:
        extra = dict(route.headers)
        if route.validators and route.status == 200:
            extra["ETag"] = route.etag
            extra["Last-Modified"] = LAST_MODIFIED
            if self.headers.get("If-None-Match") == route.etag or (
                    self.headers.get("If-None-Match") is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            extra["Content-Encoding"] = "gzip"
        self._send(route.status, route.content_type, body, extra)

    def _slow(self, route: Route) -> None:
        host = self.headers.get("Host", "")
        with self.server.lock:
            self.server.in_flight[host] += 1
            self.server.max_in_flight[host] = max(self.server.max_in_flight[host], self.server.in_flight[host])
        try:
            time.sleep(route.delay)
        finally:
            with self.server.lock:
                self.server.in_flight[host] -= 1
        self._body(route)

    def _drip(self, route: Route) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        for index in range(len(route.body)):
            self.wfile.write(route.body[index:index + 1])
            self.wfile.flush()
            time.sleep(1.0)

    def _hang(self, route: Route) -> None:
        self.server.stopping.wait(60)
        self.close_connection = True

    def _huge(self, route: Route) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        if route.content_length:
            self.send_header("Content-Length", str(route.size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        block = b"<item>" + b"x" * 65530
        sent = 0
        while sent < route.size and not self.server.stopping.is_set():
            self.wfile.write(block[: route.size - sent])
            sent += len(block)

    def _bomb(self, route: Route) -> None:
        body = self.server.bombs[route.size]
        self._send(200, route.content_type, body, {"Content-Encoding": "gzip"})

    def _redirect_loop(self, route: Route) -> None:
        self.send_response(302)
        self.send_header("Location", self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # clients hang up on purpose
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class FeedServer:
    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self._server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
        self._server.routes = {}
        self._server.hits = Counter()
        self._server.times = []
        self._server.in_flight = Counter()
        self._server.max_in_flight = Counter()  # by Host header, for slow routes
        self._server.lock = threading.Lock()
        self._server.stopping = threading.Event()
        self._server.bombs = {}
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="feedserver", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def hits(self) -> Counter:
        return self._server.hits

    @property
    def times(self) -> list[tuple[float, str]]:
        return self._server.times

    @property
    def max_in_flight(self) -> Counter:
        return self._server.max_in_flight

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, route: Route) -> str:
        if route.kind == "bomb" and route.size not in self._server.bombs:
            self._server.bombs[route.size] = gzip_bomb(route.size)  # before any client waits for it
        with self._server.lock:
            self._server.routes[path] = route
        return self.url(path)

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
