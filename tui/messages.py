"""Messages the screens send up to the app (attributes go down, messages go up)."""

from __future__ import annotations

from textual.message import Message


class AccountChosen(Message):
    """The user picked an account (in a list, a finding, a search result): open its detail."""

    def __init__(self, account: str) -> None:
        super().__init__()
        self.account = account


class DataChanged(Message):
    """Something was written (a filing, a check, a poll): visible screens reload their data."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what


class FormRequested(Message):
    """Open a filing or observation form, optionally for one account."""

    def __init__(self, kind: str, account: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.account = account


class RegionChosen(Message):
    """The user picked a report region (a dashboard row): list its accounts."""

    def __init__(self, region: str) -> None:
        super().__init__()
        self.region = region
