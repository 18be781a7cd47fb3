"""Partner organisations and their members (pure value objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OrgDomain(StrEnum):
    """The domain an organisation works in."""

    ZORG = "zorg"
    VEILIGHEID = "veiligheid"
    GEMEENTE = "gemeente"
    JUSTITIE = "justitie"


class Role(StrEnum):
    """Network-wide roles a member can hold (case roles come later)."""

    PROFESSIONAL = "professional"
    KETENMANAGER = "ketenmanager"
    EXPERT = "expert"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A partner organisation in the network (Politie, OM, GGZ, a gemeente...)."""

    code: str
    name: str
    domain: OrgDomain


@dataclass(frozen=True, slots=True)
class Member:
    """A registered professional: a Matrix account bound to one organisation."""

    matrix_id: str
    display_name: str
    organisation: Organisation
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_role(self, role: Role) -> bool:
        """Whether the member holds ``role``."""
        return role in self.roles

    @property
    def server_name(self) -> str:
        """The homeserver part of the Matrix id (after the first colon)."""
        return self.matrix_id.split(":", 1)[1]
