"""Writing an output file (a report, a registry export) so that a failure never leaves half of
one: the bytes go to a temporary file in the same folder, which then replaces the target in one
rename. A failing write (disk full, killed process) leaves the previous file as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tracker.domain.errors import TrackerError
from tracker.reports import ReportFormat


def write_report(report: dict, fmt: ReportFormat, path: Path | str) -> Path:
    """The one render-and-write of a 通报 (`report -o`, the TUI's export, the report job):
    `report` rendered in `fmt`, written to `path` atomically (see `write_output`)."""
    return write_output(path, fmt.render(report))


def write_output(path: Path | str, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path` atomically; a clear TrackerError when it cannot."""
    target = Path(path).expanduser()
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.is_dir():
        raise TrackerError(f"{target}: is a folder; give a file name, e.g. {target / 'out'}")
    folder = target.parent
    if not folder.is_dir():
        raise TrackerError(f"{target}: cannot write: folder {folder} does not exist")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise TrackerError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():  # keep the old file's permissions, not mkstemp's 0600
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise TrackerError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(temporary)
        raise
    return target


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
