"""`tracker schedule` (the nightly jobs) and `tracker users …` (PostgreSQL roles and jurisdictions)."""

from __future__ import annotations

import logging
from enum import Enum

import typer

from tracker.cli.common import context, handles_errors, print_json
from tracker.cli.options import FORMAT, TableOrJson
from tracker.cli.output import echo_table
from tracker.domain.errors import TrackerError
from tracker.domain.times import now_utc, to_local_iso
from tracker.jobs import runs as jobs
from tracker.jobs import scheduler
from tracker.storage import roles as users

users_app = typer.Typer(help="PostgreSQL users and their jurisdictions (row-level security). Not for SQLite.",
                        no_args_is_help=True)


class Role(str, Enum):
    admin = "admin"
    registrar = "registrar"
    inspector = "inspector"


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule_command)
    app.add_typer(users_app, name="users")


def _run_dict(run: jobs.JobRunInfo) -> dict:
    return {"job": run.job, "occurrence": to_local_iso(run.occurrence), "started_at": to_local_iso(run.started_at),
            "finished_at": to_local_iso(run.finished_at) if run.finished_at else None, "seconds": run.seconds,
            "outcome": run.outcome, "counts": run.counts, "host": run.host}


def _show_runs(runs: list[jobs.JobRunInfo], fmt: TableOrJson) -> None:
    if fmt is TableOrJson.json:
        print_json([_run_dict(run) for run in runs])
        return
    rows = [(r["job"], r["occurrence"], r["outcome"], "" if r["seconds"] is None else f"{r['seconds']:.1f}",
             r["host"], ", ".join(f"{k}={v}" for k, v in r["counts"].items())) for r in map(_run_dict, runs)]
    echo_table(["job", "occurrence", "outcome", "seconds", "host", "counts"], rows)


@handles_errors
def schedule_command(
    ctx: typer.Context,
    list_jobs: bool = typer.Option(False, "--list", help="Show the jobs and when they run next, then exit."),
    runs: int = typer.Option(0, "--runs", min=0, help="Show the N most recent job runs, then exit."),
    run_now: str = typer.Option(None, "--run-now", help="Run one job (poll, check, report, probe, alerts) once now, then exit (check: then its alerts)."),
    fmt: TableOrJson = FORMAT,
) -> None:
    """Run the nightly jobs of [schedule] until SIGTERM/SIGINT; each occurrence runs once across
    every scheduler sharing the database. Every run is recorded (job, times, outcome, counts)."""
    cli = context(ctx)
    db, settings = cli.database(), cli.settings
    if run_now is not None:
        if run_now not in jobs.JOB_NAMES:
            raise TrackerError(f"--run-now must be one of {', '.join(jobs.JOB_NAMES)}, got {run_now!r}")
        run = jobs.run_claimed(db, settings, run_now, now_utc(), jobs.DEFAULT_JOBS[run_now])
        if run is None:  # another scheduler claimed this very occurrence
            raise TrackerError(f"--run-now {run_now}: another scheduler claimed this run")
        alerts = jobs.after_check(db, settings, run) if run_now == "check" else None
        _show_runs([run] + ([alerts] if alerts else []), fmt)
        raise typer.Exit(0 if run.outcome == "ok" else 1)
    built = scheduler.build_scheduler(db, settings)
    if list_jobs:
        upcoming = scheduler.next_runs(built)
        if fmt is TableOrJson.json:
            print_json({name: to_local_iso(at) if at else None for name, at in upcoming.items()})
        else:
            echo_table(["job", "cron", "next run"], [(name, jobs.job_cron(settings, name), to_local_iso(at) if at else "")
                                                      for name, at in upcoming.items()])
        return
    if runs:
        _show_runs(jobs.recent_runs(db, runs), fmt)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo(f"tracker schedule: {', '.join(j.id for j in built.get_jobs()) or 'no jobs'}; stop with SIGTERM or Ctrl-C",
               err=True)
    scheduler.run_until_stopped(built)


@users_app.command("add")
@handles_errors
def add_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login role name (lower-case letters, digits, _)."),
    role: Role = typer.Option(..., "--role", help="admin, registrar (files 备案) or inspector (records observations)."),
    region: str = typer.Option("", "--region", help="Region path whose subtree the user may write, e.g. 安徽省/合肥市."),
    password: str = typer.Option(None, "--password", envvar="TRACKER_USER_PASSWORD", help="Login password (optional)."),
    adopt: bool = typer.Option(False, "--adopt-existing-role",
                               help="NAME is an existing PostgreSQL role: give it this role's grants (never a superuser or an owner)."),
) -> None:
    """Create a PostgreSQL login role for NAME with ROLE over REGION's subtree."""
    user = users.add_user(context(ctx).database(), name, role.value, region, password=password, adopt=adopt)
    typer.echo(f"user {user.name}: {user.role}" + (f" of {user.region}" if user.region else " everywhere"))


@users_app.command("list")
@handles_errors
def list_command(ctx: typer.Context, fmt: TableOrJson = FORMAT) -> None:
    """The users and their jurisdictions."""
    found = users.list_users(context(ctx).database())
    if fmt is TableOrJson.json:
        print_json([{"name": u.name, "role": u.role, "region": u.region, "created_at": to_local_iso(u.created_at)} for u in found])
    else:
        echo_table(["name", "role", "region"], [(u.name, u.role, u.region or "*") for u in found])


@users_app.command("remove")
@handles_errors
def remove_command(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    keep_role: bool = typer.Option(False, "--keep-role", help="Only unmap; keep the PostgreSQL role."),
    reassign_to: str = typer.Option(None, "--reassign-to",
                                    help="Role that takes over what NAME owns (else a role owning objects is refused)."),
) -> None:
    """Remove a user: unmapped, privileges revoked, login role dropped (never its objects)."""
    users.remove_user(context(ctx).database(), name, drop_role=not keep_role, reassign_to=reassign_to)
    typer.echo(f"user {name} removed")
