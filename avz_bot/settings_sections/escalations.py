"""Settings section ``[escalations]``: escalation routes and clocks (issue 11).

Routes are configuration and the same for every municipality (BRIEF §1.3): each route
is a list of levels; each level names its targets by role and its clocks. The people a
level resolves to are looked up in the partner registry when an escalation is requested
and frozen with it.
"""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, field_validator

from avz_bot.domain.escalations import LevelPolicy, RouteKind, TargetKind


class LevelSettings(BaseModel):
    """One level of a route."""

    model_config = ConfigDict(extra="forbid")

    #: ``ketenmanagers``, ``driehoek`` (of the case's municipality), ``driehoek-regio`` or
    #: ``bestuurder`` (the partner's bestuurder; the wethouder for a municipal department).
    targets: TargetKind
    #: Working hours without acknowledgement until a reminder; as long again until the
    #: next level.
    ack_working_hours: float = Field(default=4.0, gt=0, le=500)
    #: Working days from acknowledgement until a decision reminder; as long again until
    #: the coordination room is told.
    decision_working_days: int = Field(default=3, ge=1, le=60)
    #: The same clocks for ``urgent`` escalations, in real time (around the clock).
    urgent_ack_minutes: float = Field(default=60.0, gt=0, le=10_080)
    urgent_decision_hours: float = Field(default=8.0, gt=0, le=720)

    def policy(self) -> LevelPolicy:
        """The domain's view of this level."""
        return LevelPolicy(
            targets=self.targets,
            ack_working_hours=self.ack_working_hours,
            decision_working_days=self.decision_working_days,
            urgent_ack_minutes=self.urgent_ack_minutes,
            urgent_decision_hours=self.urgent_decision_hours,
        )


def _inhoudelijk() -> list[LevelSettings]:
    return [
        LevelSettings(targets=TargetKind.KETENMANAGERS, ack_working_hours=4),
        LevelSettings(targets=TargetKind.DRIEHOEK, ack_working_hours=8, decision_working_days=5),
        LevelSettings(
            targets=TargetKind.DRIEHOEK_REGIO, ack_working_hours=16, decision_working_days=10
        ),
    ]


def _samenwerking() -> list[LevelSettings]:
    return [
        LevelSettings(targets=TargetKind.KETENMANAGERS, ack_working_hours=4),
        LevelSettings(targets=TargetKind.BESTUURDER, ack_working_hours=16, decision_working_days=5),
    ]


class EscalationSettings(BaseModel):
    """The ``[escalations]`` section."""

    model_config = ConfigDict(extra="forbid")

    #: The content route: ketenmanagers → local driehoek → regional driehoek.
    inhoudelijk: list[LevelSettings] = Field(default_factory=_inhoudelijk, min_length=1)
    #: The cooperation route: ketenmanagers → the partner's bestuurder or the wethouder.
    samenwerking: list[LevelSettings] = Field(default_factory=_samenwerking, min_length=1)
    #: The daily digest in the coordination room on working days.
    digest: bool = True
    #: Its local time (empty: at office start, ``[calendar] office_start``).
    digest_time: time | None = None
    #: Escalations per page of ``!opschalingen``; at most this many per digest section.
    list_limit: int = Field(default=15, ge=1, le=100)

    @field_validator("inhoudelijk", "samenwerking")
    @classmethod
    def _at_most_nine(cls, value: list[LevelSettings]) -> list[LevelSettings]:
        if len(value) > 9:
            raise ValueError("a route has at most 9 levels")
        return value

    def policies(self, route: RouteKind) -> tuple[LevelPolicy, ...]:
        """The levels of ``route`` for the domain."""
        levels = self.inhoudelijk if route is RouteKind.INHOUDELIJK else self.samenwerking
        return tuple(level.policy() for level in levels)
