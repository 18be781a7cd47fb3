"""The partner registry file: organisations and their members.

It is the source of truth for who may use the bot; at start-up and on reload (SIGHUP,
``avz-bot partners reload``) it is synchronised into the database (see
``avz_bot.services.operations.registry``).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)
from avz_bot.services.signals.intake import IntakeProfile
from avz_bot.settings import ConfigError

MATRIX_ID_PATTERN = r"^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:[0-9]+)?$"
CODE_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
#: The regional driehoek's scope (``driehoek = ["regio"]``), besides municipality codes.
REGIONAL_SCOPE = "regio"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]


class OrganisationEntry(BaseModel):
    """One ``[[organisations]]`` table."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=200)
    domain: OrgDomain
    #: The member whose signals the organisation's system submits through the signed
    #: intake endpoint (issue 23); the organisation may submit only when it is set.
    intake_professional: str | None = Field(default=None, pattern=MATRIX_ID_PATTERN)
    #: The room where the organisation is told that a system submission matched
    #: (needed with ``intake_professional``; the bot must be in it).
    intake_room: str | None = Field(default=None, pattern=r"^![^\s]+$", max_length=255)

    @model_validator(mode="after")
    def _intake_pair(self) -> OrganisationEntry:
        if (self.intake_professional is None) != (self.intake_room is None):
            raise ValueError("intake_professional and intake_room go together")
        return self


class MemberEntry(BaseModel):
    """One ``[[members]]`` table."""

    model_config = ConfigDict(extra="forbid")

    matrix_id: str = Field(pattern=MATRIX_ID_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    organisation: str
    roles: list[Role] = Field(default_factory=lambda: [Role.PROFESSIONAL])
    #: Municipality codes for which the member sits in the TVO (may decide in triage).
    tvo: list[Code] = Field(default_factory=list)
    #: Municipality codes (or ``regio``) whose driehoek the member represents.
    driehoek: list[Code] = Field(default_factory=list)
    #: Municipality codes for which the member is (the office of) the wethouder.
    wethouder: list[Code] = Field(default_factory=list)
    #: The member is a bestuurder of their own organisation.
    bestuurder: bool = False
    #: Helpdesk themes the member answers as expert (needs the ``expert`` role).
    themes: list[Code] = Field(default_factory=list)
    #: Helpdesk themes the member backs up (reached when the experts miss a service level).
    backup_themes: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _themes_need_expert(self) -> MemberEntry:
        if (self.themes or self.backup_themes) and Role.EXPERT not in self.roles:
            raise ValueError("themes and backup_themes need the role 'expert'")
        return self

    def scoped_roles(self) -> frozenset[ScopedRole]:
        """The scoped roles this entry lists."""
        kinds = (
            (ScopedRoleKind.TVO, self.tvo),
            (ScopedRoleKind.DRIEHOEK, self.driehoek),
            (ScopedRoleKind.WETHOUDER, self.wethouder),
            (ScopedRoleKind.BESTUURDER, [self.organisation] if self.bestuurder else []),
            (ScopedRoleKind.THEME, self.themes),
            (ScopedRoleKind.BACKUP_THEME, self.backup_themes),
        )
        return frozenset(ScopedRole(kind, scope) for kind, scopes in kinds for scope in scopes)


class PartnerFile(BaseModel):
    """The whole partner registry file."""

    model_config = ConfigDict(extra="forbid")

    organisations: list[OrganisationEntry] = Field(default_factory=list)
    members: list[MemberEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> PartnerFile:
        codes = [org.code for org in self.organisations]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"organisation code listed twice: {', '.join(duplicates)}")
        ids = [member.matrix_id for member in self.members]
        twice = sorted({mid for mid in ids if ids.count(mid) > 1})
        if twice:
            raise ValueError(f"member listed twice: {', '.join(twice)}")
        for member in self.members:
            if member.organisation not in codes:
                raise ValueError(
                    f"member {member.matrix_id} names unknown organisation {member.organisation!r}"
                )
        organisation_of = {member.matrix_id: member.organisation for member in self.members}
        for org in self.organisations:
            if org.intake_professional and organisation_of.get(org.intake_professional) != org.code:
                raise ValueError(
                    f"organisation {org.code}: intake_professional {org.intake_professional} "
                    "must be a member of it"
                )
        return self

    def intake_profiles(self) -> dict[str, IntakeProfile]:
        """The organisations that may submit through the signed intake endpoint."""
        return {
            o.code: IntakeProfile(o.code, o.intake_professional, o.intake_room)
            for o in self.organisations
            if o.intake_professional and o.intake_room
        }

    def to_domain(self) -> tuple[list[Organisation], list[Member]]:
        """The registry as domain value objects."""
        orgs = {o.code: Organisation(o.code, o.name, o.domain) for o in self.organisations}
        members = [
            Member(
                m.matrix_id,
                m.display_name,
                orgs[m.organisation],
                frozenset(m.roles),
                m.scoped_roles(),
            )
            for m in self.members
        ]
        return list(orgs.values()), members


def load_partners(path: Path) -> tuple[list[Organisation], list[Member]]:
    """Read and validate the partner registry at ``path``.

    Raises ``ConfigError`` with a one-line message naming the entry and the problem.
    """
    return load_partner_file(path).to_domain()


def load_intake_profiles(path: Path) -> dict[str, IntakeProfile]:
    """The intake registrations of the partner registry at ``path`` (``ConfigError``)."""
    return load_partner_file(path).intake_profiles()


def load_partner_file(path: Path) -> PartnerFile:
    """Read and validate the partner registry at ``path`` (``ConfigError``)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"partners.file: file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"partners.file: cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"partners.file: {path} is not valid TOML: {exc}") from None
    try:
        parsed = PartnerFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(part) for part in err["loc"]) or str(path)
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"partners file {path}: {where}: {msg}") from None
    return parsed


def scope_problems(
    members: Iterable[Member], municipalities: Iterable[str], themes: Iterable[str]
) -> list[str]:
    """Scoped roles naming a municipality or theme that is not configured (a typo such as
    ``tvo = ["groningn"]`` would otherwise silently give nobody the TVO role)."""
    places = set(municipalities)
    known = {
        ScopedRoleKind.TVO: (places, "cases.municipalities"),
        ScopedRoleKind.WETHOUDER: (places, "cases.municipalities"),
        ScopedRoleKind.DRIEHOEK: (places | {REGIONAL_SCOPE}, "cases.municipalities or regio"),
        ScopedRoleKind.THEME: (set(themes), "helpdesk.themes"),
        ScopedRoleKind.BACKUP_THEME: (set(themes), "helpdesk.themes"),
    }
    found: list[str] = []
    for member in members:
        for role in sorted(member.scoped_roles, key=lambda r: (r.kind.value, r.scope)):
            if role.kind not in known:
                continue
            allowed, source = known[role.kind]
            if role.scope not in allowed:
                found.append(
                    f"partners: {member.matrix_id}: {role.kind.value} = [{role.scope!r}] "
                    f"is not in {source}{_suggestion(role.scope, allowed)}"
                )
    return found


def _suggestion(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
