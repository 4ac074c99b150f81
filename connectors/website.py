"""政府网站 (docs/contract.md §10): what one poll of a website finds, and one availability probe.

The pages are parsed with lxml's HTML parser (libxml2), never with regular expressions over the
markup; regular expressions only read dates out of a text node once the parser has found it.
Real CMS pages put their dates in `<span>` beside a list item (TRS WCM), in `[11-30]` (大汉
Hanweb), in `2026年11月30日`, in a link's `title`, and in `<script type="text/xml">` datastores
(大汉 JCMS), whose records are HTML fragments parsed in turn.

Imports nothing of tracker: the caller hands over `slot(url)` (an async context manager giving a
client once the host has room, the poller's per-host limits) and the settings as plain values.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import lxml.html
from lxml import etree

from connectors.base import Outcome, SourceError
from connectors.http import fetch, probe

Slot = Callable[[str], AbstractAsyncContextManager[Any]]

MARKS = ("conac", "site_code", "icp", "police", "sponsor", "contact")
PAGE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode")
COLUMN_TAG = "ColumnName"

_FULL = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)(?!\d)")
_SHORT = re.compile(r"[\[［(（【]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[\]］)）】]")
_SITE_CODE = re.compile(r"网站标识码\s*[:：]?\s*[0-9A-Za-z]{6,}")
_SKIP = {"script", "style", "noscript", "template"}
_FOOTER_HINTS = ("foot", "bottom", "copyright", "copy", "bq", "banquan")
_COLUMN_TEXT = 12  # a column's link text is short; a longer text is an article title


@dataclass
class Page:
    """What one parsed page says."""

    url: str
    dates: list[date] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute http(s) URL, text)
    marks: dict[str, str | None] = field(default_factory=dict)
    jiucuo: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def newest(self) -> date | None:
        return max(self.dates) if self.dates else None


@dataclass
class WebsiteResult:
    outcome: str
    http_status: int | None = None
    detail: str | None = None
    homepage_url: str | None = None
    homepage_newest: date | None = None
    homepage_dates: int | None = None
    columns: list[dict[str, Any]] | None = None
    links_checked: int | None = None
    broken_links: list[dict[str, Any]] | None = None
    marks: dict[str, str | None] | None = None
    jiucuo: str | None = None
    page_tags: list[dict[str, Any]] | None = None
    ipv6_aaaa: bool | None = None
    ipv6_ok: bool | None = None


# ---------------------------------------------------------------- decoding and parsing

def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _meta_charset(body: bytes) -> str | None:
    """The charset a `<meta>` of the page's start declares, read by the HTML parser itself."""
    head = lxml.html.fromstring(body[:4096].decode("ascii", errors="replace") or "<html/>")
    for meta in head.iter("meta"):
        if meta.get("charset"):
            return meta.get("charset").strip()
        if (meta.get("http-equiv") or "").strip().lower() == "content-type" and _charset(meta.get("content")):
            return _charset(meta.get("content"))
    return None


def decode(body: bytes, content_type: str | None) -> str:
    """The page's text: the header's charset, else the page's `<meta>`, else UTF-8 when it
    decodes strictly, else GB18030 (a superset of GB2312 and GBK, common on pages without a charset)."""
    for name in (_charset(content_type), _meta_charset(body)):
        if name:
            if name.lower().replace("-", "") in ("gb2312", "gbk", "gb18030"):
                name = "gb18030"
            try:
                return body.decode(name)
            except (LookupError, UnicodeDecodeError):
                pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace")


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind and kind not in ("text/html", "application/xhtml+xml", "text/plain", "application/octet-stream", "text/xml"):
        return False
    start = body[:1024]
    return b"\x00" not in start and b"<" in body[:65536]


def dates_in(text: str, today: date) -> list[date]:
    """The dates a text node prints; `[11-30]` is of the current year (last year if that is later than today)."""
    found: list[date] = []
    for m in _FULL.finditer(text):
        year, month, day = int(m[1]), int(m[2] or m[4]), int(m[3] or m[5])
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    for m in _SHORT.finditer(text):
        try:
            moment = date(today.year, int(m[1]), int(m[2]))
        except ValueError:
            continue
        if moment > today:  # a [12-30] read on 1 January is last year's
            try:
                moment = moment.replace(year=today.year - 1)
            except ValueError:
                continue
        found.append(moment)
    return [d for d in found if date(1990, 1, 1) <= d <= today + timedelta(days=1)]


def _texts(root: Any) -> list[str]:
    out: list[str] = []
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            if tag == "script" and (element.get("type") or "").lower() in ("text/xml", "application/xml"):
                out.extend(_datastore_texts(element.text or ""))
            continue
        if element.text and tag:
            out.append(element.text)
        if tag == "a" and element.get("title"):
            out.append(element.get("title"))
        if element.tail:
            parent = element.getparent()
            if parent is None or parent.tag not in _SKIP:
                out.append(element.tail)
    return out


