"""alerts: the outbox of group-robot alerts, one row per (webhook, alert) (docs/contract.md §8)

Revision ID: 0012_alerts
Revises: 0011_scale
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import tracker.storage.types

revision = "0012_alerts"
down_revision = "0011_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("body", sa.JSON(), nullable=True),
        sa.Column("created_at", tracker.storage.types.UTCDateTime(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tracker.storage.types.UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("lease_until", tracker.storage.types.UTCDateTime(), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("sent_at", tracker.storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("webhook", "key", name="uq_alert_outbox_webhook_key"),
    )
    op.create_index("ix_alert_outbox_webhook_state", "alert_outbox", ["webhook", "state", "next_attempt_at"], unique=False)
    op.create_index("ix_alert_outbox_webhook_sent", "alert_outbox", ["webhook", "sent_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        from tracker.storage.grants import regrant_all  # deferred: only PostgreSQL has roles to re-grant

        regrant_all(op.get_bind())  # users mapped before this migration may read the new table


def downgrade() -> None:
    op.drop_index("ix_alert_outbox_webhook_sent", table_name="alert_outbox")
    op.drop_index("ix_alert_outbox_webhook_state", table_name="alert_outbox")
    op.drop_table("alert_outbox")
