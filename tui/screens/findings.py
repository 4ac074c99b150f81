"""Findings grouped by rule or by region (g switches); Enter on a finding opens its account."""

from __future__ import annotations

from collections import defaultdict

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static, Tree

from tracker.domain.divisions import RegionOrder
from tracker.read import dashboard as queries
from tui.i18n import load_rule_names, t
from tui.messages import AccountChosen
from tui.screens.base import TrackerScreen, shows_errors
from tui.widgets.format import evidence_line, literal, rule_label, severity_label

UNVERIFIED = "unverified"  # 待核实 (docs/contract.md §6.4)
LEAVES_PER_GROUP = 200  # a group shows its first findings; the accounts screen filters the rest


class LiteralTree(Tree):
    """A tree whose `str` labels are shown as they are (Textual's runs them as markup)."""

    def process_label(self, label):
        return super().process_label(literal(label))


class FindingsScreen(TrackerScreen):
    BINDINGS = [Binding("g", "regroup", "nav.group"), Binding("u", "only_unverified", "nav.unverified")]

    def __init__(self) -> None:
        super().__init__()
        self.group_by = "rule"
        self.only_unverified = False  # u: only the 待核实 accounts
        self.lines: list[queries.FindingLine] = []
        self.order = RegionOrder()  # replaced by the registry's, with the findings

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("fnd.by_rule"), id="grouping", classes="section-title")
        yield LiteralTree(t("nav.findings"), id="finding-tree")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one(Tree)
        tree.show_root = False
        tree.focus()
        super().on_mount()

    @work(thread=True, exclusive=True, group="findings")
    @shows_errors
    def load(self) -> None:
        lines = queries.findings(self.app.db)
        self.order = queries.regions_in_order(self.app.db)
        load_rule_names()
        self.app.call_from_thread(self.show, lines)

    def show(self, lines: list[queries.FindingLine]) -> None:
        self.lines = lines
        order = self.order.key if self.group_by == "region" else None
        groups: dict[str, list[queries.FindingLine]] = defaultdict(list)
        for line in lines:
            if self.only_unverified and line.rule != UNVERIFIED:
                continue
            groups[line.rule if self.group_by == "rule" else queries.report_region(line.region)].append(line)
        tree = self.query_one(Tree)
        tree.clear()
        # Rules by how many accounts they hit; regions in the official order, as in the 通报.
        for key in sorted(groups, key=order if order else lambda k: (-len(groups[k]), k)):
            members = sorted(groups[key], key=lambda line: (self.order.key(line.region), line.account))
            label = rule_label(key) if self.group_by == "rule" else key
            node = tree.root.add(t("fnd.group_line", label=label, count=len(members)), expand=False)
            for line in members[:LEAVES_PER_GROUP]:
                other = line.region if self.group_by == "rule" else rule_label(line.rule)
                text = f"{line.account}  {line.account_name}  ·  {other}  ·  {severity_label(line.severity)}  ·  {evidence_line(line.rule, line.evidence, 70)}"
                node.add_leaf(text, data=line.account)
            if len(members) > LEAVES_PER_GROUP:
                node.add_leaf(f"… +{len(members) - LEAVES_PER_GROUP}")
        if tree.root.children:
            first = tree.root.children[0]
            first.expand()
            if first.children:  # the cursor starts on the first finding, ready for Enter
                tree.call_after_refresh(tree.move_cursor, first.children[0])
        key = "fnd.by_rule" if self.group_by == "rule" else "fnd.by_region"
        title = t(key) + ("  ·  " + t("fnd.only_unverified") if self.only_unverified else "")
        self.query_one("#grouping", Static).update(title)

    def action_regroup(self) -> None:
        self.group_by = "region" if self.group_by == "rule" else "rule"
        self.show(self.lines)

    def action_only_unverified(self) -> None:
        self.only_unverified = not self.only_unverified
        self.show(self.lines)

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            self.post_message(AccountChosen(event.node.data))
