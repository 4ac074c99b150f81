"""An in-process feed server on 127.0.0.1 (random port) that serves the demo's feed bodies,
with ETags so a second poll sees `not modified` like a real RSSHub behind a cache."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        response = self.server.routes.get(self.path) or Response(404, "text/plain", b"not found")
        if response.status == 200 and self.headers.get("If-None-Match") == response.etag:
            self.send_response(304)
            self.send_header("ETag", response.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        if response.status == 200:
            self.send_header("ETag", response.etag)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # many probes connect at once: a short backlog drops connections
    routes: dict[str, Response]


class FeedServer:
    """`with FeedServer(routes) as server:` serves `routes` (path with query → Response)."""

    def __init__(self, routes: dict[str, Response] | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.routes = routes if routes is not None else {}
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-feeds", daemon=True)

    @property
    def routes(self) -> dict[str, Response]:
        return self._server.routes

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # an AF_INET server's address is (host, port)
        return f"http://{host}:{port}"

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
