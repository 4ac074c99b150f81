"""One account: filing history, weekly post sparkline and recent posts, findings with their
evidence, observations, profile and last poll. Keys open the filing forms for this account."""

from __future__ import annotations

from datetime import timedelta

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Sparkline, Static

from tracker.domain.text_out import printable
from tracker.domain.times import now_utc
from tracker.read import accounts as views
from tracker.rules.website import MARK_NAMES
from tui.i18n import FACT, FILING, PLATFORM, STATUS, load_rule_names, name_of, t
from tui.messages import FormRequested
from tui.screens.base import TrackerScreen, shows_errors
from tui.widgets.format import evidence_line, filing_line, literal, rule_label, severity_label, when
from tui.widgets.table import DataTable


class AccountDetailScreen(TrackerScreen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "nav.back"),
        Binding("n", "form('rename')", "key.rename"),
        Binding("t", "form('transfer')", "key.transfer"),
        Binding("s", "form('suspend')", "key.suspend"),
        Binding("x", "form('close')", "key.close"),
        Binding("o", "form('observe')", "key.observe"),
    ]

    def __init__(self, account: str) -> None:
        super().__init__()
        self.account = account

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(literal(self.account), id="info", classes="panel")
            if self.account.startswith("website:"):  # a 政府网站 (docs/contract.md §10)
                yield Static(t("det.availability"), classes="section-title")
                yield Sparkline([0], id="availability")
                yield Static("", id="availability-range", classes="dim")
                yield Static(t("det.site"), classes="section-title")
                yield Static("", id="site")
                yield Static(t("det.columns"), classes="section-title")
                yield DataTable(id="columns", cursor_type="row", show_cursor=False)
            yield Static(t("det.timeline"), classes="section-title")
            yield Sparkline([0], id="weekly")
            yield Static("", id="weekly-range", classes="dim")
            yield Static(t("det.findings"), classes="section-title")
            yield Static("", id="findings")  # wrapped text: evidence can be long (URLs, matched text)
            yield Static(t("det.filings"), classes="section-title")
            yield DataTable(id="filings", cursor_type="row", show_cursor=False)
            yield Static(t("det.posts"), classes="section-title")
            yield DataTable(id="posts", cursor_type="row", show_cursor=False)
            yield Static(t("det.observations"), classes="section-title")
            yield DataTable(id="observations", cursor_type="row", show_cursor=False)
        yield Footer()

    def on_mount(self) -> None:
        columns = {
            "#filings": ("col.effective", "col.kind", "col.by", "col.doc", "col.details", "col.time"),
            "#posts": ("col.time", "col.title", "col.flags"),
            "#observations": ("col.time", "col.kind", "col.inspector", "col.note"),
        }
        if self.account.startswith("website:"):
            columns["#columns"] = ("col.column", "col.kind", "col.newest", "col.outcome")
        for selector, keys in columns.items():
            self.query_one(selector, DataTable).add_columns(*(t(key) for key in keys))
        super().on_mount()

    @work(thread=True, exclusive=True, group="detail")
    @shows_errors
    def load(self) -> None:
        detail = views.account_detail(self.app.db, self.account, self.app.at)
        load_rule_names()
        self.app.call_from_thread(self.show, detail)

    def show(self, detail: views.AccountDetail | None) -> None:
        if detail is None:
            self.query_one("#info", Static).update(literal(t("det.not_found", account=self.account)))
            return
        self.query_one("#info", Static).update(self._info(detail))
        self.query_one("#weekly", Sparkline).data = detail.weekly_posts
        end = self.app.at or now_utc()
        start = end - timedelta(weeks=len(detail.weekly_posts))
        self.query_one("#weekly-range", Static).update(t(
            "det.weeks", start=when(start)[:10], end=when(end)[:10],
            total=sum(detail.weekly_posts), peak=max(detail.weekly_posts, default=0),
        ))
        self.query_one("#findings", Static).update(self._findings(detail) or literal(t("det.none")))
        if detail.website is not None and self.account.startswith("website:"):
            self._website(detail.website, end)
        self._fill("#filings", [
            (str(e.effective_on), name_of(FILING, e.kind), e.by or "", e.doc_no or "",
             filing_line(e.payload, 80), when(e.recorded_at))
            for e in detail.filings
        ])
        self._fill("#posts", [(when(p.published_at), (p.title or p.text)[:60], self._flags(p)) for p in detail.posts])
        self._fill("#observations", [
            (when(o.observed_at), name_of(FACT, o.kind), o.inspector, o.note or "") for o in detail.observations
        ])

    def _info(self, detail: views.AccountDetail) -> Content:
        """Data as literal text (`printable` in a `Content`, never markup), styled by pieces."""
        a = detail.account
        lines = [
            Content.assemble((printable(a.account_name), "b"), "  ", printable(a.account), "  ·  ",
                             printable(f"{name_of(PLATFORM, a.platform)}  ·  {name_of(STATUS, a.status)}")),
            Content(printable(f"{a.org_name}  {a.org_code}  ·  {a.region}  ·  {t('det.opened', opened=a.opened_on)}")),
        ]
        profile = detail.profile
        if profile is not None:
            verified = t("yes") if profile.verified else t("no")
            if profile.verified_reason:
                verified += f"（{profile.verified_reason}）"
            followers = f"{profile.followers:,}" if profile.followers is not None else "—"
            lines.append(Content(printable(f"{t('det.profile')}: " + t("det.profile_line", name=profile.display_name or "—",
                                                                verified=verified, followers=followers))))
        poll = detail.last_poll
        if poll is None:
            lines.append(Content(printable(f"{t('det.poll')}: {t('det.no_poll')}")))
        else:
            detail_text = (poll.detail or "")[:80]
            lines.append(Content(printable(f"{t('det.poll')}: " + t("det.poll_line", when=when(poll.started_at), outcome=poll.outcome,
                                                           new=poll.new_posts, detail=detail_text))))
        return Content("\n").join(lines)

    @staticmethod
    def _findings(detail: views.AccountDetail) -> Content | None:
        lines = []
        for f in detail.findings:
            style = "b red" if f.severity == "veto" and f.active else "b"
            resolved = "" if f.active else t("det.resolved")
            lines.append(Content.assemble((printable(rule_label(f.rule)), style), printable(
                f" · {severity_label(f.severity)}{resolved} · {t('col.first_seen')} {when(f.first_seen_at)}")))
            lines.append(Content(printable(f"  {t('col.evidence')}: {evidence_line(f.rule, f.evidence, 1000)}")))
        return Content("\n").join(lines) if lines else None

    def _website(self, site: views.WebsiteView, end) -> None:
        self.query_one("#availability", Sparkline).data = site.failures_per_day
        self.query_one("#availability-range", Static).update(literal(t(
            "det.availability_line", start=when(end - timedelta(days=len(site.failures_per_day)))[:10],
            end=when(end)[:10], probes=sum(site.probes_per_day), failed=sum(site.failures_per_day))))
        poll = site.last_poll
        if poll is None:
            self.query_one("#site", Static).update(literal(t("det.site_none")))
            self._fill("#columns", [])
            return
        marks = poll.marks or {}
        present = "、".join(MARK_NAMES[m] for m in MARK_NAMES if marks.get(m)) or t("det.none")
        missing = "、".join(MARK_NAMES[m] for m in MARK_NAMES if not marks.get(m)) or t("det.none")
        yes_no = {True: t("yes"), False: t("no"), None: "—"}
        lines = [t("det.site_poll", when=when(poll.polled_at), outcome=poll.outcome,
                   newest=poll.homepage_newest.isoformat() if poll.homepage_newest else "—"),
                 f"{t('det.marks')}：" + t("det.marks_line", present=present, missing=missing),
                 t("det.jiucuo", value=poll.jiucuo or t("det.none")),
                 t("det.ipv6", aaaa=yes_no[poll.ipv6_aaaa], ok=yes_no[poll.ipv6_ok]),
                 t("det.broken", checked=poll.links_checked or 0) + "："]
        lines += [f"  {b.get('url')}  {b.get('outcome')} {b.get('status') or ''}".rstrip()
                  for b in (poll.broken_links or [])[:20]] or [f"  {t('det.none')}"]
        self.query_one("#site", Static).update(Content("\n").join(Content(printable(line)) for line in lines))
        self._fill("#columns", [(c.get("name", ""), c.get("kind", ""), c.get("newest") or "—", c.get("outcome", ""))
                                for c in poll.columns or ()])

    @staticmethod
    def _flags(post) -> str:
        flags = [t("flag.repost")] if post.is_repost else []
        flags += [t("flag.pinned")] if post.is_pinned else []
        flags += [t("flag.ad")] if post.is_ad else []
        flags += [t("flag.no_comments")] if post.comments_enabled is False else []
        return " ".join(flags)

    def _fill(self, selector: str, rows: list[tuple]) -> None:
        table = self.query_one(selector, DataTable)
        table.clear()
        for row in rows:
            table.add_row(*row)
        if not rows:
            table.add_row(t("det.none"), *([""] * (len(table.columns) - 1)))

    def action_form(self, kind: str) -> None:
        self.post_message(FormRequested(kind, self.account))
