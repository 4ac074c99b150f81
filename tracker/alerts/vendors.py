"""Each robot's documented message shape, signature and answer. Pure: no I/O.

- 企业微信 group robot: POST the webhook URL (`…/cgi-bin/webhook/send?key=…`) with
  `{"msgtype": "markdown", "markdown": {"content": …}}`, content at most 4096 bytes; answer
  `{"errcode": 0, "errmsg": "ok"}`, errcode 45009 when over 20 messages a minute.
- 钉钉 custom robot: `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`; with a secret
  (加签) the URL gets `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}"))); answer errcode 0, 130101 when sending too fast.
- 飞书 custom bot: `{"msg_type": "text", "content": {"text": …}}`; with a secret the body gets
  `timestamp` (s, a string) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""));
  answer `{"code": 0}` (older bots: `{"StatusCode": 0}`), code 11232 when rate limited.
- JSON webhook (ours): `{"source": "govmedia-tracker", "message_id", "sent_at", "alerts": [{id,
  kind, account, region, title, lines, data}]}`; with a secret the headers `X-Tracker-Timestamp`
  (s) and `X-Tracker-Signature: sha256=` hex HMAC-SHA256(secret, f"{timestamp}." + body); any 2xx
  is delivered.

The text of the group robots is made safe for where it lands: controls shown as escapes, the
Markdown and mention syntax of each client written as full-width look-alikes (a unit named
`<at user_id="all">` or `[点我](http://…)` reaches the group as text, pinging no one and linking
nowhere), and domains defanged (`example．com`) so that an ad link quoted as evidence is not
clickable in the group.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote_plus

from tracker.alerts.config import Webhook
from tracker.domain.text_out import printable

SOURCE = "govmedia-tracker"
# The most a message may hold, in bytes of its text (企业微信's documented 4096 for markdown
# content; 钉钉 and 飞书 take about 20,000 bytes a request: kept below with room for the JSON around it).
MAX_BYTES = {"wecom": 4096, "dingtalk": 18000, "feishu": 18000, "json": 500_000}
RATE_CODES = {"wecom": {45009}, "dingtalk": {130101}, "feishu": {11232}}
DEFAULT_RETRY_AFTER = 60.0   # a vendor's "too fast" answer names no wait: its limit is per minute

_ACTIVE = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "*": "＊", "`": "｀", "#": "＃",
                         "|": "｜", "~": "～", "@": "＠", "\\": "＼"})
_DOMAIN_DOT = re.compile(r"(?<=[0-9A-Za-z-])\.(?=[A-Za-z]{2,}|[0-9A-Za-z-]+\.[A-Za-z]{2,})")
_SCHEME = re.compile(r"(?i)\b(https?|ftp)://")


def chat_text(value: Any) -> str:
    """One line of a group-robot message as inert text."""
    text = printable(("" if value is None else str(value)).translate(_ACTIVE))   # markup first: the escapes keep their backslash
    return _DOMAIN_DOT.sub("．", _SCHEME.sub(lambda m: m.group(1) + "：//", text))


@dataclass(frozen=True)
class Outgoing:
    url: str
    body: bytes
    headers: dict[str, str]


def _alert_text(kind: str, body: Mapping[str, Any]) -> str:
    title = chat_text(body.get("title", ""))
    lines = [chat_text(line) for line in body.get("lines", ())]
    if kind == "wecom":
        return f"**{title}**\n" + "".join(f"> {line}\n" for line in lines)
    if kind == "dingtalk":
        return f"#### {title}\n" + "".join(f"- {line}\n" for line in lines)
    return title + "\n" + "".join(f"  {line}\n" for line in lines)


def _note_text(kind: str, note: str) -> str:
    note = chat_text(note)
    return f"<font color=\"comment\">{note}</font>\n" if kind == "wecom" else f"{note}\n"


def alert_bytes(kind: str, body: Mapping[str, Any]) -> int:
    """How many bytes this alert takes in a message of `kind` (to pack messages under the limit)."""
    if kind == "json":
        return len(json.dumps(body, ensure_ascii=False).encode()) + 200
    return len(_alert_text(kind, body).encode()) + 1


def message_text(kind: str, bodies: Sequence[Mapping[str, Any]], note: str = "") -> str:
    """The text of one group-robot message: each alert, a blank line between, then `note`."""
    text = "\n".join(_alert_text(kind, body) for body in bodies)
    if note:
        text += "\n" + _note_text(kind, note)
    limit = MAX_BYTES[kind]
    encoded = text.encode()
    if len(encoded) > limit:  # one alert longer than a message: cut, never refused by the robot
        text = encoded[: limit - 4].decode("utf-8", "ignore") + "…"
    return text


def _sign_dingtalk(secret: str, millis: int) -> str:
    digest = hmac.new(secret.encode(), f"{millis}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def _sign_feishu(secret: str, seconds: int) -> str:
    digest = hmac.new(f"{seconds}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _sign_json(secret: str, seconds: int, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), f"{seconds}.".encode() + body, hashlib.sha256).hexdigest()


def outgoing(hook: Webhook, alerts: Sequence[Mapping[str, Any]], *, message_id: str, now: float,
             note: str = "", title: str = "政务新媒体监测告警") -> Outgoing:
    """The request carrying `alerts` (each: key, kind, account, region, body) to `hook` at unix time `now`."""
    seconds, millis = int(now), int(now * 1000)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    url = hook.url
    payload: dict[str, Any]
    bodies = [alert["body"] for alert in alerts]
    if hook.kind == "json":
        payload = {"source": SOURCE, "message_id": message_id, "sent_at": seconds, "note": note or None,
                   "alerts": [{"id": a["key"], "kind": a["kind"], "account": a["account"], "region": a["region"],
                               **a["body"]} for a in alerts]}
        data = json.dumps(payload, ensure_ascii=False).encode()
        if hook.secret:
            headers["X-Tracker-Timestamp"] = str(seconds)
            headers["X-Tracker-Signature"] = _sign_json(hook.secret, seconds, data)
        return Outgoing(url, data, headers)
    text = message_text(hook.kind, bodies, note)
    if hook.kind == "wecom":
        payload = {"msgtype": "markdown", "markdown": {"content": text}}
    elif hook.kind == "dingtalk":
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if hook.secret:
            url += ("&" if "?" in url else "?") + f"timestamp={millis}&sign={_sign_dingtalk(hook.secret, millis)}"
    else:
        payload = {"msg_type": "text", "content": {"text": text}}
        if hook.secret:
            payload = {"timestamp": str(seconds), "sign": _sign_feishu(hook.secret, seconds), **payload}
    return Outgoing(url, json.dumps(payload, ensure_ascii=False).encode(), headers)


@dataclass(frozen=True)
class Answer:
    delivered: bool
    rate_limited: bool = False
    retry_after: float | None = None    # seconds
    error: str = ""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from time import time  # deferred: the rest of this module is pure

    return max(0.0, moment.timestamp() - time())


def answer(kind: str, status: int, headers: Mapping[str, str], content: bytes) -> Answer:
    """What the robot's HTTP answer means: delivered, rate limited (wait and try again) or failed."""
    if status == 429 or (status == 503 and headers.get("retry-after")):
        return Answer(False, True, _retry_after(headers.get("retry-after")) or DEFAULT_RETRY_AFTER, f"HTTP {status}（限流）")
    if not 200 <= status < 300:
        return Answer(False, error=f"HTTP {status}")
    if kind == "json":
        return Answer(True)
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Answer(False, error=f"HTTP {status}，回复不是 JSON")
    if not isinstance(data, dict):
        return Answer(False, error=f"HTTP {status}，回复不是 JSON 对象")
    code = data.get("errcode", data.get("code", data.get("StatusCode")))
    message = str(data.get("errmsg", data.get("msg", data.get("StatusMessage", ""))))[:200]
    if code in (0, "0"):
        return Answer(True)
    if code is None:
        return Answer(False, error=f"HTTP {status}，回复中没有错误码")
    if isinstance(code, int) and code in RATE_CODES.get(kind, ()):
        return Answer(False, True, DEFAULT_RETRY_AFTER, f"错误码 {code}（限流）：{printable(message)}")
    return Answer(False, error=f"错误码 {code}：{printable(message)}")
