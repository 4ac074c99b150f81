"""`tracker inspect plan|run`, `tracker report`, `tracker cases`: thin wrappers over
tracker.judging.inspections, tracker.reports and tracker.judging.cases."""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import echo_table
from tracker.domain.errors import TrackerError
from tracker.domain.text_out import printable
from tracker.domain.times import parse_at
from tracker.judging import cases as case_api
from tracker.judging import inspections
from tracker.reports import report_format
from tracker.reports.builder import build_report, document_meta
from tracker.reports.files import write_report

inspect_app = typer.Typer(help="Quarterly sampled inspection (季度抽查): plan a sample, then run it.",
                          no_args_is_help=True)

QUARTER = typer.Option(..., "--quarter", help="Quarter, like 2026Q3.")
AT = typer.Option(None, "--at", help="Time T (ISO 8601; no offset = Asia/Shanghai; a bare date = end of day).")


@inspect_app.command("plan")
@handles_errors
def plan(ctx: typer.Context, quarter: str = QUARTER,
         ratio: str = typer.Option(None, "--ratio", help="Share of accounts to sample, 0.3 or 30% (default: [inspection].default_ratio); "
                                                    "websites are sampled at [inspection] website_ratio (100%)."),
         seed: int = typer.Option(None, "--seed", help="Random seed (default: derived from the quarter, e.g. 20263)."),
         at: str = typer.Option(None, "--at", help="Registry state to sample from (default: end of the quarter)."),
         fmt: TableOrJson = FORMAT) -> None:
    """Draw the quarter's reproducible sample, stratified by second-level region and platform."""
    cli = context(ctx)
    ratio_value = inspections.parse_ratio(ratio if ratio is not None else cli.settings.section("inspection")["default_ratio"])
    result = inspections.plan_inspection(cli.database(), quarter, ratio_value, seed, at=parse_at(at) if at else None,
                                         website_ratio=cli.settings.section("inspection")["website_ratio"])
    data = result.as_json()
    if fmt == "json":
        print_json(data)
        return
    header = ["region", "platform", "running", "sampled"] if cli.lang == "en" else ["地区", "平台", "运行数", "抽查数"]
    echo_table(header, [[s["region"], s["platform"], s["population"], s["sampled"]] for s in data["strata"]])
    typer.echo(f"{data['quarter']}: {data['sample_size']} / {data['population']} (ratio {data['ratio']:g}, seed {data['seed']})")


@inspect_app.command("run")
@handles_errors
def run(ctx: typer.Context, quarter: str = QUARTER, at: str = AT,
        fmt: TableOrJson = FORMAT) -> None:
    """Evaluate the rules on the sample at T and store the quarter's inspection; opens 整改 cases."""
    cli = context(ctx)
    result = inspections.run_inspection(cli.database(), cli.settings, quarter, parse_at(at) if at else None)
    data = result.as_json()
    if fmt == "json":
        print_json(data)
        return
    typer.echo(f"{data['quarter']} @ {data['at']}: checked {data['checked']}, 不合格 {data['failed']}, "
               f"cases opened {data['cases_opened']}, closed {data['cases_closed']}")
    for entry in data["failed_accounts"]:
        typer.echo(printable(f"  {entry['account']}  {', '.join(entry['rules'])}"))


@inspect_app.command("history")
@handles_errors
def history(ctx: typer.Context, quarter: str = typer.Option(None, "--quarter", help="Only this quarter."),
            fmt: TableOrJson = FORMAT) -> None:
    """Every plan and run, newest first; the current one of each quarter marked."""
    cli = context(ctx)
    rows = inspections.inspection_history(cli.database(), quarter)
    if fmt == "json":
        print_json(rows)
        return
    echo_table(["id", "quarter", "ratio", "seed", "sample", "at", "current"],
                [[r["inspection"], r["quarter"], f"{r['ratio']:g}", r["seed"], r["sample_size"], r["at"] or "-",
                  "*" if r["current"] else ""] for r in rows])


@handles_errors
def report(ctx: typer.Context, quarter: str = QUARTER, at: str = AT,
           region: str = typer.Option(None, "--region", help="Only this region and below."),
           fmt: str = typer.Option(..., "--format", help="md, json, xlsx, docx (or an installed plugin's format)."),
           output: Path = typer.Option(None, "-o", "--output", help="Write to FILE (required for xlsx and docx)."),
           doc_no: str = typer.Option(None, "--doc-no", help="发文字号 of the docx (default: [report] doc_no)."),
           issuer: str = typer.Option(None, "--issuer", help="发文机关署名 of the docx (default: [report] issuer).")) -> None:
    """The quarter's 通报: tables by region, 不合格 list and problem list."""
    cli = context(ctx)
    chosen = report_format(fmt)
    if chosen.binary and output is None:
        raise TrackerError(f"--format {fmt} writes a file: give -o FILE")
    data = build_report(cli.database(), cli.settings, inspections.normalise_quarter(quarter),
                        parse_at(at) if at else None, region)
    data["document"] = document_meta(cli.settings, doc_no=doc_no, issuer=issuer)
    if output is None:
        typer.echo(chosen.render(data), nl=False)  # md and json: the formats escape what they hold
        return
    typer.echo(printable(write_report(data, chosen, output)), err=True)


@handles_errors
def cases(ctx: typer.Context,
          status: str = typer.Option(None, "--status", help="open, overdue or closed."),
          at: str = typer.Option(None, "--at", help="Read (and review) as of T (default: now)."),
          review: bool = typer.Option(False, "--review", help="复核 first: close cases whose veto findings are gone at T."),
          fmt: TableOrJson = FORMAT) -> None:
    """Rectification cases (整改) opened by inspections."""
    cli = context(ctx)
    moment = parse_at(at) if at else None
    if review:
        case_api.review_cases(cli.database(), cli.settings, moment)
    rows = case_api.list_cases(cli.database(), status, at=moment)
    if fmt == "json":
        print_json(rows)
        return
    header = (["quarter", "account", "name", "rules", "due", "status", "repeat"] if cli.lang == "en"
              else ["季度", "账号", "账号名称", "问题", "整改期限", "状态", "屡查屡犯"])
    echo_table(header, [[r["quarter"], r["account"], r["account_name"] or "", ",".join(r["rules"]),
                          r["due_on"], r["status"], "是" if r["repeat_offender"] else ""] for r in rows])


def register(app: typer.Typer) -> None:
    app.add_typer(inspect_app, name="inspect")
    app.command("report")(report)
    app.command("cases")(cases)
