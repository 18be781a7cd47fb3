"""Helpdesk questions and knowledge cards (issue 12).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Written by hand to match ``storage/models.py`` (see ``0001`` for the conventions).
Reserved in the revision chain so that the areas can be built side by side; an empty
upgrade is a valid revision.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing yet."""


def downgrade() -> None:
    """Nothing yet."""
