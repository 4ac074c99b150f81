"""What every main screen shares: translated bindings and reloading after a write."""

from __future__ import annotations

from textual.screen import Screen

from tui.i18n import localise_bindings


class TrackerScreen(Screen):
    """A screen whose data comes from one worker (`load`) and is reloaded when the app's
    generation (bumped by every write) is newer than the one it shows."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
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

    def load(self) -> None:
        """Start the worker that fetches this screen's data."""
