"""Evidence people can read: one sentence per finding, in the UI language, from one catalogue
with one entry per rule code (docs/contract.md §6.2, §9). The JSON keeps the structured evidence; every
place a person reads it (TUI, the `check` table, the named lists of the reports) says this.

`sentence(rule, evidence, lang)` never raises: a rule without an entry (a local rule from an
office's own module), or evidence whose keys are missing or of another shape, is shown as
labelled `key: value` pairs instead. A local rule can add its own entry with `@says("code")`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from tracker.domain.labels import FILING_KINDS, PLATFORMS
from tracker.domain.labels import POLL_OUTCOMES as OUTCOMES
from tracker.domain.times import SHANGHAI

Sentence = Callable[[Mapping[str, Any], bool], str]  # (evidence, zh) → text
SENTENCES: dict[str, Sentence] = {}

URL_CHARS = 48     # a URL is cut after this many characters (…)
TEXT_CHARS = 40    # quoted text (names, notes, matched terms)
LISTED = 3         # items of a list that are named; the rest are counted


def says(code: str) -> Callable[[Sentence], Sentence]:
    """Register the sentence of rule `code` (the built-ins below; a local rule's module likewise)."""
    def register(func: Sentence) -> Sentence:
        SENTENCES[code] = func
        return func

    return register


def sentence(rule: str, evidence: Any, lang: str = "zh", limit: int | None = None) -> str:
    """The evidence of a finding of `rule` as one sentence in `lang` ("zh" or "en"), cut to
    `limit` characters when given. Never raises."""
    zh = lang != "en"
    try:
        text = SENTENCES[rule](evidence, zh) if rule in SENTENCES and isinstance(evidence, Mapping) else None
    except Exception:
        text = None
    if text is None:
        text = fields_text(evidence, zh)
    return shorten(text, limit) if limit else text


# ---- pieces -----------------------------------------------------------------------------------

def shorten(text: Any, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _moment(value: Any) -> datetime | date:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    elif isinstance(value, str) and len(value) >= 10:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    else:
        raise ValueError(f"not a time: {value!r}")
    return moment.astimezone(SHANGHAI) if moment.tzinfo else moment


def day(value: Any) -> str:
    """A date as YYYY-MM-DD (times in Asia/Shanghai)."""
    moment = _moment(value)
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def minute(value: Any) -> str:
    """A time as YYYY-MM-DD HH:MM in Asia/Shanghai (a bare date stays a date)."""
    moment = _moment(value)
    return moment.strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else moment.isoformat()


def count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not a count: {value!r}")
    return value


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a number: {value!r}")
    return value


def percent(share: Any) -> str:
    return f"{round(number(share) * 100, 1):g}%"


def text(value: Any, limit: int = TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return shorten(" ".join(value.split()), limit)


def url(value: Any) -> str:
    return text(value, URL_CHARS)


def quote(value: Any, zh: bool) -> str:
    return f"“{text(value)}”" if zh else f'"{text(value)}"'


def label(table: dict[str, tuple[str, str]], code: Any, zh: bool) -> str:
    pair = table.get(code) if isinstance(code, str) else None
    return pair[0 if zh else 1] if pair else str(code)


def names(items: Any, zh: bool, limit: int = LISTED) -> str:
    listed = [str(item) for item in items]
    shown = ("、" if zh else ", ").join(listed[:limit])
    rest = len(listed) - limit
    if rest > 0:
        shown += f"等{len(listed)}个" if zh else f" and {rest} more"
    return shown


def rule_title(code: Any, zh: bool) -> str:
    from tracker.rules.catalogue import rule_name

    return rule_name(code, "zh" if zh else "en") if isinstance(code, str) else str(code)


def fields_text(evidence: Any, zh: bool) -> str:
    """Any evidence as labelled fields: `key: value；…` (times as dates, long values cut)."""
    if isinstance(evidence, Mapping):
        if not evidence:
            return "（无）" if zh else "(none)"
        parts = [f"{key}{'：' if zh else ': '}{_value(value, zh)}" for key, value in evidence.items()]
        return ("；" if zh else "; ").join(parts)
    return _value(evidence, zh)


def _value(value: Any, zh: bool, depth: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, str):
        if 10 <= len(value) <= 32 and value[:4].isdigit() and value[4:5] == "-":
            try:
                return minute(value) if len(value) > 10 else day(value)
            except ValueError:
                pass
        return shorten(" ".join(value.split()), URL_CHARS if "://" in value else TEXT_CHARS)
    if isinstance(value, Mapping):
        if depth >= 2:
            return "…"
        inner = ("，" if zh else ", ").join(f"{k}{'：' if zh else ': '}{_value(v, zh, depth + 1)}"
                                           for k, v in list(value.items())[:6])
        return f"（{inner}）" if zh else f"({inner})"
    if isinstance(value, (list, tuple)):
        if depth >= 2:
            return "…"
        return names((_value(item, zh, depth + 1) for item in value), zh)
    return shorten(str(value), TEXT_CHARS)


def _window(evidence: Mapping[str, Any], zh: bool) -> str:
    start, end = evidence["window"]
    return f"{day(start)}至{day(end)}" if zh else f"{day(start)} to {day(end)}"


def _observed(evidence: Mapping[str, Any], zh: bool, what_zh: str, what_en: str) -> str:
    who, at = text(evidence.get("inspector") or ("检查人" if zh else "an inspector")), minute(evidence["observed_at"])
    note = evidence.get("note")
    if zh:
        return f"检查人{who}于{at}记录{what_zh}" + (f"（{text(note)}）" if note else "")
    return f"{who} recorded on {at} that {what_en}" + (f" ({text(note)})" if note else "")


# ---- the update family --------------------------------------------------------------------------

@says("empty_shell")
def _empty_shell(e: Mapping[str, Any], zh: bool) -> str:
    opened, days, grace = day(e["opened_on"]), count(e["days_since_opened"]), count(e["grace_days"])
    if zh:
        return f"开设于{opened}，至今{days}天无任何发布（宽限{grace}天）"
    return f"opened on {opened}, not one post in the {days} days since ({grace} days' grace)"


@says("dormant")
def _dormant(e: Mapping[str, Any], zh: bool) -> str:
    last, age, days = day(e["last_post_at"]), count(e["days_since_last_post"]), count(e["days"])
    if zh:
        return f"最近一次发布在{last}，已{age}天未更新（超过{days}天即为僵尸账号）"
    return f"last post on {last}, no update for {age} days (dormant after {days} days)"


@says("no_update")
def _no_update(e: Mapping[str, Any], zh: bool) -> str:
    days = count(e["window_days"])
    if e.get("last_post_at") is None:
        span = _window(e, zh)
        return (f"{span}的{days}天内无任何发布，此前也没有发布记录" if zh
                else f"no post in the {days} days from {span}, and none before")
    last = day(e["last_post_at"])
    return f"最近一次发布在{last}，已超过{days}天未更新" if zh else f"last post on {last}, no update for more than {days} days"


@says("low_frequency")
def _low_frequency(e: Mapping[str, Any], zh: bool) -> str:
    span, days, posts, least = _window(e, zh), count(e["window_days"]), count(e["posts_in_window"]), count(e["min_posts"])
    if zh:
        return f"{span}的{days}天内发布{posts}条，少于{least}条"
    return f"{posts} post{'s' * (posts != 1)} in the {days} days from {span}, fewer than {least}"


# ---- content ------------------------------------------------------------------------------------

@says("repost_only")
def _repost_only(e: Mapping[str, Any], zh: bool) -> str:
    span, posts, reposts = _window(e, zh), count(e["posts"]), count(e["reposts"])
    share, most = percent(e["repost_share"]), percent(e["max_repost_share"])
    if zh:
        return f"{span}发布{posts}条，其中转发{reposts}条（占{share}，超过{most}）"
    return f"{posts} posts from {span}, {reposts} of them reposts ({share}, above {most})"


@says("stopped_not_deregistered")
def _stopped(e: Mapping[str, Any], zh: bool) -> str:
    grace, parts = count(e["grace_days"]), []
    notice = e.get("notice")
    if notice is not None:
        said = [quote(notice["phrase"], zh)] if notice.get("phrase") else []
        said += [url(notice["url"])] if notice.get("url") else []
        inner = (f"（{'，'.join(said)}）" if zh else f" ({', '.join(said)})") if said else ""
        parts.append(f"{day(notice['published_at'])}发布停更公告{inner}" if zh
                     else f"announced on {day(notice['published_at'])} that it stops{inner}")
    if e.get("suspended_on") is not None:
        parts.append(f"{day(e['suspended_on'])}备案停更" if zh else f"filed as suspended on {day(e['suspended_on'])}")
    if not parts:
        raise ValueError("neither a notice nor a suspension")
    if zh:
        return "，".join(parts) + f"，超过{grace}天仍未注销"
    return "; ".join(parts) + f"; not deregistered after more than {grace} days"


def _matches(e: Mapping[str, Any], zh: bool, one: Callable[[Mapping[str, Any]], str]) -> str:
    matches, posts = e["matches"], count(e["posts"])
    said = ("；" if zh else "; ").join(one(match) for match in matches[:LISTED])
    if not said:
        raise ValueError("no match listed")
    if posts > min(len(matches), LISTED):
        said += (f"；{_window(e, zh)}共{posts}条" if zh else f"; {posts} posts in all from {_window(e, zh)}")
    return said


def _post(match: Mapping[str, Any], zh: bool) -> str:
    where = url(match["url"]) if match.get("url") else (f"#{text(match['post_id'])}" if match.get("post_id") else "")
    return f"{day(match['published_at'])}发布的 {where}".rstrip() if zh else f"the post of {day(match['published_at'])} {where}".rstrip()


@says("ad_link")
def _ad_link(e: Mapping[str, Any], zh: bool) -> str:
    def one(match: Mapping[str, Any]) -> str:
        found = text(match["match"])
        if found.startswith("平台标注广告"):
            return f"{_post(match, zh)} 被平台标注为广告" if zh else f"{_post(match, zh)} is marked as an ad by the platform"
        return f"{_post(match, zh)} 链接商业网站 {found}" if zh else f"{_post(match, zh)} links the commercial site {found}"

    return _matches(e, zh, one)


@says("privacy_leak")
def _privacy_leak(e: Mapping[str, Any], zh: bool) -> str:
    def one(match: Mapping[str, Any]) -> str:
        shown = text(match["match"]).replace("身份证号", "居民身份证号" if zh else "resident ID")
        if not zh:
            shown = shown.replace("手机号", "mobile number")
        return f"{_post(match, zh)} 未遮挡{shown}" if zh else f"{_post(match, zh)} shows, unmasked, {shown}"

    return _matches(e, zh, one)


@says("banned_expression")
def _banned_expression(e: Mapping[str, Any], zh: bool) -> str:
    def one(match: Mapping[str, Any]) -> str:
        terms = [term for term in text(match["match"], 200).split("|") if term]
        listed = "".join(quote(term, True) for term in terms[:LISTED]) if zh else ", ".join(quote(t, False) for t in terms[:LISTED])
        return f"{_post(match, zh)} 含严重错误表述{listed}" if zh else f"{_post(match, zh)} contains the serious error {listed}"

    return _matches(e, zh, one)


# ---- identity and filing --------------------------------------------------------------------------

@says("unfiled_rename")
def _unfiled_rename(e: Mapping[str, Any], zh: bool) -> str:
    filed, shown, at = quote(e["filed_name"], zh), quote(e["profile_name"], zh), day(e["profile_at"])
    if zh:
        return f"备案名称为{filed}，{at}的账号资料显示为{shown}，更名未备案"
    return f"filed as {filed}, the profile of {at} shows {shown}; the rename was not filed"


@says("subject_mismatch")
def _subject_mismatch(e: Mapping[str, Any], zh: bool) -> str:
    org, at = quote(e["org_name"], zh), day(e["profile_at"])
    if e.get("problem") == "unverified" or e.get("verified") is False:
        return (f"{at}的账号资料显示未认证（主办单位{org}）" if zh
                else f"the profile of {at} is not verified (filed organisation {org})")
    reason = quote(e["verified_reason"], zh) if e.get("verified_reason") else ("（空）" if zh else "(empty)")
    if zh:
        return f"{at}的认证信息{reason}未写明主办单位{org}"
    return f"the verification of {at}, {reason}, does not name the filed organisation {org}"


@says("duplicate_account")
def _duplicate_account(e: Mapping[str, Any], zh: bool) -> str:
    org, platform, accounts = quote(e["org_name"], zh), label(PLATFORMS, e["platform"], zh), list(e["accounts"])
    code = f"（{text(e['org_code'])}）" if zh and e.get("org_code") else (f" ({text(e['org_code'])})" if e.get("org_code") else "")
    if zh:
        return f"主办单位{org}{code}在{platform}开设了{len(accounts)}个账号：{names(accounts, zh)}"
    return f"{org}{code} runs {len(accounts)} accounts on {platform}: {names(accounts, zh)}"


@says("late_filing")
def _late_filing(e: Mapping[str, Any], zh: bool) -> str:
    allowed = count(e["working_days_allowed"])

    def one(filing: Mapping[str, Any]) -> str:
        kind, days = label(FILING_KINDS, filing["kind"], zh), count(filing["working_days"])
        effective, recorded = day(filing["effective_on"]), day(filing["recorded_at"])
        if zh:
            return f"{kind}生效于{effective}，{recorded}才备案，相隔{days}个工作日"
        return f"the {kind} effective {effective} was filed on {recorded}, {days} working days later"

    filings = list(e["filings"])
    said = ("；" if zh else "; ").join(one(filing) for filing in filings[:LISTED])
    if not said:
        raise ValueError("no filing listed")
    more = len(filings) - LISTED
    if zh:
        return said + (f"；另有{more}项" if more > 0 else "") + f"（应在{allowed}个工作日内备案）"
    return said + (f"; {more} more" if more > 0 else "") + f" (allowed: {allowed} working days)"


# ---- platforms and inspectors -----------------------------------------------------------------------

@says("comments_disabled")
def _comments_disabled(e: Mapping[str, Any], zh: bool) -> str:
    if "observed_at" in e:
        return _observed(e, zh, "评论已关闭", "comments are off")
    post = _post(e, zh)
    return f"平台数据显示评论已关闭（{post}）" if zh else f"the platform reports comments off ({post})"


@says("app_unavailable")
def _app_unavailable(e: Mapping[str, Any], zh: bool) -> str:
    if "observed_at" in e:
        return _observed(e, zh, "客户端无法下载或使用", "the app cannot be downloaded or used")
    at = minute(e["probe_at"])
    status = f"HTTP {count(e['http_status'])}" if e.get("http_status") is not None else ""
    said = text(e["detail"], URL_CHARS) if e.get("detail") else ""
    detail = said if status and said.startswith(status) else ("，" if zh else ", ").join(p for p in (status, said) if p)
    if zh:
        return f"{at}探测客户端无法下载或使用" + (f"（{detail}）" if detail else "")
    return f"the probe of {at} found the app cannot be downloaded or used" + (f" ({detail})" if detail else "")


@says("fake_engagement")
def _fake_engagement(e: Mapping[str, Any], zh: bool) -> str:
    most, parts = percent(e["max_daily_growth"]), []
    for jump in list(e.get("jumps") or ())[:LISTED]:
        start, end = minute(jump["from_at"]), minute(jump["to_at"])
        before, after, growth = count(jump["from"]), count(jump["to"]), percent(jump["growth"])
        parts.append(f"粉丝数从{start}的{before:,}增至{end}的{after:,}（增长{growth}，上限{most}），期间无发布" if zh
                     else f"followers went from {before:,} on {start} to {after:,} on {end} (+{growth}, limit {most}) with no post between")
    if "observed_at" in e:
        parts.append(_observed(e, zh, "数据造假", "the figures are faked"))
    if not parts:
        raise ValueError("neither a jump nor an observation")
    return ("；" if zh else "; ").join(parts)


@says("feed_unreachable")
def _feed_unreachable(e: Mapping[str, Any], zh: bool) -> str:
    failed, poll = count(e["failed_in_a_row"]), e["last_poll"]
    outcome = label(OUTCOMES, poll.get("outcome"), zh) if poll.get("outcome") else ""
    status = f"HTTP {count(poll['http_status'])}" if poll.get("http_status") is not None else ""
    how = ("，" if zh else ", ").join(part for part in (outcome, status) if part)
    last = f"{minute(poll['at'])}" + (f"，{how}" if zh and how else (f", {how}" if how else ""))
    success = e.get("last_success_at")
    if zh:
        ok = f"上次成功抓取在{minute(success)}" if success else "从未成功抓取"
        return f"订阅源连续{failed}次抓取失败（最近一次{last}），{ok}"
    ok = f"last successful fetch on {minute(success)}" if success else "never fetched successfully"
    return f"the feed failed {failed} times in a row (last on {last}); {ok}"


def _website_held(held: Mapping[str, Any], zh: bool) -> str:
    rule = rule_title(held["would_fire"], zh)
    if held["missing"] == "few_probes":
        probes, needed = count(held["probes"]), count(held["min_probes"])
        return (f"窗口内仅探测{probes}次，不足{needed}次，无法判断（{rule}）" if zh
                else f"only {probes} probes in the window, fewer than {needed}; cannot judge ({rule})")
    if held["missing"] == "homepage_not_fetched":
        last = held.get("last_ok_at")
        said = (f"首页最近一次成功抓取在{minute(last)}，已过期" if last else "首页从未成功抓取") if zh else (
            f"the homepage was last fetched on {minute(last)}, too long ago" if last else "the homepage was never fetched")
        return f"{said}，无法判断（{rule}）" if zh else f"{said}; cannot judge ({rule})"
    raise ValueError(f"unknown missing {held['missing']!r}")


@says("unverified")
def _unverified(e: Mapping[str, Any], zh: bool) -> str:
    if e.get("website"):
        parts = [_website_held(held, zh) for held in e["website"]]
        return ("待核实：" if zh else "to be verified: ") + ("；" if zh else "; ").join(parts)
    missing, rule = e["missing"], rule_title(e["would_fire"], zh)
    outcome = label(OUTCOMES, e["last_outcome"], zh) if e.get("last_outcome") else ""
    if missing == "no_successful_fetch":
        said = ("订阅源从未成功抓取" + (f"（{outcome}）" if outcome else "") if zh
                else "the feed has never been fetched successfully" + (f" ({outcome})" if outcome else ""))
    elif missing == "fetch_failing":
        since = day(e["failing_since"]) if e.get("failing_since") else None
        last = minute(e["last_ok_at"]) if e.get("last_ok_at") else None
        if zh:
            said = (f"最近一次成功抓取在{last}，" if last else "") + (f"订阅源自{since}起抓取失败" if since else "订阅源抓取失败")
            said += f"（{outcome}）" if outcome else ""
        else:
            said = (f"the feed has failed since {since}" if since else "the feed fails") + (f" ({outcome})" if outcome else "")
            said += f", last successful fetch on {last}" if last else ""
    elif missing == "history_short":
        start, end = e["span"]
        reach = day(e["history_from"] if e.get("history_from") else e["seen_from"])
        needed = (f"{day(start)}至{day(end)}" if zh else f"{day(start)} to {day(end)}") if start else (
            f"截至{day(end)}的全部时间" if zh else f"all the time up to {day(end)}")
        said = (f"抓取到的记录只能追溯到{reach}，未覆盖{needed}" if zh
                else f"the history seen reaches back only to {reach}, not over {needed}")
    else:
        raise ValueError(f"unknown missing {missing!r}")
    if zh:
        return f"待核实：{said}，无法判断是否更新（{rule}）"
    return f"to be verified: {said}; cannot tell whether it posted ({rule})"


# ---- filings ----------------------------------------------------------------------------------------

FILING_FIELDS = {
    "region": ("地区", "region"), "org_name": ("主办单位", "organisation"), "org_code": ("统一社会信用代码", "org code"),
    "platform": ("平台", "platform"), "account_id": ("账号ID", "account id"), "account_name": ("账号名称", "name"),
    "opened_on": ("开设日期", "opened"), "feed_url": ("订阅源", "feed"), "profile_url": ("主页", "profile"),
    "filing_no": ("备案编号", "filing no."), "notice_from": ("注销公告起始", "closure notice from"),
    "source": ("来源", "source"), "status": ("状态", "status"), "previous": ("变更前", "before"),
}


def filing_text(payload: Any, lang: str = "zh", limit: int | None = None) -> str:
    """A filing's content as labelled fields in `lang`: 地区：福建省/福州市；主办单位：…. Never raises."""
    zh = lang != "en"
    if not isinstance(payload, Mapping):
        return fields_text(payload, zh)
    parts = []
    for key, value in payload.items():
        if value is None or value == "":
            continue
        name = label(FILING_FIELDS, key, zh) if key in FILING_FIELDS else str(key)
        shown = label(PLATFORMS, value, zh) if key == "platform" else _value(value, zh)
        if key in ("feed_url", "profile_url") and isinstance(value, str):
            shown = url(value)
        elif isinstance(value, Mapping):
            shown = f"（{filing_text(value, lang).replace('；', '，')}）" if zh else f"({filing_text(value, lang).replace('; ', ', ')})"
        parts.append(f"{name}{'：' if zh else ': '}{shown}")
    said = ("；" if zh else "; ").join(parts) or ("（无）" if zh else "(none)")
    return shorten(said, limit) if limit else said


# ---- 政府网站 (docs/contract.md §10) -------------------------------------------------------------------

_MARKS = {"conac": ("党政机关网站标识", "the 党政机关 site mark"), "site_code": ("网站标识码", "the site code"),
          "icp": ("ICP备案编号", "the ICP number"), "police": ("公安机关备案标识", "the police filing mark"),
          "sponsor": ("网站主办单位", "the sponsor"), "contact": ("联系方式", "the contact details")}


def _pts(e: Mapping[str, Any], zh: bool) -> str:
    return f"，扣{number(e['points']):g}分" if zh else f"; costs {number(e['points']):g} points"


@says("site_unreachable")
def _site_unreachable(e: Mapping[str, Any], zh: bool) -> str:
    start, end = e["span"]
    total, failed, share = count(e["probes"]), count(e["failed"]), number(e["failure_share"])
    if zh:
        return f"{day(start)}至{day(end)}探测{total}次，失败{failed}次（超时{count(e['timeouts'])}次），失败率{share:.1%}"
    return f"{failed} of {total} probes from {day(start)} to {day(end)} failed ({count(e['timeouts'])} timeouts), {share:.1%}"


@says("homepage_stale")
def _homepage_stale(e: Mapping[str, Any], zh: bool) -> str:
    newest, days = e.get("newest_date"), number(e["window_days"])
    page = url(e["homepage"])
    if zh:
        return f"首页{page}最新日期为{day(newest)}，{days:g}天内无更新" if newest else f"首页{page}没有标注日期的信息"
    return f"the newest date on {page} is {day(newest)}, nothing in {days:g} days" if newest else f"{page} shows no dated item"


@says("columns_stale")
def _columns_stale(e: Mapping[str, Any], zh: bool) -> str:
    stale, empty = list(e["stale"]), list(e["empty"])
    named = "、".join(f"{quote(c['name'], zh)}（{day(c['newest_date'])}）" for c in stale[:LISTED])
    more = f"等{len(stale)}个" if len(stale) > LISTED else ""
    if zh:
        return "；".join(p for p in (f"栏目不更新{len(stale)}个：{named}{more}" if stale else "",
                                      f"空白栏目{len(empty)}个" if empty else "") if p)
    return "; ".join(p for p in (f"{len(stale)} columns not updated: " + ", ".join(
        f"{quote(c['name'], zh)} ({day(c['newest_date'])})" for c in stale[:LISTED]) if stale else "",
        f"{len(empty)} empty columns" if empty else "") if p)


@says("site_identity")
def _site_identity(e: Mapping[str, Any], zh: bool) -> str:
    names = ("、" if zh else ", ").join(label(_MARKS, m, zh) for m in e["missing"])
    return (f"页面底部缺少{names}" if zh else f"the footer lacks {names}") + _pts(e, zh)


@says("broken_links")
def _broken_links(e: Mapping[str, Any], zh: bool) -> str:
    broken = list(e["broken"])
    named = ("、" if zh else ", ").join(url(b["url"]) for b in broken[:LISTED])
    if zh:
        return f"首页检查{count(e['checked'])}个链接，{len(broken)}个不可用：{named}" + _pts(e, zh)
    return f"{len(broken)} of {count(e['checked'])} homepage links are broken: {named}" + _pts(e, zh)


@says("jiucuo_entry")
def _jiucuo_entry(e: Mapping[str, Any], zh: bool) -> str:
    return ("首页未设置“我为政府网站找错”入口" if zh else "the homepage has no 我为政府网站找错 entry") + _pts(e, zh)


@says("ipv6")
def _ipv6(e: Mapping[str, Any], zh: bool) -> str:
    if zh:
        said = "域名无AAAA记录" if not e["aaaa"] else "有AAAA记录但IPv6下无法访问"
    else:
        said = "the host has no AAAA record" if not e["aaaa"] else "the host has an AAAA record but does not answer over IPv6"
    return said + _pts(e, zh)


@says("page_tags")
def _page_tags(e: Mapping[str, Any], zh: bool) -> str:
    pages = list(e["pages"])
    first = pages[0]
    missing = "、".join(first["missing"]) if zh else ", ".join(first["missing"])
    if zh:
        return f"{len(pages)}个页面缺少元数据标签，如{url(first['url'])}缺少{missing}" + _pts(e, zh)
    return f"{len(pages)} pages lack meta tags, e.g. {url(first['url'])} lacks {missing}" + _pts(e, zh)