def _datastore_texts(xml: str) -> list[str]:
    """The texts of a 大汉 JCMS datastore: `<record><![CDATA[<li>…</li>]]></record>` fragments."""
    try:
        store = etree.fromstring(xml.strip().encode("utf-8"), etree.XMLParser(recover=True, resolve_entities=False,
                                                                              no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        return []
    if store is None:
        return []
    out: list[str] = []
    for record in store.iter("record"):
        fragment = (record.text or "").strip()
        if fragment:
            out.extend(_texts(lxml.html.fromstring(f"<div>{fragment}</div>")))
    return out


def _footer(root: Any) -> list[Any]:
    found = list(root.iter("footer"))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        names = f"{element.get('id') or ''} {element.get('class') or ''}".lower()
        if any(hint in names for hint in _FOOTER_HINTS):
            found.append(element)
    return found or [root]


def _marks(root: Any) -> dict[str, str | None]:
    marks: dict[str, str | None] = dict.fromkeys(MARKS)
    for part in _footer(root):
        text = "".join(part.itertext())
        for element in part.iter("a", "img"):
            url = element.get("href") or element.get("src") or ""
            label = f"{element.get('alt') or ''}{element.get('title') or ''}"
            if "conac" in url.lower() or "党政机关" in label:
                marks["conac"] = marks["conac"] or url or label
            if "beian.mps.gov.cn" in url or "公网安备" in label:
                marks["police"] = marks["police"] or url or label
            if "beian.miit.gov.cn" in url:
                marks["icp"] = marks["icp"] or url
        code = _SITE_CODE.search(text)
        if code:
            marks["site_code"] = marks["site_code"] or code[0]
        for mark, words in (("icp", ("ICP备", "ICP证")), ("police", ("公网安备", "公安机关备案")),
                            ("sponsor", ("主办单位", "主办：", "主办:", "主办")),
                            ("contact", ("联系电话", "联系方式", "电话", "邮箱", "E-mail", "Email"))):
            if marks[mark] is None:
                word = next((w for w in words if w in text), None)
                if word:
                    marks[mark] = word
    return marks


def parse_page(body: bytes, *, url: str, content_type: str | None, today: date) -> Page:
    """One page, parsed; raises SourceError(parse_error) for what is not HTML."""
    if not looks_like_html(body, content_type):
        raise SourceError(Outcome.PARSE_ERROR, f"not HTML ({(content_type or 'no content type').split(';')[0]})")
    try:
        root = lxml.html.document_fromstring(decode(body, content_type))
    except (etree.ParserError, ValueError) as exc:
        raise SourceError(Outcome.PARSE_ERROR, f"not HTML: {exc}") from exc
    base = url
    for element in root.iter("base"):
        if element.get("href"):
            base = urljoin(url, element.get("href"))
            break
    page = Page(url)
    for text in _texts(root):
        page.dates.extend(dates_in(text, today))
    for element in root.iter("a"):
        href = (element.get("href") or "").strip()
        text = " ".join("".join(element.itertext()).split()) or (element.get("title") or "").strip()
        absolute = urldefrag(urljoin(base, href))[0] if href else ""
        if urlsplit(absolute).scheme in ("http", "https"):
            page.links.append((absolute, text))
        alts = "".join(img.get("alt") or "" for img in element.iter("img"))
        if page.jiucuo is None and ("我为政府网站找错" in text + alts or "zfwzzc" in href.lower()):
            page.jiucuo = absolute or href
    for element in root.iter("script", "img"):
        src = element.get("src") or ""
        if page.jiucuo is None and "zfwzzc" in src.lower():
            page.jiucuo = urljoin(base, src)
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").strip()
        for tag in (*PAGE_TAGS, COLUMN_TAG):
            if name.lower() == tag.lower() and (meta.get("content") or "").strip():
                page.tags[tag] = meta.get("content").strip()
    page.marks = _marks(root)
    return page


def match_columns(links: list[tuple[str, str]], names: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(name, kind, url) of each column the links name; a column linked several times counts once."""
    found: dict[str, tuple[str, str, str]] = {}
    for url, text in links:
        label = "".join(text.split())
        if not label or len(label) > _COLUMN_TEXT or url in found:
            continue
        kind = next((k for k in ("policy", "dynamic") if label in names.get(k, ())), None) or \
            next((k for k in ("policy", "dynamic") if any(n in label for n in names.get(k, ()))), None)
        if kind:
            found[url] = (label, kind, url)
    seen_names: set[str] = set()
    out = []
    for name, kind, url in found.values():
        if name not in seen_names:
            seen_names.add(name)
            out.append((name, kind, url))
    return out


# ---------------------------------------------------------------- network

async def _get_page(slot: Slot, url: str, *, limit: int, timeout: float) -> tuple[Any, float]:
    async with slot(url) as client:
        clock = time.perf_counter()
        answer = await fetch(client, url, limit=limit, total_timeout=timeout)
        return answer, time.perf_counter() - clock


async def check_link(slot: Slot, url: str, timeout: float) -> tuple[str, int | None]:
    """ok, or why a link is broken (4xx/5xx, network error, timeout); redirects are followed."""
    try:
        async with slot(url) as client:
            answer = await probe(client, url, total_timeout=timeout, head_bytes=1024)
    except SourceError as error:
        return str(error.outcome), error.http_status
    return ("ok" if answer.status < 400 else "http_error"), answer.status


async def check_ipv6(url: str, timeout: float) -> tuple[bool, bool]:
    """(an AAAA record, an answer over IPv6) for the homepage's host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, port, family=socket.AF_INET6, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError):
        return False, False
    if not infos:
        return False, False
    transport = httpx.AsyncHTTPTransport(local_address="::", retries=0)
    try:
        async with httpx.AsyncClient(transport=transport, follow_redirects=True, max_redirects=5,
                                     trust_env=False, timeout=timeout) as client:
            answer = await probe(client, url, total_timeout=timeout, head_bytes=512)
        return True, answer.status < 500
    except SourceError:
        return True, False


async def probe_site(slot: Slot, url: str, timeout: float) -> tuple[str, int | None, float, str | None]:
    """One availability probe (docs/contract.md §10): one GET, no retry, within `timeout` seconds in all:
    (ok | timeout | error, HTTP status, seconds, detail). An HTTP error status is an error."""
    async with slot(url) as client:
        clock = time.perf_counter()
        try:
            answer = await probe(client, url, total_timeout=timeout, head_bytes=4096)
        except SourceError as error:
            outcome = "timeout" if error.outcome == Outcome.TIMEOUT else "error"
            return outcome, error.http_status, time.perf_counter() - clock, (error.detail or "")[:300]
        seconds = time.perf_counter() - clock
    if answer.status >= 400:
        return "error", answer.status, seconds, f"HTTP {answer.status}"
    return "ok", answer.status, seconds, None


async def poll_website(slot: Slot, homepage: str, *, today: date, columns: dict[str, list[str]],
                       max_links: int, max_columns: int, max_page_bytes: int, page_timeout: float,
                       link_timeout: float, ipv6: bool = True) -> WebsiteResult:
    """The homepage, its columns, its links, marks, tags and IPv6; every failure is an outcome."""
    try:
        answer, _ = await _get_page(slot, homepage, limit=max_page_bytes, timeout=page_timeout)
        home = parse_page(answer.body, url=answer.url, content_type=answer.content_type, today=today)
    except SourceError as error:
        return WebsiteResult(str(error.outcome), error.http_status, error.detail, homepage)
    result = WebsiteResult("ok", answer.status, None, answer.url, home.newest, len(home.dates))
    result.marks, result.jiucuo = home.marks, home.jiucuo
    tags = [{"url": answer.url, "column": None, "missing": [t for t in PAGE_TAGS if t not in home.tags]}]

    async def column(name: str, kind: str, url: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": name, "kind": kind, "url": url}
        try:
            page_answer, _ = await _get_page(slot, url, limit=max_page_bytes, timeout=page_timeout)
            page = parse_page(page_answer.body, url=page_answer.url, content_type=page_answer.content_type, today=today)
        except SourceError as error:
            entry.update(outcome=str(error.outcome), newest=None, dates=0)
            return entry
        entry.update(outcome="ok", newest=page.newest.isoformat() if page.newest else None, dates=len(page.dates))
        missing = [t for t in (*PAGE_TAGS, COLUMN_TAG) if t not in page.tags]
        tags.append({"url": page_answer.url, "column": name, "missing": missing})
        return entry

    async def link(url: str, text: str) -> dict[str, Any] | None:
        outcome, status = await check_link(slot, url, link_timeout)
        return None if outcome == "ok" else {"url": url, "text": text[:80], "outcome": outcome, "status": status}

    found = match_columns(home.links, columns)[:max_columns]
    unique = list(dict.fromkeys(home.links))
    links = list({url: (url, text) for url, text in reversed(unique)}.values())[::-1][:max_links]
    ipv6_task = asyncio.ensure_future(check_ipv6(answer.url, link_timeout)) if ipv6 else None
    result.columns = list(await asyncio.gather(*(column(*c) for c in found)))
    checked = await asyncio.gather(*(link(url, text) for url, text in links))
    result.links_checked = len(links)
    result.broken_links = [entry for entry in checked if entry is not None]
    result.page_tags = [t for t in tags if t["missing"]]
    if ipv6_task is not None:
        result.ipv6_aaaa, result.ipv6_ok = await ipv6_task
    return result
