"""connectors.http: every way a fetch can go wrong is classified, within bounded time and memory."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from connectors.base import Outcome, SourceError
from connectors.http import fetch, make_client, probe
from tests.polling.feedserver import FeedServer, Route, feed_server  # noqa: F401 - the fixture
from tracker.settings import load_settings

RSS = '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>福州发布</title></channel></rss>'.encode()
RSSHUB_503 = (b"<!DOCTYPE html><html><head><title>RSSHub</title></head><body><h1>Looks like something went wrong</h1>"
              b"<p>Error message: ConfigNotFoundError: Weibo RSS is disabled</p></body></html>")


def poll_config(**overrides: float) -> dict:
    section = dict(load_settings().section("poll"))
    section.update(connect_timeout=1.0, read_timeout=1.0, total_timeout=2.0, max_body_bytes=1 << 20)
    section.update(overrides)
    return section


async def get(url: str, **kwargs: object) -> object:
    section = poll_config()
    async with make_client(section) as client:
        return await fetch(client, url, limit=section["max_body_bytes"], total_timeout=section["total_timeout"],
                           **kwargs)


async def outcome_of(url: str) -> SourceError:
    with pytest.raises(SourceError) as caught:
        await get(url)
    return caught.value


async def test_body_with_validators_then_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/a.xml", Route(body=RSS))
    first = await get(url)
    assert (first.status, first.body) == (200, RSS)
    assert first.etag and first.last_modified
    again = await get(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    by_date = await get(url, last_modified=first.last_modified)
    assert by_date.status == 304


async def test_gzip_body_is_decoded(feed_server: FeedServer) -> None:
    url = feed_server.add("/gz.xml", Route(body=RSS * 10, gzip=True))
    assert (await get(url)).body == RSS * 10


async def test_drip_feed_hits_total_timeout(feed_server: FeedServer) -> None:
    url = feed_server.add("/drip", Route(body=RSS, kind="drip"))
    started = time.perf_counter()
    error = await outcome_of(url)
    assert error.outcome == Outcome.TIMEOUT
    assert time.perf_counter() - started < 3.5  # total_timeout 2 s, though bytes keep coming


async def test_server_that_never_answers_times_out(feed_server: FeedServer) -> None:
    url = feed_server.add("/hang", Route(kind="hang"))
    started = time.perf_counter()
    assert (await outcome_of(url)).outcome == Outcome.TIMEOUT
    assert time.perf_counter() - started < 3.5


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
async def test_50_mb_body_is_too_large_and_never_held(feed_server: FeedServer, announced: bool) -> None:
    url = feed_server.add("/huge", Route(kind="huge", size=50 << 20, content_length=announced))
    tracemalloc.start()
    try:
        error = await outcome_of(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.outcome == Outcome.TOO_LARGE
    assert peak < 8 << 20  # cap 1 MiB: never anything near 50 MB in memory


async def test_gzip_bomb_is_capped_after_decompression(feed_server: FeedServer) -> None:
    url = feed_server.add("/bomb", Route(kind="bomb", size=200 << 20))  # ~200 KB on the wire
    tracemalloc.start()
    try:
        error = await outcome_of(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.outcome == Outcome.TOO_LARGE and "decompression" in error.detail
    assert peak < 8 << 20


async def test_redirect_loop_stops_after_the_limit(feed_server: FeedServer) -> None:
    url = feed_server.add("/loop", Route(kind="redirect_loop"))
    error = await outcome_of(url)
    assert error.outcome == Outcome.NETWORK_ERROR and "redirect" in error.detail
    assert feed_server.hits["/loop"] == 6  # the first request and 5 redirects


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_error_statuses_are_http_errors(feed_server: FeedServer, status: int) -> None:
    url = feed_server.add(f"/s{status}", Route(status=status, body=b"<html><body>Error</body></html>",
                                               content_type="text/html"))
    error = await outcome_of(url)
    assert (error.outcome, error.http_status) == (Outcome.HTTP_ERROR, status)


async def test_rsshub_503_error_page_is_blocked(feed_server: FeedServer) -> None:
    url = feed_server.add("/rsshub/weibo/user/1", Route(status=503, body=RSSHUB_503, content_type="text/html"))
    error = await outcome_of(url)
    assert (error.outcome, error.http_status) == (Outcome.BLOCKED, 503)


async def test_plain_503_stays_an_http_error(feed_server: FeedServer) -> None:
    url = feed_server.add("/busy", Route(status=503, body=b"Service Unavailable", content_type="text/plain"))
    assert (await outcome_of(url)).outcome == Outcome.HTTP_ERROR


async def test_refused_connection_is_a_network_error() -> None:
    with FeedServer() as server:
        url = server.url("/gone")
    assert (await outcome_of(url)).outcome == Outcome.NETWORK_ERROR


async def test_probe_reads_only_the_head_of_a_big_download(feed_server: FeedServer) -> None:
    url = feed_server.add("/app.apk", Route(kind="huge", size=50 << 20, content_type="application/vnd.android.package-archive"))
    section = poll_config()
    async with make_client(section) as client:
        answer = await probe(client, url, total_timeout=2.0, head_bytes=4096)
    assert answer.status == 200 and len(answer.head) == 4096 and answer.head.startswith(b"<item>")
    assert answer.headers["content-type"] == "application/vnd.android.package-archive"


async def test_corrupt_gzip_is_a_parse_error(feed_server: FeedServer) -> None:
    url = feed_server.add("/bad.gz", Route(body=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    assert (await outcome_of(url)).outcome == Outcome.PARSE_ERROR

