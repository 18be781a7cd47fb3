"""Signals from partner systems (issue 23): a signed submission, once its signature,
window and rate are checked by the endpoint (``avz_bot.intake_http``), becomes a signal
here, on exactly the path of a typed ``!signaal`` (``PersonSignals.store_and_match``):
pseudonymised at once, matched, put on the TVO agenda, the other professionals told.

The signal is the organisation's, made on behalf of the member the partner registry
names as its responsible professional for system submissions (``intake_professional``);
matches are told in the organisation's configured room (``intake_room``), now and for
later matches. The ``webhook-id`` is the idempotency key (Standard Webhooks): a delivery
is claimed in the same transaction as the signal, so a retry (or a concurrent duplicate)
is refused as a replay and nothing is written twice; any refusal rolls everything back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from avz_bot.domain.partners import Member
from avz_bot.services.refusal import Refused
from avz_bot.services.signals.base import PersonArgs, SignalShared, parse_birth_date
from avz_bot.services.signals.persons import PersonSignals

#: The audit entity of the endpoint's entries (accepted and refused submissions).
AUDIT_ENTITY = "intake"


@dataclass(frozen=True, slots=True)
class IntakeProfile:
    """An organisation's intake registration (partner registry): who its system
    submissions are from, and the room where it is told of matches."""

    organisation: str
    professional: str
    room: str


@dataclass(frozen=True, slots=True)
class Submission:
    """A submission's fields, shape-checked by the endpoint (never stored or logged)."""

    bsn: str = ""
    name: str = ""
    birth_date: str = ""
    category: str = ""
    municipality: str = ""

    def __repr__(self) -> str:
        return "Submission(<hidden>)"


@dataclass(frozen=True, slots=True)
class Accepted:
    """The signal a submission made."""

    reference: str
    matched: bool


class FieldRefused(Exception):
    """A field is invalid (HTTP 400); ``field`` names it, ``code`` says why. Never the value."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


class Replay(Exception):
    """The delivery was accepted before (HTTP 409); ``reference`` is its signal."""

    def __init__(self, reference: str) -> None:
        super().__init__("replay")
        self.reference = reference


class NotEnabled(Exception):
    """Submissions cannot be taken: ``code`` is ``organisation_not_enabled`` (its
    responsible professional is not a registered member of it; HTTP 403) or
    ``signals_not_configured`` (no pseudonym key; HTTP 503)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class SignalIntake:
    """Signed submissions (see the module docstring)."""

    def __init__(self, shared: SignalShared, persons: PersonSignals) -> None:
        self._shared = shared
        self._persons = persons

    def check_fields(self, submission: Submission) -> None:
        """Refuse (``FieldRefused``) what ``!signaal`` would refuse, naming the field."""
        shared = self._shared
        if shared.settings.pseudonymiser() is None:
            raise NotEnabled("signals_not_configured")
        person = PersonArgs(submission.bsn, submission.name, submission.birth_date)
        if submission.bsn and submission.name:
            raise FieldRefused("name", "bsn_or_name")
        try:
            parse_birth_date(submission.birth_date)
        except ValueError:
            raise FieldRefused("birth_date", "invalid") from None
        try:
            shared.identifier(person)
        except Refused:
            field = "bsn" if submission.bsn.strip() or not submission.name.strip() else "name"
            raise FieldRefused(field, "invalid") from None
        for field, check in (("category", shared.category), ("municipality", shared.municipality)):
            try:
                check(getattr(submission, field))
            except Refused:
                raise FieldRefused(field, "unknown") from None

    async def submit(
        self, profile: IntakeProfile, webhook_id: str, submission: Submission, keep_days: int
    ) -> Accepted:
        """Register the submission as ``profile``'s organisation's signal.

        Raises ``FieldRefused``, ``Replay`` or ``NotEnabled``; the caller's transaction
        must then be rolled back (nothing of this call is kept). ``keep_days``: deliveries
        older than this are forgotten.
        """
        self.check_fields(submission)
        member = await self._member(profile)
        shared = self._shared
        deliveries = shared.deliveries
        if not await deliveries.claim(profile.organisation, webhook_id, shared.now):
            reference = await deliveries.reference_of(profile.organisation, webhook_id)
            raise Replay(reference or "")
        key = f"intake:{profile.organisation}:{webhook_id}"
        person = PersonArgs(submission.bsn, submission.name, submission.birth_date)
        reply, row, matched = await self._persons.register_from_system(
            member, profile.room, person, submission.category, submission.municipality, key
        )
        del person
        await deliveries.set_reference(profile.organisation, webhook_id, row.reference)
        await deliveries.forget_before(shared.now - timedelta(days=keep_days))
        if matched:
            await shared.enqueue(f"intake-told:{key}", profile.room, reply)
        await shared.audit(
            member.matrix_id,
            "intake.accepted",
            AUDIT_ENTITY,
            row.reference,
            {"organisation": profile.organisation, "matched": matched},
            profile.room,
        )
        return Accepted(row.reference, matched)

    async def _member(self, profile: IntakeProfile) -> Member:
        member = (await self._shared.cases.directory()).get(profile.professional)
        if member is None or member.organisation.code != profile.organisation:
            raise NotEnabled("organisation_not_enabled")
        return member

    async def refused(self, organisation: str | None, status: int, reason: str) -> None:
        """Audit a refused submission (in its own transaction): the status and a fixed
        reason code, never a value from the request."""
        await self._shared.audit(
            "intake",
            "intake.refused",
            AUDIT_ENTITY,
            organisation or "-",
            {"organisation": organisation, "status": status, "reason": reason},
            None,
        )


__all__ = [
    "AUDIT_ENTITY",
    "Accepted",
    "FieldRefused",
    "IntakeProfile",
    "NotEnabled",
    "Replay",
    "SignalIntake",
    "Submission",
]
