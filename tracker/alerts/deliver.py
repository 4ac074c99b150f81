"""Sending the outbox: robot by robot, message by message, within each robot's rate limit.

A robot that fails (an error answer, a refused connection, a timeout) gets one try per run: its
rows wait for their next attempt (base × 2^n, jittered), and the run goes on to the next robot,
so a dead webhook costs one timeout. A "too fast" answer (HTTP 429, 503 with Retry-After, the
vendors' rate error codes) puts the rows back after the wait it names, without counting an attempt.
The rate limit (messages a minute) is counted from the messages the database records as sent,
so runs, processes and schedulers share it; a run waits for it only within `[alerts]
send_budget_seconds` and leaves the rest for the next run. Nothing here raises for a robot's
failure: errors are recorded (with the URL and the secret taken out) and returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from tracker.alerts import outbox
from tracker.alerts.compose import KIND_TITLES, Composed, compose
from tracker.alerts.config import Webhook, webhooks
from tracker.alerts.vendors import MAX_BYTES, alert_bytes, answer, outgoing
from tracker.domain.times import now_utc, to_local_iso
from tracker.settings import Settings
from tracker.storage.db import Database

MAX_ANSWER = 65536   # bytes of a robot's answer read at most


@dataclass
class HookResult:
    hook: Webhook
    queued: int = 0          # new alerts written to the outbox this run
    messages: int = 0        # messages delivered
    delivered: int = 0       # alerts those messages carried
    waiting: int = 0         # alerts left for a later run (rate limit, failure, budget)
    dead: int = 0            # alerts given up this run
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"webhook": self.hook.name, "kind": self.hook.kind, "queued": self.queued, "messages": self.messages,
                "delivered": self.delivered, "waiting": self.waiting, "dead": self.dead, "errors": self.errors}


@dataclass
class Delivery:
    hooks: list[HookResult]

    def counts(self) -> dict[str, Any]:
        """For the job record: totals and each robot's errors."""
        return {"alerts_queued": sum(h.queued for h in self.hooks), "alerts_delivered": sum(h.delivered for h in self.hooks),
                "alert_messages": sum(h.messages for h in self.hooks), "alerts_waiting": sum(h.waiting for h in self.hooks),
                "alerts_dead": sum(h.dead for h in self.hooks),
                "alert_errors": [f"{h.hook.name}: {e}" for h in self.hooks for e in h.errors]}

    @property
    def failed(self) -> bool:
        return any(h.errors for h in self.hooks)


@dataclass(frozen=True)
class Message:
    rows: list[outbox.Queued]     # every row this message settles
    listed: list[outbox.Queued]   # those written out one by one
    note: str                     # the line counting the rest


def plan_messages(hook: Webhook, rows: Sequence[outbox.Queued], max_listed: int) -> list[Message]:
    """Rows packed into messages under the robot's size limit; of each kind the first
    `max_listed` are written out and the rest counted in one line of the kind's last message."""
    limit = MAX_BYTES[hook.kind] - 300   # room for the note and the JSON around the text
    messages: list[Message] = []
    kinds: dict[str, list[outbox.Queued]] = {}
    for row in rows:
        kinds.setdefault(row.kind, []).append(row)
    for kind, of_kind in kinds.items():
        listed, rest = of_kind[:max_listed], of_kind[max_listed:]
        batch: list[outbox.Queued] = []
        size = 0
        for row in listed:
            need = alert_bytes(hook.kind, row.body)
            if batch and size + need > limit:
                messages.append(Message(batch, batch, ""))
                batch, size = [], 0
            batch.append(row)
            size += need
        note = (f"另有 {len(rest)} 条「{KIND_TITLES.get(kind, kind)}」未逐条列出，请在系统中查看"
                "（tracker check / tracker due / tracker report）") if rest else ""
        messages.append(Message(batch + rest, batch, note))
    return messages


