"""tui: indexes for the UI's counts and pages over 100,000 accounts

The dashboard counts running accounts per region from a covering index, and the accounts list
pages in (region, account) order without sorting the whole table.

Revision ID: 0002_tui
Revises: 0001_foundation
"""
from alembic import op

revision = "0002_tui"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_account_region_status_opened", "account", ["region", "status", "opened_on"])
    op.create_index("ix_account_region_account", "account", ["region", "account"])


def downgrade() -> None:
    op.drop_index("ix_account_region_account", table_name="account")
    op.drop_index("ix_account_region_status_opened", table_name="account")
