"""Post-level signals, computed once when a post is stored and kept in the `sig_*` columns of
table `post`, so that `check` answers with set-based queries instead of reading every text.

`signals_version` names the algorithm, the ad-domain list, the lexicons and the stop phrases;
`tracker.judging.signals.refresh_signals` recomputes only posts whose version differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from tracker.domain.models import Post
from tracker.rules import domains as ad_domains
from tracker.rules.idcard import privacy_matches
from tracker.rules.lexicon import Lexicon, load_lexicon, read_lexicon
from tracker.rules.text import normalize
from tracker.settings import Settings
from tracker.domain.times import local_date

ALGORITHM = "sig3"


@dataclass(frozen=True)
class SignalConfig:
    domains: frozenset[str]
    lexicon: Lexicon
    stop_phrases: tuple[str, ...]
    version: str


_CACHE: dict[str, SignalConfig] = {}


def signal_config(settings: Settings) -> SignalConfig:
    """The lists the signals depend on, read from the config (cached per distinct config)."""
    ad = settings.rule("ad_link")
    lexicon_paths = [settings.resolve(p) for p in settings.rule("banned_expression")["lexicons"]]
    phrases = tuple(p for p in (normalize(x) for x in settings.rule("stopped_not_deregistered")["phrases"]) if p)
    lexicon_texts = [read_lexicon(path) for path in lexicon_paths]  # regular files under a cap; missing: an error
    key = json.dumps([ad["domains"], [str(p) for p in lexicon_paths], phrases]) + "".join(
        hashlib.sha256(text).hexdigest() for text in lexicon_texts)
    if key not in _CACHE:
        domains = frozenset(ad_domains.normalize_domain(d) for d in ad["domains"] if d.strip())
        lexicon = load_lexicon(lexicon_paths)
        digest = hashlib.sha256(json.dumps([ALGORITHM, sorted(domains), lexicon.terms, phrases]).encode()).hexdigest()
        _CACHE[key] = SignalConfig(domains, lexicon, phrases, f"{ALGORITHM}-{digest[:12]}")
    return _CACHE[key]


def _as_config(config: SignalConfig | Settings) -> SignalConfig:
    return config if isinstance(config, SignalConfig) else signal_config(config)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def post_signals(post: Post, config: SignalConfig | Settings) -> dict[str, Any]:
    """The `sig_*` column values of one post (and `signals_version`)."""
    cfg = _as_config(config)
    body = f"{post.title or ''}\n{post.text or ''}"
    links = [*post.links, *([post.url] if post.url else []), *ad_domains.links_in_text(body)]
    ad = ad_domains.first_ad_link(links, cfg.domains)
    today = local_date(post.published_at) if post.published_at else None
    privacy = privacy_matches(body, today=today)
    normalized = normalize(body)
    terms = cfg.lexicon.find_normalized(normalized)
    return {
        "sig_ad_domain": _clip(ad_domains.host_of(ad[1]) or ad[0], 256) if ad else None,
        "sig_privacy": _clip("; ".join(privacy), 64) if privacy else None,
        "sig_lexicon": _clip("|".join(terms), 256) if terms else None,
        "sig_stop_notice": any(phrase in normalized for phrase in cfg.stop_phrases),
        "signals_version": cfg.version,
    }
