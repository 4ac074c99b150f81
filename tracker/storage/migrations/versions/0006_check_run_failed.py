"""check_run: `failed`, the number of checked accounts with a veto finding in that run, so that
the dashboard can draw the 不合格率 of past quarters from what was stored (NULL for older runs).

Revision ID: 0006_check_run_failed
Revises: 0005_one_history
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_check_run_failed"
down_revision = "0005_one_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("check_run") as batch:
        batch.add_column(sa.Column("failed", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_run") as batch:
        batch.drop_column("failed")
