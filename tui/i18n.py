"""The one message catalogue of the terminal UI: every label in Chinese and English.

Widgets call `t("key")`; nothing else in `tui/` holds user-facing text. Chinese is the default;
`set_language("en")` (from `--lang en`) switches before the app is built.
"""

from __future__ import annotations

from tracker.domain.labels import FILING_KINDS, PLATFORMS
from tracker.rules.catalogue import rule_name as registered
from tracker.rules.catalogue import rules

CATALOGUE: dict[str, tuple[str, str]] = {
    # application and navigation
    "app.title": ("政务新媒体监管", "Government new-media tracker"),
    "nav.dashboard": ("总览", "Dashboard"),
    "nav.accounts": ("账号", "Accounts"),
    "nav.findings": ("问题", "Findings"),
    "nav.reports": ("检查与通报", "Inspections & reports"),
    "nav.help": ("帮助", "Help"),
    "nav.quit": ("退出", "Quit"),
    "nav.search": ("搜索", "Search"),
    "nav.palette": ("命令面板", "Commands"),
    "nav.back": ("返回", "Back"),
    "nav.next_page": ("下一页", "Next page"),
    "nav.prev_page": ("上一页", "Previous page"),
    "nav.group": ("切换分组", "Change grouping"),
    "nav.unverified": ("待核实", "Unverified"),
    "nav.due": ("临期", "Due"),
    "nav.refresh": ("刷新", "Refresh"),
    "nav.submit": ("提交", "Submit"),
    "nav.cancel": ("取消", "Cancel"),
    "key.rename": ("更名", "rename"),
    "key.transfer": ("变更单位", "transfer"),
    "key.suspend": ("停更", "suspend"),
    "key.close": ("注销", "close"),
    "key.observe": ("检查记录", "observe"),
    # dashboard
    "dash.running": ("运行总数", "Running"),
    "dash.checked": ("检查总数", "Checked"),
    "dash.failed": ("不合格数", "Failed"),
    "dash.fail_rate": ("不合格率", "Fail rate"),
    "dash.unverified": ("待核实", "Unverified"),
    "dash.due": ("临期", "Due to lapse"),
    "due.loading": ("临期账号（计算中…）", "Accounts due to lapse (computing…)"),
    "due.title": ("临期账号 {count} 个：不发布将在下列时间起判为不更新（l 打开，Esc 返回）",
                  "{count} accounts due to lapse: unless they post, a finding from the time shown"),
    "due.lapses": ("临期时间", "Lapses at"),
    "due.days_left": ("剩余天数", "Days left"),
    "due.unverified": ("待核实 {count} 个（订阅源抓取失败，无法判断是否临期）：{names}",
                       "{count} unverified (their feed is failing, so whether they are due is unknown): {names}"),
    "dash.regions": ("各地区情况", "By region"),
    "dash.newest": ("最新发现的问题", "Newest findings"),
    "dash.poll": ("抓取情况", "Polling"),
    "dash.loading": ("正在统计…", "Counting…"),
    "dash.as_of": ("统计时点 {at} · {quarter}{sampled}", "As of {at} · {quarter}{sampled}"),
    "dash.sampled": (" · 按抽查样本", " · inspection sample"),
    "dash.empty": ("备案库为空：先导入 tracker registry import 文件.csv，或用 Ctrl+P 开设账号；试用可运行 tracker demo",
                   "The registry is empty: tracker registry import FILE.csv, or open an account with Ctrl+P; try tracker demo"),
    "dash.total": ("合计", "Total"),
    "dash.trend": ("不合格率（近8个季度）", "Fail rate, last 8 quarters"),
    "dash.by_platform": ("各平台不合格率", "Fail rate by platform"),
    "dash.no_data": ("无检查记录", "not checked"),
    "dash.rate_of": ("{rate}（{failed}/{checked}）", "{rate} ({failed}/{checked})"),
    "dash.poll_line": ("最近抓取 {last} · 失败中 {failing} · 未抓取 {never}", "Last poll {last} · failing {failing} · never polled {never}"),
    "dash.never": ("从未", "never"),
    "dash.no_findings": ("暂无问题。", "No findings."),
    "dash.jobs": ("最近任务：{runs}", "Recent jobs: {runs}"),
    "dash.no_jobs": ("尚无定时任务运行记录（tracker schedule）", "no scheduled job has run yet (tracker schedule)"),
    "dash.job_line": ("{job} {when} {outcome}", "{job} {when} {outcome}"),
    # columns
    "col.region": ("地区", "Region"),
    "col.account": ("账号", "Account"),
    "col.platform": ("平台", "Platform"),
    "col.name": ("账号名称", "Name"),
    "col.org": ("主办单位", "Organisation"),
    "col.status": ("状态", "Status"),
    "col.rules": ("问题", "Findings"),
    "col.rule": ("规则", "Rule"),
    "col.severity": ("性质", "Severity"),
    "col.evidence": ("依据", "Evidence"),
    "col.first_seen": ("首次发现", "First seen"),
    "col.time": ("时间", "Time"),
    "col.kind": ("类型", "Kind"),
    "col.column": ("栏目", "Column"),
    "col.newest": ("最新日期", "Newest date"),
    "col.outcome": ("结果", "Outcome"),
    "col.effective": ("生效日期", "Effective"),
    "col.by": ("经办人", "By"),
    "col.doc": ("文号", "Document"),
    "col.details": ("内容", "Details"),
    "col.title": ("标题", "Title"),
    "col.flags": ("标记", "Flags"),
    "col.inspector": ("检查人", "Inspector"),
    "col.note": ("备注", "Note"),
    "col.quarter": ("季度", "Quarter"),
    "col.ratio": ("比例", "Ratio"),
    "col.sample": ("样本数", "Sample"),
    "col.planned": ("抽样时间", "Planned"),
    "col.ran": ("检查时间", "Run"),
    # accounts
    "acc.all": ("全部", "All"),
    "acc.any_region": ("全部地区", "All regions"),
    "acc.any_platform": ("全部平台", "All platforms"),
    "acc.any_status": ("全部状态", "All statuses"),
    "acc.any_rule": ("全部问题", "All findings"),
    "acc.search_hint": ("按名称或账号搜索（/）", "Search name or account (/)"),
    "acc.page": ("第 {page}/{pages} 页 · 共 {total} 个账号", "Page {page}/{pages} · {total} accounts"),
    "acc.loading": ("正在加载…", "Loading…"),
    "acc.none": ("没有符合条件的账号。", "No account matches."),
    # detail
    "det.info": ("基本信息", "Account"),
    "det.filings": ("备案记录", "Filing history"),
    "det.timeline": ("发布时间线（近26周，每周发布数）", "Posts per week (last 26 weeks)"),
    "det.posts": ("最近发布", "Recent posts"),
    "det.findings": ("问题与依据", "Findings and evidence"),
    "det.observations": ("人工检查记录", "Observations"),
    "det.poll": ("最近抓取", "Last poll"),
    "det.profile": ("主页信息", "Profile"),
    "det.not_found": ("登记中没有账号 {account}", "No account {account} in the registry"),
    "det.opened": ("开设 {opened}", "opened {opened}"),
    "det.no_poll": ("尚未抓取", "not polled yet"),
    "det.poll_line": ("{when} · {outcome} · 新增 {new} 条 {detail}", "{when} · {outcome} · {new} new {detail}"),
    "det.profile_line": ("名称 {name} · 认证 {verified} · 粉丝 {followers}", "name {name} · verified {verified} · followers {followers}"),
    "det.none": ("无", "none"),
    "det.availability": ("可用性（近7天，每天探测失败次数）", "Availability (last 7 days, failed probes per day)"),
    "det.availability_line": ("{start} 至 {end}：探测 {probes} 次，失败 {failed} 次", "{start} to {end}: {probes} probes, {failed} failed"),
    "det.site": ("网站检查（最近一次抓取）", "Website check (newest poll)"),
    "det.site_none": ("尚未抓取", "not polled yet"),
    "det.site_poll": ("抓取 {when} · {outcome} · 首页最新日期 {newest}", "polled {when} · {outcome} · newest homepage date {newest}"),
    "det.columns": ("栏目", "Columns"),
    "det.marks": ("页面底部标识", "Footer marks"),
    "det.marks_line": ("具备：{present}；缺少：{missing}", "present: {present}; missing: {missing}"),
    "det.broken": ("不可用链接（检查 {checked} 个）", "Broken links ({checked} checked)"),
    "det.jiucuo": ("我为政府网站找错入口：{value}", "我为政府网站找错 entry: {value}"),
    "det.ipv6": ("IPv6：AAAA记录 {aaaa}，IPv6访问 {ok}", "IPv6: AAAA record {aaaa}, answers over IPv6 {ok}"),
    "dash.websites": ("政府网站：运行 {running} 个 · 检查 {checked} 个 · 不合格 {failed} 个（{rate}）",
                      "Government websites: {running} running · {checked} checked · {failed} failed ({rate})"),
    "det.weeks": ("{start} 至 {end} · 共 {total} 条 · 最多一周 {peak} 条", "{start} to {end} · {total} posts · busiest week {peak}"),
    "det.resolved": ("（已整改）", " (resolved)"),
    "flag.repost": ("转发", "repost"),
    "flag.pinned": ("置顶", "pinned"),
    "flag.ad": ("广告", "ad"),
    "flag.no_comments": ("关评", "comments off"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # findings screen
    "fnd.by_rule": ("按规则分组", "Grouped by rule"),
    "fnd.by_region": ("按地区分组", "Grouped by region"),
    "fnd.only_unverified": ("仅待核实（更新情况无法核实，不计入不合格）", "unverified only (updates not judged, never failed)"),
    "fnd.group_line": ("{label}（{count}）", "{label} ({count})"),
    # reports screen
    "rep.quarter": ("季度（如 2026Q3）", "Quarter (e.g. 2026Q3)"),
    "rep.at": ("检查时点（留空为现在）", "As of (blank = now)"),
    "rep.ratio": ("抽查比例", "Sample ratio"),
    "rep.seed": ("随机种子", "Seed"),
    "rep.format": ("通报格式", "Report format"),
    "rep.output": ("输出文件", "Output file"),
    "rep.region": ("地区（留空为全部）", "Region (blank = all)"),
    "rep.check": ("运行检查", "Run check"),
    "rep.plan": ("抽取样本", "Plan inspection"),
    "rep.run": ("运行抽查", "Run inspection"),
    "rep.export": ("导出通报", "Export report"),
    "rep.poll": ("立即抓取", "Poll now"),
    "rep.inspections": ("抽查记录", "Inspections"),
    "rep.cases": ("整改台账", "Rectification cases"),
    "col.due": ("整改期限", "Due"),
    "col.repeat": ("屡查屡犯", "Repeat"),
    "rep.working": ("正在执行：{what}…", "Running: {what}…"),
    "rep.check_done": ("检查完成：{accounts} 个账号，{findings} 条问题", "Check done: {accounts} accounts, {findings} findings"),
    "rep.plan_done": ("已抽取 {quarter} 样本 {size} 个账号", "Planned {quarter}: {size} accounts sampled"),
    "rep.run_done": ("{quarter} 抽查完成：检查 {checked} 个，不合格 {failed} 个，新开整改 {opened} 个",
                     "{quarter} inspection run: {checked} checked, {failed} failed, {opened} cases opened"),
    "rep.export_done": ("通报已写入 {path}", "Report written to {path}"),
    "rep.poll_done": ("抓取完成：{summary}", "Poll done: {summary}"),
    # forms
    "form.open": ("备案：开设账号", "File: open an account"),
    "form.rename": ("备案：更名", "File: rename"),
    "form.transfer": ("备案：变更主办单位", "File: transfer"),
    "form.suspend": ("备案：停更", "File: suspend"),
    "form.close": ("备案：注销", "File: close"),
    "form.observe": ("记录人工检查", "Record an observation"),
    "form.account": ("账号（平台:账号ID）", "Account (platform:account_id)"),
    "form.platform": ("平台", "Platform"),
    "form.account_id": ("账号ID", "Account ID"),
    "form.account_name": ("账号名称", "Account name"),
    "form.region": ("地区（省/市/区县）", "Region (province/city/county)"),
    "form.org_name": ("主办单位", "Organisation"),
    "form.org_code": ("统一社会信用代码", "Unified social credit code"),
    "form.opened_on": ("开设日期", "Opened on"),
    "form.feed_url": ("订阅地址", "Feed URL"),
    "form.profile_url": ("主页数据地址", "Profile URL"),
    "form.filing_no": ("备案编号", "Filing number"),
    "form.name": ("新名称", "New name"),
    "form.notice_from": ("注销公告开始日期", "Closure notice from"),
    "form.effective": ("生效日期（YYYY-MM-DD）", "Effective date (YYYY-MM-DD)"),
    "form.approver": ("审批人", "Approver"),
    "form.doc": ("文号", "Document number"),
    "form.by": ("经办人", "Filed by"),
    "form.fact": ("检查事实", "Fact"),
    "form.at": ("检查时间（留空为现在）", "Observed at (blank = now)"),
    "form.inspector": ("检查人", "Inspector"),
    "form.note": ("备注", "Note"),
    "form.done": ("已记录：{what}", "Recorded: {what}"),
    "form.required": ("{field} 不能为空", "{field} is required"),
    "form.hint": ("Tab 切换字段 · Ctrl+S 提交 · Esc 取消", "Tab next field · Ctrl+S submit · Esc cancel"),
    # help
    "help.title": ("键盘操作", "Keys"),
    "help.body": (
        "d 总览    a 账号    f 问题    r 检查与通报\n"
        "/ 搜索账号    Enter 打开    Esc 返回    q 退出    ? 帮助\n"
        "Ctrl+P 命令面板：所有操作（运行检查、抓取、抽查、导出通报、备案表单…）\n"
        "账号列表：PgDn/PgUp 或 ]/[ 翻页；Tab 在筛选框之间移动\n"
        "账号详情：n 更名  t 变更主办单位  s 停更  x 注销  o 记录检查\n"
        "总览：l 临期账号（不发布即将判为不更新）\n"
        "问题：g 切换按规则/按地区分组",
        "d dashboard    a accounts    f findings    r inspections & reports\n"
        "/ search accounts    Enter open    Esc back    q quit    ? help\n"
        "Ctrl+P command palette: every action (run check, poll, inspection, export, filing forms…)\n"
        "Accounts: PgDn/PgUp or ]/[ change page; Tab moves between the filters\n"
        "Account detail: n rename  t transfer  s suspend  x close  o observe\n"
        "Dashboard: l accounts due to lapse unless they post\n"
        "Findings: g groups by rule or by region",
    ),
    # command palette
    "cmd.open": ("备案：开设账号", "File: open an account"),
    "cmd.rename": ("备案：更名", "File: rename an account"),
    "cmd.transfer": ("备案：变更主办单位", "File: transfer an account"),
    "cmd.suspend": ("备案：停更", "File: suspend an account"),
    "cmd.close": ("备案：注销", "File: close an account"),
    "cmd.observe": ("记录人工检查", "Record an observation"),
    "cmd.check": ("运行检查（现在）", "Run the check now"),
    "cmd.poll": ("立即抓取到期账号", "Poll the due accounts now"),
    "cmd.reports": ("抽查与导出通报", "Plan/run an inspection, export a report"),
    "cmdhelp.dashboard": ("总数、各地区情况、最新问题和抓取情况", "Totals, regions, newest findings, polling"),
    "cmdhelp.accounts": ("按地区、平台、状态、问题筛选账号", "Accounts by region, platform, status, finding"),
    "cmdhelp.findings": ("按规则或地区分组的问题", "Findings grouped by rule or region"),
    "cmdhelp.reports": ("运行检查、季度抽查、导出通报、整改台账", "Check, quarterly inspection, report export, cases"),
    "cmdhelp.search": ("按账号名称或 平台:账号ID 查找", "Find by name or platform:account_id"),
    "cmdhelp.check": ("以现在为时点对全部账号运行规则", "Evaluate every rule for every account as of now"),
    "cmdhelp.poll": ("抓取到期账号的订阅源和主页数据", "Fetch the feeds and profiles that are due"),
    "cmdhelp.filing": ("与 tracker file 相同的校验", "Validated like tracker file"),
    "cmdhelp.observe": ("与 tracker observe 相同", "As tracker observe"),
    "cmdhelp.help": ("全部按键", "Every key"),
    "cmdhelp.quit": ("退出程序", "Leave the app"),
}

STATUS = {"active": ("正常", "active"), "suspended": ("停更", "suspended"), "deregistered": ("已注销", "deregistered")}
SEVERITY = {"veto": ("单项否决", "veto"), "warning": ("问题", "warning"), "info": ("提示", "info")}
PLATFORM, FILING = PLATFORMS, FILING_KINDS  # the one table of each, tracker.domain.labels
CASE_STATUS = {"open": ("整改中", "open"), "overdue": ("已逾期", "overdue"), "closed": ("已整改", "closed")}
FACT = {
    "comments_disabled": ("关闭评论", "comments disabled"), "comments_enabled": ("开放评论", "comments enabled"),
    "app_unavailable": ("客户端无法使用", "app unavailable"), "app_available": ("客户端可用", "app available"),
    "fake_engagement": ("数据造假", "fake engagement"), "updates_seen": ("已查看更新", "updates seen"),
}
_language = 0  # index into the (zh, en) pairs


def set_language(lang: str) -> None:
    global _language
    if lang not in ("zh", "en"):
        raise ValueError(f"language must be zh or en, got {lang!r}")
    _language = 0 if lang == "zh" else 1


def language() -> str:
    return ("zh", "en")[_language]


def t(key: str, **values: object) -> str:
    text = CATALOGUE[key][_language]
    return text.format(**values) if values else text


def name_of(table: dict[str, tuple[str, str]], code: str | None) -> str:
    """The label of a code (platform, status, rule …); an unknown code shows as itself."""
    if code is None:
        return ""
    pair = table.get(code)
    return pair[_language] if pair else code


def localise_bindings(node) -> None:
    """Replace catalogue keys used as binding descriptions by their text in the current language.

    Textual copies a class's bindings per instance, so each screen calls this once in __init__.
    """
    from dataclasses import replace

    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            replace(b, description=t(b.description)) if b.description in CATALOGUE else b for b in bindings
        ]


def rule_name(code: str) -> str:
    """A rule's name, from the rules' own registry (the one place rule names live).

    The first call imports the rule modules; screens call `load_rule_names()` in their worker
    so that it never happens on the UI thread."""
    return registered(code, language())


def load_rule_names() -> None:
    rules()
