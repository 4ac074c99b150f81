"""One linear history from here on: merges the three heads that parallel work left
(0003_users, 0002_rules, 0004_account_region_index). Every later revision follows this one.

Revision ID: 0005_one_history
Revises: 0003_users, 0002_rules, 0004_account_region_index
"""

revision = "0005_one_history"
down_revision = ("0003_users", "0002_rules", "0004_account_region_index")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # a merge point: nothing to change in the schema


def downgrade() -> None:
    pass
