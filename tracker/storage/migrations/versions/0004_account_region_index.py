"""account: drop ix_account_region, a prefix of ix_account_region_status_opened and
ix_account_region_account (0002_tui): it only slowed every insert (registry import).

Revision ID: 0004_account_region_index
Revises: 0002_tui
"""
from alembic import op

revision = "0004_account_region_index"
down_revision = "0002_tui"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_account_region", table_name="account")


def downgrade() -> None:
    op.create_index("ix_account_region", "account", ["region"])
