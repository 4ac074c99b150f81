"""websites: availability probes and poll results of 政府网站 (docs/contract.md §10)

Revision ID: 0008_websites
Revises: 0007_coverage
"""
import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import tracker.storage.types

revision = "0008_websites"
down_revision = "0007_coverage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "website_probe",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("run_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("probed_at", tracker.storage.types.UTCDateTime(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_website_probe_account_at", "website_probe", ["account", "probed_at"], unique=False)
    op.create_table(
        "website_poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("run_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("polled_at", tracker.storage.types.UTCDateTime(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("homepage_url", sa.Text(), nullable=True),
        sa.Column("homepage_newest", sa.Date(), nullable=True),
        sa.Column("homepage_dates", sa.Integer(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=True),
        sa.Column("links_checked", sa.Integer(), nullable=True),
        sa.Column("broken_links", sa.JSON(), nullable=True),
        sa.Column("marks", sa.JSON(), nullable=True),
        sa.Column("jiucuo", sa.Text(), nullable=True),
        sa.Column("page_tags", sa.JSON(), nullable=True),
        sa.Column("ipv6_aaaa", sa.Boolean(), nullable=True),
        sa.Column("ipv6_ok", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_website_poll_account_at", "website_poll", ["account", "polled_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_website_poll_account_at", table_name="website_poll")
    op.drop_table("website_poll")
    op.drop_index("ix_website_probe_account_at", table_name="website_probe")
    op.drop_table("website_probe")
