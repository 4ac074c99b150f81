"""govmedia tracker: registry, monitoring and inspection of government new-media accounts.

The package is headless: it never imports textual. The CLI, scheduler and TUI all call the
functions exported here and in the submodules.
"""

__version__ = "0.1.0"
