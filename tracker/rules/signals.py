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
from tracker.domain.times import local_date
from tracker.rules import domains as ad_domains
from tracker.rules.idcard import _LONG_RUN, folded_privacy_matches
from tracker.rules.lexicon import Lexicon, load_lexicon, read_lexicon
from tracker.rules.text import nfkc, normalize, normalize_folded
from tracker.settings import Settings

ALGORITHM = "sig3"


@dataclass(frozen=True)
class SignalConfig:
    domains: frozenset[str]
    lexicon: Lexicon
    stop_phrases: tuple[str, ...]
    version: str
    domain_finder: Any = None  # `domains.domain_finder(domains)`: links that cannot match, unparsed


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
        _CACHE[key] = SignalConfig(domains, lexicon, phrases, f"{ALGORITHM}-{digest[:12]}",
                                   ad_domains.domain_finder(domains))
    return _CACHE[key]


def _as_config(config: SignalConfig | Settings) -> SignalConfig:
    return config if isinstance(config, SignalConfig) else signal_config(config)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def post_signals(post: Post, config: SignalConfig | Settings) -> dict[str, Any]:
    """The `sig_*` column values of one post (and `signals_version`)."""
    ad, privacy, lexicon, stop, version = text_signals(post.title, post.text, post.url, post.links,
                                                        post.published_at, _as_config(config))
    return {"sig_ad_domain": ad, "sig_privacy": privacy, "sig_lexicon": lexicon, "sig_stop_notice": stop,
            "signals_version": version}


SIGNAL_COLUMNS = ("sig_ad_domain", "sig_privacy", "sig_lexicon", "sig_stop_notice", "signals_version")


def text_signals(title: str | None, text: str | None, url: str | None, links: Any, published_at: Any,
                 cfg: SignalConfig) -> tuple[str | None, str | None, str | None, bool, str]:
    """`post_signals` as a tuple in the order of SIGNAL_COLUMNS, from the post's fields: what the
    ingest and poll streams store with every post, and a check recomputes when the lists change.

    Cheap for the usual post: the text is NFKC-folded once (and only when it is not NFKC
    already), numbers are looked for only where a run of 11 digits is, links only where `://`
    or `www.` is, and a link's host is parsed only when a listed domain occurs in it."""
    body = f"{title or ''}\n{text or ''}"
    found = ad_domains.links_in_text(body)
    candidates = [*links, *([url] if url else []), *found] if links or found else ([url] if url else ())
    ad = ad_domains.first_ad_link(candidates, cfg.domains, cfg.domain_finder) if candidates else None
    folded = nfkc(body)
    if not _LONG_RUN.search(folded):  # no ID or mobile number: the date it is judged on does not matter
        privacy = []
    elif published_at:
        privacy = folded_privacy_matches(folded, today=local_date(published_at))
    else:
        privacy = folded_privacy_matches(folded)
    normalized = normalize_folded(folded)
    terms = cfg.lexicon.find_normalized(normalized)
    stop = False
    for phrase in cfg.stop_phrases:
        if phrase in normalized:
            stop = True
            break
    return (_clip(ad_domains.host_of(ad[1]) or ad[0], 256) if ad else None,
            _clip("; ".join(privacy), 64) if privacy else None,
            _clip("|".join(terms), 256) if terms else None,
            stop,
            cfg.version)
