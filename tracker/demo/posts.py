"""The posts and profile each demo account's feed shows, by its behaviour (healthy or a case)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tracker.demo.province import DemoAccount
from tracker.rules.idcard import check_character

TOPICS = (
    "召开全区安全生产工作会议", "开展防汛防台风应急演练", "发布秋季森林防火提示", "推进营商环境优化提升行动",
    "举办政务公开日活动", "公布一批民生实事项目进展", "开展食品安全专项检查", "发布高温天气健康提示",
    "推进老旧小区改造工程", "举行重点项目集中开工仪式", "开展“我为群众办实事”走访活动", "发布就业招聘信息汇总",
    "通报近期环境质量状况", "开展消防安全宣传进社区", "部署秋冬季疫病防控工作", "发布交通出行提示",
)
FEED_ITEMS = 25  # RSSHub and the platform APIs serve the newest 20–30 posts


@dataclass
class DemoPost:
    post_id: str
    published_at: datetime
    title: str
    text: str
    links: list[str] = field(default_factory=list)
    is_repost: bool = False
    is_pinned: bool = False
    is_ad: bool = False
    comments_enabled: bool | None = None


@dataclass
class DemoProfile:
    display_name: str
    verified: bool
    verified_reason: str
    followers: int


def resident_id(rng: random.Random) -> str:
    first17 = f"350102{rng.randrange(1960, 2000)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


def _cadence(rng: random.Random, now: datetime, newest_days: float, oldest_days: float, every_days: float) -> list[datetime]:
    times: list[datetime] = []
    age = newest_days + rng.random() * 0.4
    while age < oldest_days and len(times) < FEED_ITEMS:
        times.append(now - timedelta(days=age, minutes=rng.randrange(600)))
        age += every_days * (0.6 + 0.8 * rng.random())
    return times


def _times(account: DemoAccount, rng: random.Random, now: datetime) -> list[datetime]:
    case = account.case
    if case == "empty_shell":
        return []
    if case == "dormant":
        return _cadence(rng, now, 100 + rng.randrange(60), 400, 9)
    if case in ("no_update", "stop_notice"):
        return _cadence(rng, now, 20 + rng.randrange(20), 200, 3)
    if case == "low_frequency":
        return [now - timedelta(days=2.5), *_cadence(rng, now, 8, 120, 2)]
    if case in ("lapse_in_4", "lapse_in_2"):   # quiet since day 10 or 12 of the 14-day window
        quiet = 10 if case == "lapse_in_4" else 12
        return [now - timedelta(days=quiet, minutes=rng.randrange(1, 120)), *_cadence(rng, now, quiet + 1, 200, 1.2)][:FEED_ITEMS]
    if case == "suspended_not_closed":
        return _cadence(rng, now, 45, 200, 2)
    return _cadence(rng, now, 0.2, 200, 1.2)  # gaps of at most 1.7 days: at least 4 posts a week


def _special(account: DemoAccount, post: DemoPost, rng: random.Random) -> None:
    """Plant the case's signal in the newest post (and, for reposts, in most posts)."""
    case = account.case
    if case == "stop_notice":
        post.title = f"关于“{account.account_name}”停止更新的公告"
        post.text = f"因工作调整，本账号即日起停止更新，相关信息请关注“{account.org_name}”官方网站。"
    elif case == "ad_taobao":
        link = f"https://item.taobao.com/item.htm?id={rng.randrange(10**11, 10**12)}"
        post.title, post.links = "本地特产助农直播，点击购买", [link]
        post.text = f"优质农产品限时优惠，购买链接：{link}"
    elif case == "ad_jd":
        link = f"https://item.jd.com/{rng.randrange(10**8, 10**9)}.html"
        post.title, post.links = "家电以旧换新补贴商品", [link]
        post.text = f"补贴商品在此下单 {link}"
    elif case == "ad_marked":
        post.is_ad, post.title = True, "合作推广"
        post.text = "合作推广：某品牌新品上市"
    elif case == "privacy_id":
        post.title = "关于拟发放困难群众临时救助金的公示"
        post.text = f"申请人：林某某，身份证号：{resident_id(rng)}，救助金额 2000 元。"
    elif case == "privacy_mobile":
        post.title = "失物招领启事"
        post.text = f"请失主陈某某（联系电话 139{rng.randrange(10**8):08d}）到服务大厅认领。"
    elif case == "lexicon":
        post.title = "深入学习贯彻中国特色社会主意思想"
        post.text = "各单位要深入学习中国特色社会主意理论体系。"
    elif case == "comments_disabled":
        post.comments_enabled = False


def posts_for(account: DemoAccount, now: datetime, seed: int = 0) -> list[DemoPost]:
    """The account's posts, newest first."""
    rng = random.Random(f"{seed}:{account.key}")
    posts = []
    for index, published in enumerate(sorted(_times(account, rng, now), reverse=True)):
        topic = rng.choice(TOPICS)
        posts.append(DemoPost(
            post_id=f"{account.account_id}-{index:04d}-{int(published.timestamp())}",
            published_at=published,
            title=f"{account.org_name}{topic}",
            text=f"{published.month}月{published.day}日，{account.org_name}{topic}。",
            links=[],
            comments_enabled=True if account.platform == "douyin" else None,
        ))
    if posts:
        _special(account, posts[0], rng)
    if account.case == "repost_only":
        for post in posts[1:]:
            post.is_repost = True
    if account.case == "comments_disabled":
        for post in posts:
            post.comments_enabled = False
    return posts


def profile_for(account: DemoAccount, filed_name: str) -> DemoProfile:
    """The profile the platform shows; planted cases differ from the filing."""
    name, verified, reason = filed_name, True, f"{account.org_name}官方账号"
    if account.case == "renamed_profile":
        name = filed_name + "微服务"
    elif account.case == "unverified":
        verified, reason = False, ""
    elif account.case == "wrong_subject":
        reason = "某文化传媒有限公司"
    return DemoProfile(name, verified, reason, account.followers)
