"""A loopback fleet of 政府网站 for the tests: the CMS-shaped pages of tests/data/websites served
by tests/polling/feedserver.py, registered as platform `website`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DATA
from tests.polling.feedserver import FeedServer, Route
from tests.registry.registry_helpers import row, write_registry

PAGES = DATA / "websites"
HTML = "text/html; charset=utf-8"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def serve_trs(server: FeedServer, prefix: str = "/fz") -> str:
    """The TRS homepage and its columns: 工作动态 fresh, 通知公告 and 政策文件 served, 政策解读 404."""
    column = page("trs_column.html")
    server.add(f"{prefix}/zwgk/gzdt/", Route(body=column, content_type=HTML))
    server.add(f"{prefix}/zwgk/tzgg/", Route(body=page("jcms_column.html"), content_type=HTML))
    server.add(f"{prefix}/zwgk/tzgg/index.html", Route(body=page("jcms_column.html"), content_type=HTML))
    server.add(f"{prefix}/zwgk/zcwj/", Route(body=column, content_type=HTML))
    for path in ("/zwgk/gzdt/202001/t20200101_1.htm", "/zwgk/gzdt/202612/t20261204_2.htm",
                 "/zwgk/gzdt/202612/t20261203_3.htm", "/images/logo.png", "/conac/sitename.html?method=show&id=1",
                 "/zfwzzc/errorInfo.html?sitecode=3501000001", "/beian/icp.html",
                 "/beian/police.html?recordcode=35010202000001"):
        server.add(prefix + path, Route(body=b"<html><body>ok</body></html>", content_type=HTML))
    return server.add(f"{prefix}/", Route(body=page("trs_home.html"), content_type=HTML))


def register(tmp_path: Path, sites: dict[str, str]) -> Path:
    """A registry file of websites: 网站标识码 → homepage."""
    rows = [row(code, platform="website", account_name=f"网站{code}", feed_url=url) for code, url in sites.items()]
    return write_registry(tmp_path / "websites.csv", rows)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path
