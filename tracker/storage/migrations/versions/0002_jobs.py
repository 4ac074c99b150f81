"""jobs: worker bookkeeping on feed_state and the tracker_user jurisdiction table

Revision ID: 0002_jobs
Revises: 0001_foundation
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import tracker.storage.types

revision = "0002_jobs"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker_done_at", tracker.storage.types.UTCDateTime(), nullable=True))
    op.create_table(
        "tracker_user",
        sa.Column("pg_role", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("created_at", tracker.storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pg_role"),
    )


def downgrade() -> None:
    op.drop_table("tracker_user")
    with op.batch_alter_table("feed_state", schema=None) as batch_op:
        batch_op.drop_column("worker_done_at")
