"""Availability probe for platform `app` (政务客户端): can the app still be downloaded?

`classify_app_probe` is pure: the poller fetches the download or store URL (following redirects)
and hands over the final status, the headers and the first bytes of the body. It answers
`Outcome.OK` (available: the package itself or a store page offering it), `Outcome.UNAVAILABLE`
(404/410/451, a captcha or login wall, a page saying the app is 下架/不存在/无法下载, a 200 page
that offers nothing to download) or `Outcome.HTTP_ERROR` (another 4xx/5xx: the server failed,
which says nothing about the app yet; the poller retries and backs off as for feeds).
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.base import Outcome
from connectors.blockpage import block_reason
from connectors.xmlprep import decode_body

PACKAGE_TYPES = frozenset({
    "application/vnd.android.package-archive", "application/octet-stream",
    "application/x-itunes-ipa", "application/x-ios-app", "application/zip",
    "application/x-zip-compressed", "application/java-archive", "application/x-apple-aspen-config",
    "application/vnd.ms-appx", "application/x-msdownload",
})
PACKAGE_SUFFIXES = (".apk", ".ipa", ".aab", ".hap", ".app", ".exe", ".msi", ".dmg")
GONE_STATUSES = frozenset({404, 410, 451})
# A page that says the app was taken down, does not exist or cannot be downloaded.
GONE_MARKERS = (
    "已下架", "应用不存在", "该应用不存在", "页面不存在", "内容不存在", "已被删除", "已下线",
    "无法下载", "暂停下载", "停止下载", "暂不提供下载", "不再提供下载", "已停止服务", "已停止运营",
    "找不到该应用", "该应用暂不可用", "no longer available", "not available in your country",
    "this app is currently not available", "app not found", "page not found",
)
# A store page or a link to a package: strong signs the app is offered.
STORE_MARKERS = (
    "apps.apple.com", "itunes.apple.com", "apple-itunes-app", "play.google.com", "appgallery",
    "app.mi.com", "sj.qq.com", "a.app.qq.com", "android.myapp.com", "app.flyme.cn",
    "appstore.vivo.com.cn", "store.oppomobile.com", ".apk", ".ipa", "itms-services://",
)
# Weaker signs, trusted only on a page that is not a captcha or login wall.
DOWNLOAD_MARKERS = ("立即下载", "免费下载", "下载安装", "安卓下载", "扫码下载", "下载客户端",
                    "app store", "download", "下载")
_ZIP_MAGIC = b"PK\x03\x04"


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value or ""
    return ""


def _is_package(headers: Mapping[str, str], body_head: bytes) -> bool:
    media_type = _header(headers, "content-type").split(";", 1)[0].strip().lower()
    disposition = _header(headers, "content-disposition").lower()
    if body_head.startswith(_ZIP_MAGIC):
        return True
    if "attachment" in disposition or any(s in disposition for s in PACKAGE_SUFFIXES):
        return body_head.lstrip()[:1] != b"<"
    return media_type in PACKAGE_TYPES and body_head.lstrip()[:1] != b"<"


def classify_app_probe(status: int, headers: Mapping[str, str], body_head: bytes) -> Outcome:
    """Whether a probe of an app's download/store URL shows the app available; see module doc."""
    if status in GONE_STATUSES:
        return Outcome.UNAVAILABLE
    if status >= 400:
        return Outcome.HTTP_ERROR
    if status in (204, 205) or not body_head.strip():
        return Outcome.UNAVAILABLE
    if _is_package(headers, body_head):
        return Outcome.OK
    text = decode_body(body_head, _header(headers, "content-type"))
    lowered = text.lower()
    if any(marker in lowered for marker in GONE_MARKERS):
        return Outcome.UNAVAILABLE
    if any(marker in lowered for marker in STORE_MARKERS):
        return Outcome.OK
    if block_reason(text):
        return Outcome.UNAVAILABLE
    if any(marker in lowered for marker in DOWNLOAD_MARKERS):
        return Outcome.OK
    return Outcome.UNAVAILABLE
