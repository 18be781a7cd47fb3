"""Settings section ``[helpdesk]``: Helpdesk rooms, themes, service levels and search (issue 12)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from avz_bot.domain.helpdesk.lifecycle import ServiceLevel

#: The default themes (code → name people see).
DEFAULT_THEMES: dict[str, str] = {
    "privacy": "privacy en gegevensdeling",
    "huiselijk-geweld": "huiselijk geweld",
    "verward-gedrag": "verward gedrag / Wvggz",
    "jeugd": "jeugd",
    "nazorg": "nazorg ex-gedetineerden",
    "radicalisering": "radicalisering",
    "bestuurlijk": "bestuurlijke aanpak",
    "schulden": "schulden",
    "pga": "PGA-methodiek",
}

#: The default synonym groups: the field's abbreviations and what they stand for.
DEFAULT_SYNONYMS: list[list[str]] = [
    ["vt", "veilig thuis"],
    ["om", "openbaar ministerie"],
    ["rvdk", "raad voor de kinderbescherming"],
    ["ggz", "geestelijke gezondheidszorg"],
    ["pga", "persoonsgerichte aanpak"],
    ["tvo", "tactisch veiligheidsoverleg"],
    ["zsm", "zorgvuldig snel en op maat"],
    ["wvggz", "wet verplichte ggz"],
    ["wzd", "wet zorg en dwang"],
    ["avg", "algemene verordening gegevensbescherming"],
    ["zvh", "zorg en veiligheidshuis"],
]


class ThemeServiceLevel(BaseModel):
    """Service levels of one theme, in working days of office time (fractions allowed)."""

    model_config = ConfigDict(extra="forbid")

    first_response_days: float = Field(default=1.0, gt=0, le=60)
    solution_days: float = Field(default=5.0, gt=0, le=120)
    #: Working time between the steps of the breach chain (claimer → backup → coordination).
    step_after_days: float = Field(default=0.5, gt=0, le=30)

    def level(self) -> ServiceLevel:
        """The domain value."""
        return ServiceLevel(self.first_response_days, self.solution_days, self.step_after_days)


class HelpdeskSettings(BaseModel):
    """The ``[helpdesk]`` section."""

    model_config = ConfigDict(extra="forbid")

    #: Rooms where ``!vraag`` and ``!vragen`` work (room ids). Empty: the helpdesk is off.
    rooms: list[str] = Field(default_factory=list)
    #: Theme code → name. Experts are linked to codes in the partner registry (``themes``).
    themes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_THEMES))
    #: Service levels for every theme without its own entry in ``service_levels``.
    default_service_level: ThemeServiceLevel = Field(default_factory=ThemeServiceLevel)
    #: Per theme code: its own service levels.
    service_levels: dict[str, ThemeServiceLevel] = Field(default_factory=dict)
    #: An answered question without reaction closes after this many working days.
    auto_close_working_days: float = Field(default=5.0, gt=0, le=60)
    #: A published card is due for review this many days after publishing/confirming.
    review_days: int = Field(default=180, ge=1, le=3650)
    #: Groups of equivalent search words (abbreviations first by convention).
    synonyms: list[list[str]] = Field(default_factory=lambda: [list(g) for g in DEFAULT_SYNONYMS])
    #: Items per page of ``!vragen`` and ``!zoek``; at most this many in ``!mijn``.
    list_limit: int = Field(default=10, ge=1, le=50)

    @field_validator("themes")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not code or code != code.lower() or " " in code:
                raise ValueError(f"theme code {code!r} must be lower case without spaces")
        return value

    @model_validator(mode="after")
    def _levels_of_known_themes(self) -> HelpdeskSettings:
        unknown = sorted(set(self.service_levels) - set(self.themes))
        if unknown:
            raise ValueError(f"service_levels for unknown themes: {', '.join(unknown)}")
        return self

    def level_for(self, theme: str) -> ServiceLevel:
        """The service levels of ``theme``."""
        return self.service_levels.get(theme, self.default_service_level).level()
