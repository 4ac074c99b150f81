"""A loopback stand-in for the four kinds of robot, written from each vendor's documentation
(not from tracker.alerts.vendors): it checks the payload's shape and the signature as the
vendor does, answers as the vendor answers, fails on demand, and counts what it accepted.

- 企业微信 `POST /cgi-bin/webhook/send?key=K`: `{"msgtype": "markdown", "markdown": {"content"}}`,
  content ≤ 4096 bytes; answers `{"errcode": 0, "errmsg": "ok"}`, 45009 when rate limited.
- 钉钉 `POST /robot/send?access_token=T[&timestamp=ms&sign=S]`: S = base64(HMAC-SHA256(key=secret,
  msg="{timestamp}\\n{secret}")), URL-encoded, timestamp within an hour; answers errcode 0,
  310000 for a bad signature, 130101 when sending too fast.
- 飞书 `POST /open-apis/bot/v2/hook/TOKEN`: body `timestamp` (s) and `sign` = base64(HMAC-SHA256(
  key="{timestamp}\\n{secret}", msg="")), within an hour; answers `{"code": 0}`, 19021 for a bad
  signature, 11232 when rate limited.
- JSON `POST /json`: `X-Tracker-Signature: sha256=hex(HMAC-SHA256(secret, "{ts}." + body))`.

`plan` is a list of actions, one taken per request (then "ok"): "ok", "500", "hang:S" (answer
after S seconds), "429:S" (Retry-After S), "rate" (the vendor's rate-limit code).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

RATE = {"wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
        "dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
        "feishu": {"code": 11232, "msg": "frequency limited"}}
OK = {"wecom": {"errcode": 0, "errmsg": "ok"}, "dingtalk": {"errcode": 0, "errmsg": "ok"},
      "feishu": {"code": 0, "msg": "success", "data": {}}}


@dataclass
class Delivery:
    kind: str
    payload: dict[str, Any]
    text: str                    # the message text (json: the alert ids, one per line)
    ids: list[str]               # json: the alert ids carried
    at: float


@dataclass
class Receiver:
    secrets: dict[str, str] = field(default_factory=dict)   # kind → secret ("" = none expected)
    plan: list[str] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    requests: int = 0
    refused: list[str] = field(default_factory=list)         # why requests were refused (shape, signature)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                receiver._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, kind: str) -> str:
        return {"wecom": f"{self.base}/cgi-bin/webhook/send?key=wecomKEY0123456789",
                "dingtalk": f"{self.base}/robot/send?access_token=dingTOKEN0123456789",
                "feishu": f"{self.base}/open-apis/bot/v2/hook/feishuTOKEN-0123456789",
                "json": f"{self.base}/json"}[kind]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- one request -------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        with self._lock:
            self.requests += 1
            action = self.plan.pop(0) if self.plan else "ok"
        parts = urlsplit(handler.path)
        kind = {"/cgi-bin/webhook/send": "wecom", "/robot/send": "dingtalk", "/json": "json"}.get(
            parts.path, "feishu" if parts.path.startswith("/open-apis/bot/v2/hook/") else "")
        if action.startswith("hang:"):
            time.sleep(float(action.split(":", 1)[1]))
            action = "ok"
        if action == "500":
            return self._answer(handler, 500, {"error": "internal"})
        if action.startswith("429:"):
            return self._answer(handler, 429, {"errcode": 429}, {"Retry-After": action.split(":", 1)[1]})
        if action == "rate" and kind in RATE:
            return self._answer(handler, 200, RATE[kind])
        try:
            payload = json.loads(raw.decode("utf-8"))
        except ValueError:
            return self._refuse(handler, kind, "body is not JSON")
        problem = self._check(kind, parts.query, handler.headers, raw, payload)
        if problem:
            return self._refuse(handler, kind, problem)
        text, ids = self._text(kind, payload)
        with self._lock:
            self.deliveries.append(Delivery(kind, payload, text, ids, time.time()))
        if kind == "json":
            return self._answer(handler, 204, None)
        return self._answer(handler, 200, OK[kind])

    def _check(self, kind: str, query: str, headers: Any, raw: bytes, payload: dict[str, Any]) -> str | None:
        secret = self.secrets.get(kind, "")
        now = time.time()
        if kind == "wecom":
            content = payload.get("markdown", {}).get("content")
            if payload.get("msgtype") != "markdown" or not isinstance(content, str):
                return "wecom: not a markdown message"
            if len(content.encode("utf-8")) > 4096:
                return "wecom: content over 4096 bytes"
            return None
        if kind == "dingtalk":
            body = payload.get("markdown", {})
            if payload.get("msgtype") != "markdown" or not body.get("title") or not isinstance(body.get("text"), str):
                return "dingtalk: not a markdown message with title and text"
            if secret:
                args = parse_qs(query)
                stamp, sign = args.get("timestamp", [""])[0], args.get("sign", [""])[0]
                expected = base64.b64encode(hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()).decode()
                if not stamp.isdigit() or abs(now * 1000 - int(stamp)) > 3600_000 or sign != expected:
                    return "dingtalk: sign not match"
            return None
        if kind == "feishu":
            if payload.get("msg_type") != "text" or not isinstance(payload.get("content", {}).get("text"), str):
                return "feishu: not a text message"
            if secret:
                stamp, sign = str(payload.get("timestamp", "")), payload.get("sign", "")
                expected = base64.b64encode(hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
                if not stamp.isdigit() or abs(now - int(stamp)) > 3600 or sign != expected:
                    return "feishu: sign match fail"
            return None
        if kind == "json":
            if payload.get("source") != "govmedia-tracker" or not isinstance(payload.get("alerts"), list):
                return "json: not a tracker payload"
            if secret:
                stamp = headers.get("X-Tracker-Timestamp", "")
                expected = "sha256=" + hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
                if headers.get("X-Tracker-Signature") != expected:
                    return "json: bad signature"
            return None
        return "unknown path"

    @staticmethod
    def _text(kind: str, payload: dict[str, Any]) -> tuple[str, list[str]]:
        if kind == "wecom":
            return payload["markdown"]["content"], []
        if kind == "dingtalk":
            return payload["markdown"]["text"], []
        if kind == "feishu":
            return payload["content"]["text"], []
        ids = [alert["id"] for alert in payload["alerts"]]
        return "\n".join(ids), ids

    def _refuse(self, handler: BaseHTTPRequestHandler, kind: str, problem: str) -> None:
        with self._lock:
            self.refused.append(problem)
        bodies = {"dingtalk": {"errcode": 310000, "errmsg": problem}, "feishu": {"code": 19021, "msg": problem},
                  "wecom": {"errcode": 40008, "errmsg": problem}}
        if kind in bodies:
            return self._answer(handler, 200, bodies[kind])
        return self._answer(handler, 400, {"error": problem})

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        try:
            handler.send_response(status)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            pass   # the sender went away (killed, timed out)

    def ids(self) -> list[str]:
        """Every alert id the JSON robot accepted, in order (repeats kept)."""
        return [i for d in self.deliveries for i in d.ids]
