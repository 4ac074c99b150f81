"""rules: indexes for set-based rule queries (latest per account, flagged posts, poll runs)

Partial indexes hold only the few flagged posts, so the rules find them without scanning the
post table.

Revision ID: 0002_rules
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_rules"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# (name, table, columns, partial-index condition or None)
INDEXES = [
    ("ix_post_account_comments", "post", ["account", "comments_enabled", "published_at"], None),
    ("ix_post_signals_version", "post", ["signals_version"], None),
    ("ix_post_sig_ad_domain", "post", ["published_at"], "sig_ad_domain IS NOT NULL"),
    ("ix_post_sig_privacy", "post", ["published_at"], "sig_privacy IS NOT NULL"),
    ("ix_post_sig_lexicon", "post", ["published_at"], "sig_lexicon IS NOT NULL"),
    ("ix_post_is_ad", "post", ["published_at"], "is_ad = {true}"),
    ("ix_post_repost", "post", ["account", "published_at"], "is_repost = {true}"),
    ("ix_post_stop_notice", "post", ["published_at"], "sig_stop_notice = {true}"),
    ("ix_poll_outcome_account_outcome", "poll_outcome", ["account", "outcome", "started_at"], None),
]


def upgrade() -> None:
    true = "true" if op.get_bind().dialect.name == "postgresql" else "1"
    for name, table, columns, where in INDEXES:
        condition = sa.text(where.format(true=true)) if where else None
        op.create_index(name, table, columns, unique=False, sqlite_where=condition, postgresql_where=condition)


def downgrade() -> None:
    for name, table, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
