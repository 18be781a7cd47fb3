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
    #: The network's contact point / privacy officer (issue 22): access log, requests of
    #: persons concerned, retention proof.
    PRIVACY = "privacy"


class ScopedRoleKind(StrEnum):
    """Roles that hold only for one municipality, organisation or theme.

    The scope is a municipality code (``tvo``, ``driehoek``, ``wethouder``; the regional
    driehoek uses the scope ``regio``), an organisation code (``bestuurder``) or a
    helpdesk theme code (``theme``, ``backup_theme``).
    """

    TVO = "tvo"
    DRIEHOEK = "driehoek"
    WETHOUDER = "wethouder"
    BESTUURDER = "bestuurder"
    THEME = "theme"
    BACKUP_THEME = "backup_theme"


#: The scope of the regional driehoek (``ScopedRole(DRIEHOEK, REGION_SCOPE)``).
REGION_SCOPE = "regio"


@dataclass(frozen=True, slots=True, order=True)
class ScopedRole:
    """A role for one scope, e.g. ``tvo`` for the municipality ``groningen``."""

    kind: ScopedRoleKind
    scope: str

    def encode(self) -> str:
        """The stored form ``kind:scope`` (plain roles never contain a colon)."""
        return f"{self.kind.value}:{self.scope}"

    @classmethod
    def decode(cls, stored: str) -> ScopedRole:
        """The inverse of ``encode``; raises ``ValueError`` for another form."""
        kind, sep, scope = stored.partition(":")
        if not sep or not scope:
            raise ValueError(f"not a scoped role: {stored!r}")
        return cls(ScopedRoleKind(kind), scope)


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
    scoped_roles: frozenset[ScopedRole] = field(default_factory=frozenset)

    def has_role(self, role: Role) -> bool:
        """Whether the member holds ``role``."""
        return role in self.roles

    def holds(self, kind: ScopedRoleKind, scope: str) -> bool:
        """Whether the member holds the scoped role ``kind`` for ``scope``."""
        return ScopedRole(kind, scope) in self.scoped_roles

    def scopes(self, kind: ScopedRoleKind) -> frozenset[str]:
        """Every scope for which the member holds ``kind`` (e.g. their TVO municipalities)."""
        return frozenset(r.scope for r in self.scoped_roles if r.kind is kind)

    @property
    def server_name(self) -> str:
        """The homeserver part of the Matrix id (after the first colon)."""
        return self.matrix_id.split(":", 1)[1]
