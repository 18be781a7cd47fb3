"""The partner registry file: organisations and their members.

It is the source of truth for who may use the bot; at start-up it is synchronised
into the database (see ``storage.repositories.PartnerRepository.sync``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from avz_bot.domain.partners import Member, Organisation, OrgDomain, Role
from avz_bot.settings import ConfigError

MATRIX_ID_PATTERN = r"^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:[0-9]+)?$"


class OrganisationEntry(BaseModel):
    """One ``[[organisations]]`` table."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    name: str = Field(min_length=1, max_length=200)
    domain: OrgDomain


class MemberEntry(BaseModel):
    """One ``[[members]]`` table."""

    model_config = ConfigDict(extra="forbid")

    matrix_id: str = Field(pattern=MATRIX_ID_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    organisation: str
    roles: list[Role] = Field(default_factory=lambda: [Role.PROFESSIONAL])


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
        return self

    def to_domain(self) -> tuple[list[Organisation], list[Member]]:
        """The registry as domain value objects."""
        orgs = {o.code: Organisation(o.code, o.name, o.domain) for o in self.organisations}
        members = [
            Member(m.matrix_id, m.display_name, orgs[m.organisation], frozenset(m.roles))
            for m in self.members
        ]
        return list(orgs.values()), members


def load_partners(path: Path) -> tuple[list[Organisation], list[Member]]:
    """Read and validate the partner registry at ``path``.

    Raises ``ConfigError`` with a one-line message naming the entry and the problem.
    """
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
    return parsed.to_domain()
