"""feedparser's own test files as a conformance target (CONTRACT §5.2; origin and licence in
tests/data/README.md): its `wellformed/` files for what this tool extracts from an entry (link,
id, title, text, time) and its `encoding/` files for how a body is decoded.

feedparser keeps markup in titles and descriptions; this tool keeps their text and their links.
So an expected value is met by the post's title/text equal to it as written (feedparser's value
is plain text) or to the text of its markup, with every absolute link in that markup among the
post's links."""

from __future__ import annotations

import ast
import codecs
import json
from datetime import UTC
from pathlib import Path

import pytest

from connectors.base import Origin, ParsedFeed, SourceError
from connectors.htmltext import clean_links, html_text_and_hrefs
from connectors.rss import parse_xml_feed
from connectors.xmlprep import decode_body

DATA = Path(__file__).resolve().parents[1] / "data" / "feedparser"
WELLFORMED = json.loads((DATA / "wellformed_manifest.json").read_text(encoding="utf-8"))["files"]
ENCODING = json.loads((DATA / "encoding_manifest.json").read_text(encoding="utf-8"))["files"]
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def adopted(files: list[dict]) -> list[dict]:
    return [entry for entry in files if "skip" not in entry]


def ids(files: list[dict]) -> list[str]:
    return [entry["file"] for entry in files]


def read(entry: dict) -> ParsedFeed:
    headers = entry["headers"]
    # feedparser's own runner serves these files from http://127.0.0.1:8097/tests/…
    origin = Origin(f"http://127.0.0.1:8097/tests/{entry['file']}", headers.get("content-location"))
    return parse_xml_feed((DATA / entry["file"]).read_bytes(), content_type=headers.get("content-type"), origin=origin)


def test_counts() -> None:
    assert (len(WELLFORMED), len(adopted(WELLFORMED))) == (131, 127)
    assert (len(ENCODING), len(adopted(ENCODING))) == (82, 81)


def _text_matches(got: str, links: tuple[str, ...], expected: str) -> bool:
    if got == expected:
        return True
    text, hrefs = html_text_and_hrefs(expected)
    return got == text and set(clean_links(hrefs)) <= set(links)


@pytest.mark.parametrize("entry", adopted(WELLFORMED), ids=ids(adopted(WELLFORMED)))
def test_wellformed(entry: dict) -> None:
    post = read(entry).posts[0]
    field, expected = entry["field"], entry["expected"]
    if field == "link":
        assert post.url == expected
    elif field in ("id", "guid"):
        assert post.post_id == expected
    elif field in ("published_parsed", "updated_parsed"):
        assert post.published_at is not None and post.published_at.tzinfo is UTC
        assert tuple(post.published_at.timetuple())[:6] == tuple(expected[:6])
    elif field == "title":
        assert _text_matches(post.title, (*post.links, post.url or ""), expected), post.title
    else:  # description, summary
        assert _text_matches(post.text, (*post.links, post.url or ""), expected), post.text


def _reference(body: bytes, name: str) -> str:
    for bom in _BOMS:
        if body.startswith(bom):
            body = body[len(bom):]
            break
    return body.decode(codecs.lookup(name).name)


@pytest.mark.parametrize("entry", adopted(ENCODING), ids=ids(adopted(ENCODING)))
def test_encoding(entry: dict) -> None:
    body = (DATA / entry["file"]).read_bytes()
    content_type = entry["headers"].get("content-type")
    text = decode_body(body, content_type)
    expect = entry["expect"]
    if entry["encoding"]:
        assert text == _reference(body, entry["encoding"])
    elif "feed['title']" in expect:  # euc-kr.xml: the channel title (not kept) decodes
        assert "<title>\ub144</title>" in text
    elif "entries[0]['description'] ==" in expect or "ord(entries[0]['description'])" in expect:
        post = read(entry).posts[0]
        if "ord(" in expect:
            assert post.text == chr(int(expect.rsplit("==", 1)[1]))
        else:
            expected = ast.literal_eval(expect.split("==", 1)[1].strip())
            assert _text_matches(post.text, post.links, expected)
    elif expect.startswith("not bozo"):
        read(entry)  # reads without an error
    else:  # bozo files and crash tests: classified (SourceError) or read, never a crash
        try:
            read(entry)
        except SourceError:
            pass
