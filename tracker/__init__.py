"""govmedia tracker: registry, monitoring and inspection of government new-media accounts and
government websites.

The package is headless: it never imports textual. The CLI, the scheduler and the TUI call the
functions below; `import tracker` is cheap, each name loads its module when first used:

    import tracker
    db = tracker.open_database("sqlite:///tracker.db")
    settings = tracker.load_settings()
    tracker.import_registry(db, "registry.csv")
    tracker.poll(db, settings)
    result = tracker.run_check(db, settings, at)
    report = tracker.build_report(db, settings, "2026Q4")
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# name → the module that defines it (the stage it belongs to: docs/architecture.md)
_PUBLIC = {
    "open_database": "tracker.storage.db",
    "load_settings": "tracker.settings",
    "TrackerError": "tracker.domain.errors",
    "import_registry": "tracker.registry.service",
    "file_event": "tracker.registry.service",
    "registry_as_of": "tracker.registry.service",
    "history": "tracker.registry.service",
    "poll": "tracker.polling.poller",
    "probe": "tracker.polling.probes",
    "ingest_file": "tracker.polling.ingest",
    "evaluate": "tracker.judging.evaluate",
    "run_check": "tracker.judging.run",
    "plan_inspection": "tracker.judging.inspections",
    "run_inspection": "tracker.judging.inspections",
    "build_report": "tracker.reports.builder",
    "write_report": "tracker.reports.files",
    "report_format": "tracker.reports",
    "due_accounts": "tracker.read.due",
    "account_view": "tracker.read.account_view",
}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
