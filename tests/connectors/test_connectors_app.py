"""The availability probe for platform `app`: status, headers and first bytes → available or not."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.app import classify_app_probe
from connectors.base import Outcome

APP = Path(__file__).resolve().parents[1] / "data" / "feeds" / "app"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def head(name: str) -> bytes:
    return (APP / name).read_bytes()[:4096]


@pytest.mark.parametrize(("status", "headers", "body", "expected"), [
    (200, {"Content-Type": "application/vnd.android.package-archive"}, head("minimal.apk"), Outcome.OK),
    (200, {"content-type": "application/octet-stream"}, b"\x00\x01binary", Outcome.OK),
    (200, {"Content-Type": "application/octet-stream",
           "Content-Disposition": 'attachment; filename="zhangshang.ipa"'}, head("minimal.apk"), Outcome.OK),
    (200, {}, head("minimal.apk"), Outcome.OK),  # the ZIP magic of an APK/IPA, whatever the type says
    (200, HTML, head("appstore_page.html"), Outcome.OK),  # mentions 验证码登录 as a feature: still a store page
    (200, HTML, head("download_page.html"), Outcome.OK),
    (200, HTML, head("app_removed_page.html"), Outcome.UNAVAILABLE),
    (200, HTML, head("plain_homepage.html"), Outcome.UNAVAILABLE),
    (200, HTML, (Path(__file__).resolve().parents[1] / "data" / "feeds" / "captcha_page.html").read_bytes(), Outcome.UNAVAILABLE),
    (200, {"Content-Type": "application/octet-stream"}, b"<html><body>\xe9\xaa\x8c\xe8\xaf\x81\xe7\xa0\x81</body></html>",
     Outcome.UNAVAILABLE),  # an HTML captcha wall mislabelled as a download
    (200, HTML, b"", Outcome.UNAVAILABLE),
    (404, HTML, b"<html>Not Found</html>", Outcome.UNAVAILABLE),
    (410, {}, b"", Outcome.UNAVAILABLE),
    (451, {}, b"", Outcome.UNAVAILABLE),
    (500, HTML, b"<html>Internal Server Error</html>", Outcome.HTTP_ERROR),
    (503, HTML, b"", Outcome.HTTP_ERROR),
    (200, {"Content-Type": "text/html; charset=gbk"}, "<p>该应用已下架</p>".encode("gbk"), Outcome.UNAVAILABLE),
])
def test_classify_app_probe(status: int, headers: dict[str, str], body: bytes, expected: Outcome) -> None:
    assert classify_app_probe(status, headers, body) is expected
