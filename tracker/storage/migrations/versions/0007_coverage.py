"""verdicts: what a successful fetch held (poll_outcome.items) and the newest post an
inspector saw (observation.latest_at), for the evidence of absence (docs/contract.md §6.4).

`ix_poll_outcome_empty` holds only the successful fetches that returned no items, so "has a
fetch of this account ever come back empty" is one index probe per account.

Revision ID: 0007_coverage
Revises: 0006_check_run_failed
"""
import sqlalchemy as sa
from alembic import op

import tracker.storage.types

revision = "0007_coverage"
down_revision = "0006_check_run_failed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("poll_outcome", schema=None) as batch_op:
        batch_op.add_column(sa.Column("items", sa.Integer(), nullable=True))
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latest_at", tracker.storage.types.UTCDateTime(), nullable=True))
    condition = sa.text("items = 0")
    op.create_index("ix_poll_outcome_empty", "poll_outcome", ["account", "started_at"], unique=False,
                    sqlite_where=condition, postgresql_where=condition)


def downgrade() -> None:
    op.drop_index("ix_poll_outcome_empty", table_name="poll_outcome")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_column("latest_at")
    with op.batch_alter_table("poll_outcome", schema=None) as batch_op:
        batch_op.drop_column("items")
