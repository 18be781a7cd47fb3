"""Tables of the partner registry: organisations, their members and the members' roles
(synchronised from the registry file; see ``storage.base`` for the conventions)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import MATRIX_ID_LENGTH, NAME_LENGTH, ORG_CODE_LENGTH, SHORT_LENGTH, Base


class OrganisationRecord(Base):
    """A partner organisation, synchronised from the partner registry file."""

    __tablename__ = "organisations"

    code: Mapped[str] = mapped_column(String(ORG_CODE_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # Stored as the plain enum value (``OrgDomain``): adding a domain needs no migration.
    domain: Mapped[str] = mapped_column(String(SHORT_LENGTH))
    # Organisations are deactivated, never deleted: the audit trail still names them.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MemberRecord(Base):
    """A registered professional (a Matrix account bound to one organisation)."""

    __tablename__ = "members"

    matrix_id: Mapped[str] = mapped_column(String(MATRIX_ID_LENGTH), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    organisation_code: Mapped[str] = mapped_column(
        String(ORG_CODE_LENGTH), ForeignKey("organisations.code")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    # lazy="raise": an implicit lazy load cannot work under asyncio anyway, so a
    # forgotten eager load fails loudly instead of with an obscure greenlet error.
    organisation: Mapped[OrganisationRecord] = relationship(lazy="raise")
    roles: Mapped[list[MemberRoleRecord]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="MemberRoleRecord.role"
    )


class MemberRoleRecord(Base):
    """One role held by a member: a ``Role`` value, or a scoped role ``kind:scope``."""

    __tablename__ = "member_roles"

    matrix_id: Mapped[str] = mapped_column(
        String(MATRIX_ID_LENGTH),
        ForeignKey("members.matrix_id", ondelete="CASCADE"),
        primary_key=True,
    )
    role: Mapped[str] = mapped_column(String(SHORT_LENGTH), primary_key=True)
