"""Province scale: indexes for bounded reads, outbox delivery state (issue 14).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
Reserved in the revision chain so that the areas can be built side by side; an empty
upgrade is a valid revision.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
