"""What every main screen shares: translated bindings and reloading after a write."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import getters
from textual.screen import Screen
from textual.worker import Worker

from tui.i18n import localise_bindings

if TYPE_CHECKING:
    from tui.app import TrackerApp


class TrackerScreen(Screen):
    """A screen whose data comes from one worker (`load`) and is reloaded when the app's
    generation (bumped by every write) is newer than the one it shows."""

    if TYPE_CHECKING:  # Textual's way to type `self.app` as the tracker's app (for the type checker only)
        app = getters.app(TrackerApp)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localise_bindings(self)
        self.loaded_generation = -1

    def on_mount(self) -> None:
        self.reload_if_stale()

    def on_screen_resume(self) -> None:
        self.reload_if_stale()

    def reload_if_stale(self) -> None:
        if self.loaded_generation != self.app.generation:
            self.loaded_generation = self.app.generation
            self.load()

    def load(self) -> Worker[Any] | None:
        """Start the worker that fetches this screen's data."""
        return None


def shows_errors(loader: Callable[..., Any]) -> Callable[..., Any]:
    """For thread workers: a failed query (database gone, a bug) becomes a notification instead
    of taking the whole app down with a traceback."""

    @functools.wraps(loader)
    def wrapper(self: Screen, *args: Any, **kwargs: Any) -> Any:
        try:
            return loader(self, *args, **kwargs)
        except Exception as exc:
            self.app.call_from_thread(self.app.notify, f"{type(exc).__name__}: {exc}", severity="error", timeout=15)
            return None

    return wrapper
