"""Reading a file a user names in the config (the config file itself, lexicons): only a regular
file, only up to a size cap, so that a directory or /dev/zero is a clear error, not a traceback
or a read that never ends."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tracker.domain.errors import TrackerError

MAX_CONFIG_BYTES = 16 * 1024 * 1024  # 16 MiB: a config file or a lexicon is far smaller


def read_regular_file(path: Path, what: str, cap: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of `path`, or TrackerError naming it and `what` it was meant to be."""
    try:
        with open(path, "rb", buffering=0) as handle:  # open first, then look: no race with a swap
            mode = os.fstat(handle.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise TrackerError(f"{path}: is a directory, not a {what}")
            if not stat.S_ISREG(mode):
                raise TrackerError(f"{path}: not a regular file (a device or a pipe?); a {what} must be a file")
            data = handle.read(cap + 1)
    except FileNotFoundError as exc:
        raise TrackerError(f"{path}: {what} not found") from exc
    except IsADirectoryError as exc:
        raise TrackerError(f"{path}: is a directory, not a {what}") from exc
    except PermissionError as exc:
        raise TrackerError(f"{path}: {what} cannot be read: permission denied") from exc
    except OSError as exc:
        raise TrackerError(f"{path}: {what} cannot be read: {exc.strerror or exc}") from exc
    if len(data) > cap:
        raise TrackerError(f"{path}: larger than {cap // 2**20} MiB; a {what} is expected to be far smaller")
    return data