class Sender:
    """Posts messages; `post` is replaceable (tests), `sleep` and `clock` too."""

    def __init__(self, settings: Settings, *, client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        section = settings.section("alerts")
        self.section = section
        self.timeout = float(section["timeout_seconds"])
        self._client = client
        self.sleep, self.clock = sleep, clock

    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=httpx.Timeout(self.timeout), follow_redirects=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def post(self, hook: Webhook, alerts: list[dict[str, Any]], message_id: str, note: str = "") -> tuple[bool, bool, float, str]:
        """(delivered, rate limited, wait seconds, error) of one message; never raises."""
        request = outgoing(hook, alerts, message_id=message_id, now=time.time(), note=note)
        started = time.monotonic()
        try:
            with self.client().stream("POST", request.url, content=request.body, headers=request.headers) as response:
                content = b""
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > MAX_ANSWER or time.monotonic() - started > 2 * self.timeout:
                        break   # a robot's answer is small and quick: a dripping one is not waited on
                status, headers = response.status_code, {k.lower(): v for k, v in response.headers.items()}
        except httpx.TimeoutException:
            return False, False, 0.0, f"超时（{self.timeout:g} 秒）"
        except Exception as exc:  # refused, reset, an odd URL: recorded, never raised into the check
            return False, False, 0.0, hook.redact(f"{type(exc).__name__}: {exc}")[:300]
        verdict = answer(hook.kind, status, headers, content[:MAX_ANSWER])
        return verdict.delivered, verdict.rate_limited, verdict.retry_after or 0.0, hook.redact(verdict.error)

    @property
    def lease_seconds(self) -> float:
        """How long a message's rows stay leased: longer than one POST can take (connect, send and
        read each within the timeout, the answer within twice it), so a live sender never loses
        them, and a killed one's come back soon."""
        return 3 * self.timeout + 5


def _rate_wait(db: Database, hook: Webhook) -> float:
    """Seconds until the robot may take one more message (0: now)."""
    if hook.rate_per_minute <= 0:
        return 0.0
    sent = outbox.recent_messages(db, hook.name, 60.0)
    if len(sent) < hook.rate_per_minute:
        return 0.0
    oldest = sent[len(sent) - hook.rate_per_minute]
    return max(0.0, 60.0 - (now_utc() - oldest).total_seconds()) + 0.05


def deliver_hook(db: Database, settings: Settings, hook: Webhook, sender: Sender, deadline: float,
                 result: HookResult) -> None:
    section = settings.section("alerts")
    owner = outbox.new_message_id()
    rows = outbox.queued(db, hook.name)
    messages = plan_messages(hook, rows, int(section["max_listed"]))
    settled = 0
    for message in messages:
        wait = _rate_wait(db, hook)
        if wait > 0 and sender.clock() + wait > deadline:
            break   # the budget is spent: the rest go on the next run
        if wait > 0:
            sender.sleep(wait)
        ids = [row.id for row in message.rows]
        if not outbox.claim(db, hook.name, ids, owner, sender.lease_seconds):
            result.errors.append("另一发送进程正在发送这些告警，本次跳过")
            break
        message_id = outbox.new_message_id()
        delivered, limited, retry_after, error = sender.post(hook, [row.as_alert() for row in message.listed],
                                                             message_id, message.note)
        if delivered:
            outbox.mark_sent(db, ids, owner, message_id)
            result.messages += 1
            result.delivered += len(ids)
            settled += len(ids)
            continue
        if limited:
            outbox.mark_deferred(db, hook.name, ids, owner, min(retry_after, float(section["retry_max_seconds"])), error)
        else:
            result.dead += outbox.mark_failed(db, ids, owner, error, max_attempts=int(section["max_attempts"]),
                                              base=float(section["retry_base_seconds"]),
                                              cap=float(section["retry_max_seconds"]))
        result.errors.append(error)
        break   # one failure per robot and run: the others are not held up
    result.waiting = sum(len(m.rows) for m in messages) - settled - result.dead


def deliver(db: Database, settings: Settings, hooks: Sequence[Webhook], *, sender: Sender | None = None,
            queued: dict[str, int] | None = None) -> Delivery:
    """Send what the outbox holds for each robot now."""
    own = sender is None
    sender = sender or Sender(settings)
    deadline = sender.clock() + float(settings.section("alerts")["send_budget_seconds"])
    results = []
    try:
        for hook in hooks:
            result = HookResult(hook, queued=(queued or {}).get(hook.name, 0))
            deliver_hook(db, settings, hook, sender, deadline, result)
            results.append(result)
    finally:
        if own:
            sender.close()
    return Delivery(results)


def send_alerts(db: Database, settings: Settings, at: datetime | None = None, *, sender: Sender | None = None,
                composed: Composed | None = None) -> Delivery:
    """Make the alerts of `at` (default now), write the new ones to the outbox, send what is due."""
    hooks = webhooks(settings)
    if not hooks:
        return Delivery([])
    composed = composed or compose(db, settings, at or now_utc())
    added = outbox.enqueue(db, hooks, composed)
    return deliver(db, settings, hooks, sender=sender, queued=added)


def send_test(settings: Settings, hook: Webhook, *, sender: Sender | None = None) -> tuple[bool, str]:
    """One test message to `hook`, outside the outbox: (delivered, error)."""
    own = sender is None
    sender = sender or Sender(settings)
    stamp = to_local_iso(now_utc())
    alert = {"key": f"test:{outbox.new_message_id()}", "kind": "test", "account": None, "region": "",
             "body": {"title": "【测试】政务新媒体监测告警通道", "lines": [f"这是一条测试消息（{stamp}），收到即表示本群机器人已接通。"],
                      "data": {}}}
    try:
        delivered, _limited, _wait, error = sender.post(hook, [alert], outbox.new_message_id())
    finally:
        if own:
            sender.close()
    return delivered, error

