"""The robots of `[[alerts.webhooks]]`: checked once, secrets resolved from the config or the
environment, and a way to name each one that never shows a secret.

A webhook's URL is itself a secret for 企业微信 (`?key=`), 钉钉 (`?access_token=`) and 飞书 (the
last path segment): anyone holding it can post to the group. So nothing the tool prints — preview,
errors, `last_error` in the outbox — carries the URL or the secret; `Webhook.shown` is the host
and the name, and `Webhook.redact` removes both from any text (an exception message, a response).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tracker.domain.errors import ConfigError, TrackerError
from tracker.domain.ids import check_region
from tracker.settings import Settings

KINDS = ("wecom", "dingtalk", "feishu", "json")
ALERT_KINDS = ("veto", "due", "case", "feed", "digest")
KIND_NAMES = {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "json": "JSON"}
# Each vendor's documented limit on a custom robot: 企业微信 and 钉钉 20 messages a minute, 飞书 100
# a minute (and 5 a second); a plain JSON webhook has none of its own.
VENDOR_RATE = {"wecom": 20, "dingtalk": 20, "feishu": 100, "json": 0}


@dataclass(frozen=True)
class Webhook:
    name: str
    kind: str
    url: str
    secret: str
    regions: tuple[str, ...]       # subtrees; () = everywhere
    alerts: tuple[str, ...]        # kinds of alert sent; () = all
    rate_per_minute: int           # 0 = unlimited

    @property
    def shown(self) -> str:
        """How the robot is named in output: its name, kind and host — never the URL's key."""
        return f"{self.name}（{KIND_NAMES[self.kind]} {urlsplit(self.url).hostname or ''}）"

    def takes(self, kind: str) -> bool:
        """Whether alerts of `kind` go to this robot at all."""
        return not self.alerts or kind in self.alerts

    def wants(self, kind: str, region: str) -> bool:
        """Whether an alert of `kind` about an account of `region` goes to this robot."""
        if not self.takes(kind):
            return False
        return not self.regions or any(region == r or region.startswith(r + "/") for r in self.regions)

    def redact(self, text: str) -> str:
        """`text` with the URL, its query, its last path segment and the secret taken out."""
        parts = urlsplit(self.url)
        secrets = [self.url, self.secret, parts.query, parts.path.rsplit("/", 1)[-1]]
        for value in sorted((s for s in secrets if s and len(s) >= 6), key=len, reverse=True):
            text = text.replace(value, "***")
        return text


def _env(name: str, where: str) -> str:
    value = os.environ.get(name)
    if value is None or not value.strip():
        raise ConfigError(f"{where}: environment variable {name} is not set")
    return value.strip()


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: url must be an http:// or https:// address with a host")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in url):
        raise ConfigError(f"{where}: url must not hold spaces or control characters")
    return url


def webhook_from(table: dict[str, Any], number: int) -> Webhook | None:
    """One `[[alerts.webhooks]]` table (already type-checked by tracker.settings), or None when
    `enabled = false`."""
    where = f"[[alerts.webhooks]] #{number}"
    kind = table["kind"]
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if bool(table["url"]) == bool(table["url_env"]):
        raise ConfigError(f"{where}: give exactly one of url and url_env")
    url = _check_url(table["url"] or _env(table["url_env"], where), where)
    if table["secret"] and table["secret_env"]:
        raise ConfigError(f"{where}: give at most one of secret and secret_env")
    secret = table["secret"] or (_env(table["secret_env"], where) if table["secret_env"] else "")
    unknown = [k for k in table["alerts"] if k not in ALERT_KINDS]
    if unknown:
        raise ConfigError(f"{where}: alerts must be among {', '.join(ALERT_KINDS)}, got {unknown[0]!r}")
    regions = []
    for region in table["regions"]:
        try:
            regions.append(check_region(region.strip().rstrip("/"), "regions"))
        except TrackerError as exc:
            raise ConfigError(f"{where}: regions: {exc}") from exc
    name = table["name"].strip() or f"{kind}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"
    if len(name) > 64 or any(not (ch.isalnum() or ch in "-_.") for ch in name):
        raise ConfigError(f"{where}: name must be up to 64 letters, digits, '-', '_' or '.', got {name!r}")
    if not table["enabled"]:
        return None
    rate = table["rate_per_minute"] or VENDOR_RATE[kind]
    return Webhook(name, kind, url, secret, tuple(regions), tuple(table["alerts"]), int(rate))


def webhooks(settings: Settings) -> list[Webhook]:
    """The enabled robots of the config, in its order; two of one name are refused."""
    found: list[Webhook] = []
    for number, table in enumerate(settings.section("alerts")["webhooks"], 1):
        hook = webhook_from(table, number)
        if hook is None:
            continue
        if any(other.name == hook.name for other in found):
            raise ConfigError(f"[[alerts.webhooks]] #{number}: a second webhook named {hook.name!r}; give each a name")
        found.append(hook)
    return found


def find_webhook(settings: Settings, wanted: str) -> Webhook:
    """The robot named `wanted`, or the `wanted`-th of the config (1-based)."""
    hooks = webhooks(settings)
    for hook in hooks:
        if hook.name == wanted:
            return hook
    if wanted.isdigit() and 1 <= int(wanted) <= len(hooks):
        return hooks[int(wanted) - 1]
    names = ", ".join(h.name for h in hooks) or "none configured in [[alerts.webhooks]]"
    raise TrackerError(f"no webhook named {wanted!r} (webhooks: {names})")


def warn_days(settings: Settings) -> list[int]:
    """`[alerts] warn_days`, largest first; each from 0 to 36500."""
    days = settings.section("alerts")["warn_days"]
    for day in days:
        if not 0 <= day <= 36500:
            raise ConfigError(f"[alerts] warn_days: each must be from 0 to 36500, got {day}")
    return sorted(set(days), reverse=True)
