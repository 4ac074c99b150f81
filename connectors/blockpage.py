"""Pages that stand in for a feed: captcha walls, login walls and RSSHub's error page.

A platform that stops a crawler usually answers 200 with such a page; RSSHub answers 503 with
its own "Error message" page. Both say nothing about the account, so they are `blocked`, not a
parse error and not "no posts".
"""

from __future__ import annotations

import re

# (marker, reason) — markers are matched case-insensitively anywhere in the page.
_MARKERS: tuple[tuple[str, str], ...] = (
    ("sina visitor system", "Weibo visitor system (cookie/login wall)"),
    ("passport.weibo.com", "Weibo passport login page"),
    ("looks like something went wrong", "RSSHub error page"),
    ("rsshub", "RSSHub error page"),  # only reached for non-feed pages, see is_block_page
    ("请输入验证码", "captcha page (请输入验证码)"),
    ("验证码", "captcha page (验证码)"),
    ("captcha", "captcha page"),
    ("安全验证", "security verification page (安全验证)"),
    ("人机验证", "human verification page (人机验证)"),
    ("滑块验证", "slider captcha page"),
    ("滑动验证", "slider captcha page"),
    ("拖动滑块", "slider captcha page"),
    ("完成验证", "verification page (完成验证)"),
    ("verify you are human", "human verification page"),
    ("are you a robot", "human verification page"),
    ("访问过于频繁", "rate-limit page (访问过于频繁)"),
    ("访问频繁", "rate-limit page (访问频繁)"),
    ("请登录", "login page (请登录)"),
    ("登录后查看", "login page (登录后查看)"),
    ("扫码登录", "login page (扫码登录)"),
    ("verify.snssdk.com", "Douyin verification page"),
    ("verifycenter", "verification page"),
)
_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|"
    r"script|style|div|p|h1|link)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_ERROR_MESSAGE = re.compile(r"error\s+message", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text[:4096]))


def block_reason(text: str) -> str | None:
    """Why this non-feed page is a block/wall page, or None if it is not one.

    Call it only on bodies that are not a feed: a post may well mention 验证码.
    """
    lowered = text[:200_000].lower()
    for marker, reason in _MARKERS:
        if marker in lowered:
            return reason
    if _ERROR_MESSAGE.search(lowered) and looks_like_html(text):
        return "error page (Error message)"
    return None
