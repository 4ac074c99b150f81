"""Posts as government accounts write them, for the benchmarks: notices with hotline and landline
numbers (12345, 0591-87654321), a share of mobiles and ID numbers (valid and masked), links to
government sites and now and then to a listed shop, reposts with `//@account:` chains, stop
notices, traditional characters and full-width digits here and there, and lexicon terms rarely."""

from __future__ import annotations

import random

OPENINGS = ["【通知】", "【公告】", "【提醒】", "【便民】", "【政策解读】", "【权威发布】", "", "", ""]
BODY = ["为进一步做好防汛防台工作，切实保障人民群众生命财产安全，现将有关事项通知如下", "各乡镇街道要压实责任，加强巡查，及时转移危险区域群众", "市民如遇紧急情况请拨打12345政务服务便民热线或110、119、120", "近日，我市召开全市安全生产工作会议，部署下半年重点任务", "会议强调，要坚持人民至上、生命至上，统筹发展和安全", "疫苗接种点开放时间为工作日上午8:30至11:30，下午14:30至17:00", "办事群众可通过“闽政通”APP在线预约，全程网办，最多跑一次", "乡村振兴是新时代做好三农工作的总抓手，我县持续推进人居环境整治", ""]
TRAD = ["為進一步做好防汛工作", "請廣大市民積極參與", "臺灣同胞", "發展與安全"]
LINKS = ["https://www.gov.cn/zhengce/2026-09/01/content_1.htm", "http://fj.gov.cn/xw/ztzl/index.html",
         "www.fuzhou.gov.cn/zwgk", "https://mp.weixin.qq.com/s/AbCdEf123"]
ADS = ["限时抢购 https://item.jd.com/100012043978.html", "好物推荐 https://m.tb.cn/h.5xYzAbC"]
STOPS = ["本账号即日起停止更新，相关信息请关注“福州发布”。", "因机构改革，本账号不再更新。"]
LEXICON = ["坚持中国特色社会主意", "台湾国"]
IDS = ["11010519491231002X", "110101********1234", "350102199003071234"]


def post_text(rng: random.Random, number: int) -> tuple[str, bool]:
    """(text, is_repost) of post `number`."""
    parts = [rng.choice(OPENINGS)]
    parts += rng.sample(BODY[:-1], rng.randint(2, 5))
    draw = rng.random()
    if draw < 0.25:
        parts.append(f"咨询电话：0591-{rng.randint(10000000, 99999999)}")
    elif draw < 0.30:
        parts.append(f"联系人：王先生 1{rng.choice('3578')}{rng.randint(100000000, 999999999)}")
    elif draw < 0.31:
        parts.append(f"联系人：李女士 1{rng.choice('3578')}{rng.randint(10, 99)}****{rng.randint(1000, 9999)}")
    elif draw < 0.312:
        parts.append("身份证号" + rng.choice(IDS))
    elif draw < 0.32:
        parts.append("咨询电话：１３９１２３４５６７８")  # full-width digits, as some editors type
    if rng.random() < 0.30:
        parts.append("详情：" + rng.choice(LINKS))
    if rng.random() < 0.003:
        parts.append(rng.choice(ADS))
    if rng.random() < 0.002:
        parts.append(rng.choice(STOPS))
    if rng.random() < 0.001:
        parts.append(rng.choice(LEXICON))
    if rng.random() < 0.03:
        parts.append(rng.choice(TRAD))
    text = "。".join(p for p in parts if p) + "。"
    repost = rng.random() < 0.15
    if repost:
        text = f"转发微博 //@福州发布:{text} //@福建发布:关注"
    return text, repost
