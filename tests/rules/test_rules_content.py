"""Content rules: repost_only, stopped_not_deregistered, ad_link, privacy_leak, banned_expression."""

from __future__ import annotations

from datetime import date, timedelta

from tests.rules.rules_helpers import T, add_posts, before, registry, rules_of
from tracker.domain.models import Post
from tracker.judging.run import evaluate
from tracker.registry.service import file_event
from tracker.rules.idcard import check_character
from tracker.settings import load_settings

ID17 = "11010519491231002"
VALID_ID = ID17 + check_character(ID17)
WRONG_ID = ID17 + ("1" if check_character(ID17) != "1" else "2")


def reposts(account_prefix: str, total: int, reposted: int) -> list[Post]:
    return [Post(f"{account_prefix}{i}", before(i + 0.5), is_repost=i < reposted) for i in range(total)]


def test_repost_only_share_above_limit_with_enough_posts(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:all", "weibo:limit", "weibo:few", "weibo:old")
    add_posts(db, "weibo:all", *reposts("a", 10, 9))     # 0.9 > 0.8
    add_posts(db, "weibo:limit", *reposts("l", 10, 8))   # exactly 0.8: not above the limit
    add_posts(db, "weibo:few", *reposts("f", 4, 4))      # fewer than min_posts
    add_posts(db, "weibo:old", *reposts("o", 5, 5), Post("x", before(30), is_repost=True))
    assert "repost_only" in rules_of(db, "weibo:all")
    assert "repost_only" not in rules_of(db, "weibo:limit")
    assert "repost_only" not in rules_of(db, "weibo:few")
    # the post exactly at T − 30 d lies outside the window: 5 of 5 reposts is above the limit
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "repost_only"}
    assert found["weibo:old"].evidence["posts"] == 5
    assert found["weibo:all"].evidence["reposts"] == 9


def test_stop_notice_older_than_grace_without_close(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:stop", "weibo:fresh", "weibo:trad", "weibo:none", "weibo:closed")
    add_posts(db, "weibo:stop", Post("n", before(15), text="本账号即日起停止更新,感谢关注"))
    add_posts(db, "weibo:fresh", Post("n", before(15) + timedelta(seconds=1), text="本号不再更新"))
    add_posts(db, "weibo:trad", Post("n", before(40), title="本號遷移至新賬號", text=""))
    add_posts(db, "weibo:none", Post("n", before(40), text="今日更新了办事指南"))
    add_posts(db, "weibo:closed", Post("n", before(40), text="暂停更新"))
    file_event(db, "close", "weibo:closed", effective_on=date(2026, 9, 20), notice_from=date(2026, 9, 1), by="t")
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "stopped_not_deregistered"}
    assert set(found) == {"weibo:stop", "weibo:trad"}
    assert found["weibo:stop"].evidence["notice"]["post_id"] == "n"
    assert found["weibo:stop"].evidence["notice"]["phrase"] == "停止更新"
    assert found["weibo:trad"].evidence["notice"]["phrase"] == "迁移至"
    # before the close took effect, the closed account was a stopped, underegistered one
    assert "stopped_not_deregistered" in rules_of(db, "weibo:closed", before(11))


def test_suspend_filing_older_than_grace(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:s16", "weibo:s15")
    file_event(db, "suspend", "weibo:s16", effective_on=date(2026, 9, 14), by="t")   # 16 days before T
    file_event(db, "suspend", "weibo:s15", effective_on=date(2026, 9, 15), by="t")   # 15 days: within grace
    assert "stopped_not_deregistered" in rules_of(db, "weibo:s16")
    assert "stopped_not_deregistered" not in rules_of(db, "weibo:s15")


def test_ad_link_domains_subdomains_and_platform_mark(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:jd", "weibo:tb", "weibo:look", "weibo:mark", "weibo:old")
    add_posts(db, "weibo:jd", Post("p", before(1), links=("https://item.jd.com/100.html",)))
    add_posts(db, "weibo:tb", Post("p", before(89), text="抢购 https://m.tb.cn/h.5abc 快"))
    add_posts(db, "weibo:look", Post("p", before(1), links=("https://notjd.com.cn/", "https://jd.com.evil.cn/a")))
    add_posts(db, "weibo:mark", Post("p", before(1), is_ad=True))
    add_posts(db, "weibo:old", Post("p", before(90), links=("https://www.taobao.com/",)))  # exactly T − 90 d
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "ad_link"}
    assert set(found) == {"weibo:jd", "weibo:tb", "weibo:mark"}
    match = found["weibo:jd"].evidence["matches"][0]
    assert match["post_id"] == "p" and match["match"] == "item.jd.com"
    assert found["weibo:jd"].severity == "veto"


def test_privacy_leak_valid_id_or_mobile_unmasked(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:id", "weibo:mobile", "weibo:masked", "weibo:wrong", "weibo:embedded")
    add_posts(db, "weibo:id", Post("p", before(2), text=f"当事人身份证号{VALID_ID}", url="https://weibo.com/1/p"))
    add_posts(db, "weibo:mobile", Post("p", before(2), text="联系电话13912345678"))
    add_posts(db, "weibo:masked", Post("p", before(2), text="身份证110105********1234 电话139****5678"))
    add_posts(db, "weibo:wrong", Post("p", before(2), text=f"编号{WRONG_ID}"))
    add_posts(db, "weibo:embedded", Post("p", before(2), text="流水号 202613912345678001"))
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "privacy_leak"}
    assert set(found) == {"weibo:id", "weibo:mobile"}
    match = found["weibo:id"].evidence["matches"][0]
    assert match["url"] == "https://weibo.com/1/p" and VALID_ID not in match["match"]
    assert found["weibo:mobile"].evidence["matches"][0]["match"] == "手机号 139****5678"


def test_banned_expression_traditional_and_spaced(db, tmp_path) -> None:
    registry(db, tmp_path, "weibo:trad", "weibo:zw", "weibo:right", "weibo:old")
    add_posts(db, "weibo:trad", Post("p", before(5), text="堅持中國特色社會主意道路"))
    add_posts(db, "weibo:zw", Post("p", before(5), title="台 湾\u200b国"))
    add_posts(db, "weibo:right", Post("p", before(5), text="坚持中国特色社会主义道路"))
    add_posts(db, "weibo:old", Post("p", before(91), text="台湾国"))
    found = {f.account: f for f in evaluate(db, load_settings(), T) if f.rule == "banned_expression"}
    assert set(found) == {"weibo:trad", "weibo:zw"}
    assert found["weibo:trad"].evidence["matches"][0]["match"] == "中国特色社会主意"


def test_signal_rules_follow_their_configured_window(db, tmp_path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[rules.ad_link]\nwindow_days = 7\n[rules.privacy_leak]\nenabled = false\n", encoding="utf-8")
    registry(db, tmp_path, "weibo:a")
    add_posts(db, "weibo:a", Post("p", before(8), links=("https://jd.com",), text="13912345678"))
    assert {"ad_link", "privacy_leak"} <= rules_of(db, "weibo:a")
    assert not {"ad_link", "privacy_leak"} & rules_of(db, "weibo:a", settings=load_settings(user))
