"""Settings section ``[cases]``: municipalities, case types, rooms and procesregie."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The municipalities of the province of Groningen (2026), code → name.
GRONINGEN_MUNICIPALITIES: dict[str, str] = {
    "eemsdelta": "Eemsdelta",
    "groningen": "Groningen",
    "het-hogeland": "Het Hogeland",
    "midden-groningen": "Midden-Groningen",
    "oldambt": "Oldambt",
    "pekela": "Pekela",
    "stadskanaal": "Stadskanaal",
    "veendam": "Veendam",
    "westerkwartier": "Westerkwartier",
    "westerwolde": "Westerwolde",
}

#: The usual case types of a Zorg- en Veiligheidshuis, code → name.
CASE_TYPES: dict[str, str] = {
    "veelpleger": "Veelpleger",
    "nazorg": "Nazorg ex-gedetineerde",
    "huiselijk-geweld": "Huiselijk geweld",
    "jeugd": "Jeugd / risicojongere",
    "jeugdgroep": "Jeugdgroep",
    "multiprobleemgezin": "Multiprobleemgezin",
    "verward-gedrag": "Overlast / verward gedrag",
    "radicalisering": "Radicalisering",
    "pga": "Complexe PGA-casus",
}


class CasesSettings(BaseModel):
    """Cases, their rooms and procesregie."""

    model_config = ConfigDict(extra="forbid")

    #: Valid values of ``gemeente=`` (code → name).
    municipalities: dict[str, str] = Field(
        default_factory=lambda: dict(GRONINGEN_MUNICIPALITIES), min_length=1
    )
    #: Valid values of ``type=`` (code → name).
    case_types: dict[str, str] = Field(default_factory=lambda: dict(CASE_TYPES), min_length=1)
    #: Rooms where cases may be opened (intake/TVO rooms), besides the coordination room.
    intake_rooms: list[str] = Field(default_factory=list)
    #: The ketenmanagers' coordination room: escalations, cases without regie.
    coordination_room: str | None = None
    #: Whether case rooms can be joined from other homeservers (m.federate).
    federate: bool = False
    #: Working days before an unanswered regie proposal lapses.
    proposal_expiry_working_days: int = Field(default=3, ge=1, le=30)
    #: Working days a case may be without regie before the coordination room is told
    #: (then once per working day until someone takes it).
    unregie_report_after_working_days: int = Field(default=2, ge=0, le=30)
    #: How often the bot checks for lapsed proposals and cases without regie.
    sweep_seconds: float = Field(default=300.0, gt=0)
    #: Minutes within which ``!casus sluiten bevestig`` (or a 👍 on the question) confirms
    #: closing a case that still has open agreements, escalations or planned conferences.
    close_confirmation_minutes: int = Field(default=15, ge=1, le=1440)
    #: Days after closing during which a ketenmanager may reopen a case (0: never).
    reopen_within_days: int = Field(default=30, ge=0, le=365)

    @field_validator("municipalities", "case_types")
    @classmethod
    def _codes(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if not code or code != code.lower() or " " in code:
                raise ValueError(f"code {code!r} must be lower case without spaces")
        return value
