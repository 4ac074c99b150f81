"""Commercial (ad) domains: a link matches a listed domain when its host is that domain or one of
its subdomains, judged on the registrable domain from the Public Suffix List (the list ships
with `publicsuffixlist`; no network). Never a substring: notjd.com.cn and jd.com.evil.cn are not
jd.com, while item.jd.com and m.tb.cn are jd.com and tb.cn."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

# Links written in post text; the connectors also give explicit links.
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s\"'<>()\[\]{}，。！？；、“”‘’（）【】]+")


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def host_of(link: str) -> str | None:
    """The lower-case host of a link (scheme optional), or None when it has none."""
    text = link.strip()
    if not text:
        return None
    if "://" not in text:
        text = "http://" + text.lstrip("/")
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def registrable_domain(host: str) -> str | None:
    return _psl().privatesuffix(host)


def normalize_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


def matching_domain(host: str, domains: Iterable[str]) -> str | None:
    """The listed domain that `host` is, or is a subdomain of, if any."""
    listed = domains if isinstance(domains, frozenset) else frozenset(normalize_domain(d) for d in domains)
    labels = host.split(".")
    for start in range(len(labels)):  # the most specific listed domain first
        candidate = ".".join(labels[start:])
        if candidate in listed:
            registrable = registrable_domain(host)
            # A listed public suffix (com.cn) or IP address belongs to nobody.
            if registrable is not None and (candidate == registrable or candidate.endswith("." + registrable)):
                return candidate
            return None
    return None


def links_in_text(text: str) -> list[str]:
    # Every link `_URL` finds contains `://` or `www.` in some case: text without either has none.
    if not text or ("://" not in text and ("." not in text or "www." not in text.lower())):
        return []
    return _URL.findall(text)


def domain_finder(domains: Iterable[str]):
    """An automaton finding any listed domain in lower-case text: an ASCII link in which none
    occurs cannot be on a listed domain (its host would contain one), so it needs no parsing."""
    import ahocorasick

    listed = {normalize_domain(d) for d in domains if normalize_domain(d)}
    if not listed:
        return None
    automaton = ahocorasick.Automaton()
    for domain in listed:
        automaton.add_word(domain, domain)
    automaton.make_automaton()
    return automaton


def _may_match(link: str, finder) -> bool:
    if finder is None or not link.isascii():
        return True
    for _found in finder.iter(link.lower()):
        return True
    return False


def first_ad_link(links: Iterable[str], domains: Iterable[str], finder=None) -> tuple[str, str] | None:
    """(listed domain, link) of the first link on a listed domain; `finder` (`domain_finder` of
    the same domains) skips the links that cannot be."""
    listed = domains if isinstance(domains, frozenset) else frozenset(normalize_domain(d) for d in domains)
    if not listed:
        return None
    for link in links:
        if finder is not None and not _may_match(link, finder):
            continue
        host = host_of(link)
        if host is None:
            continue
        domain = matching_domain(host, listed)
        if domain is not None:
            return domain, link
    return None
