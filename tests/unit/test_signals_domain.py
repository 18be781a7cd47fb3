"""Signals domain: elfproef, normalisation, pseudonyms, matching, retention, permissions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from avz_bot.domain import signals as d
from avz_bot.domain.partners import (
    Member,
    Organisation,
    OrgDomain,
    Role,
    ScopedRole,
    ScopedRoleKind,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
KEY1 = d.PseudonymKey("v1", b"k" * 32)
KEY2 = d.PseudonymKey("v2", b"q" * 32)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("999999990", True),
        ("012345672", True),  # a leading zero is part of the number
        ("010000008", True),
        ("123456789", False),  # the classic counter-example: sum 147
        ("111222334", False),  # one digit off
        ("000000000", False),  # passes the arithmetic, but is no number
        ("12345678", False),  # too short
        ("1234567820", False),  # too long
        ("12345678a", False),
        ("１２３４５６７８２", False),  # full-width digits are not ASCII digits
        ("", False),
    ],
)
def test_elfproef(digits: str, valid: bool) -> None:
    assert d.is_valid_bsn(digits) is valid


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("123456782", "123456782"),
        (" 123 456 782 ", "123456782"),
        ("1234.56.782", "123456782"),
        ("123-456-782", "123456782"),
        ("12345672", "012345672"),  # 8 digits: the leading zero was dropped
        ("123456789", None),
        ("06-12345678", None),
        ("abc", None),
    ],
)
def test_normalise_bsn(typed: str, normal: str | None) -> None:
    assert d.normalise_bsn(typed) == normal


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("bsn 123456782 graag", True),
        ("123 456 782", True),
        ("1234.56.782", True),
        ("zaak 111222333.", True),
        ("bel 06-12345678", False),  # phone number: 10 digits
        ("bel 050 123 4567", False),
        ("nummer 123456789", False),  # fails the elfproef
        ("AVZ-2026-0001 en SIG-2026-0003", False),
        ("x123456782", False),  # glued to a letter: part of an id
        ("0123456782", False),  # ten digits
        ("", False),
    ],
)
def test_contains_bsn(text: str, found: bool) -> None:
    assert d.contains_bsn(text) is found


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Jan de Vries", "jan de vries"),
        ("  JAN   de\tVRIES ", "jan de vries"),
        ("Özil", "ozil"),
        ("Çelik-Straße", "celik-strasse"),
        ("Zoë Ëlïf", "zoe elif"),
        ("d'Hondt", "d'hondt"),
    ],
)
def test_normalise_name(typed: str, normal: str) -> None:
    assert d.normalise_name(typed) == normal


def test_name_key_needs_birth_date_and_is_weak() -> None:
    with pytest.raises(d.IdentifierError) as exc:
        d.name_identifier("Jan", None)
    assert exc.value.code == "birthdate_required"
    key = d.name_identifier("Jän  de Vries", date(2001, 2, 3))
    assert key.weak and key == d.name_identifier("jan de vries", date(2001, 2, 3))
    assert key != d.name_identifier("jan de vries", date(2001, 2, 4))
    assert "vries" not in repr(key)


def test_invalid_bsn_is_refused() -> None:
    with pytest.raises(d.IdentifierError) as exc:
        d.bsn_identifier("123456789")
    assert exc.value.code == "invalid_bsn"


def test_pseudonym_is_versioned_keyed_and_domain_separated() -> None:
    person = d.bsn_identifier("123456782")
    p1 = d.pseudonym(KEY1, d.Purpose.SIGNAL_PERSON, person)
    assert p1.startswith("v1:") and len(p1) == 3 + 64
    assert "123456782" not in p1
    assert p1 == d.pseudonym(KEY1, d.Purpose.SIGNAL_PERSON, d.bsn_identifier("123 456 782"))
    assert p1 != d.pseudonym(d.PseudonymKey("v1", b"x" * 32), d.Purpose.SIGNAL_PERSON, person)
    # The same digits as a name key are another identifier.
    assert p1 != d.pseudonym(
        KEY1,
        d.Purpose.SIGNAL_PERSON,
        d.PersonIdentifier(d.IdentifierKind.NAME_BIRTHDATE, "123456782"),
    )


def test_rotation_keeps_old_versions_matching() -> None:
    person = d.bsn_identifier("111222333")
    old = d.Pseudonymiser((KEY1,), "v1")
    stored = old.make(person, d.Purpose.SIGNAL_PERSON)
    rotated = d.Pseudonymiser((KEY1, KEY2), "v2")
    new = rotated.make(person, d.Purpose.SIGNAL_PERSON)
    assert d.key_version_of(new) == "v2" and d.key_version_of(stored) == "v1"
    assert stored in rotated.candidates(person, d.Purpose.SIGNAL_PERSON)
    assert new in rotated.candidates(person, d.Purpose.SIGNAL_PERSON)
    retired = d.Pseudonymiser((KEY2,), "v2")
    assert stored not in retired.candidates(person, d.Purpose.SIGNAL_PERSON)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: d.PseudonymKey("1", b"k" * 32),
        lambda: d.PseudonymKey("v1", b"short"),
        lambda: d.Pseudonymiser((KEY1,), "v2"),
        lambda: d.Pseudonymiser((KEY1, KEY1), "v1"),
    ],
)
def test_bad_key_configuration_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]


def _stored(
    id: int,
    org: str,
    who: str,
    *,
    status: d.SignalStatus = d.SignalStatus.ACTIEF,
    age_days: int = 1,
) -> d.StoredSignal:
    created = NOW - timedelta(days=age_days)
    return d.StoredSignal(
        id, f"SIG-2026-{id:04d}", org, who, status, created + timedelta(days=730), created
    )


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], []),
        ([_stored(1, "ggz", "@a:x")], [1]),  # another organisation: a match
        ([_stored(1, "politie", "@b:x")], []),  # same organisation: no match
        ([_stored(1, "ggz", "@a:x", status=d.SignalStatus.INGETROKKEN)], []),
        ([_stored(1, "ggz", "@a:x", status=d.SignalStatus.VERLOPEN)], []),
        ([_stored(1, "ggz", "@a:x", age_days=731)], []),  # past its active period
        ([_stored(2, "ggz", "@a:x", age_days=1), _stored(1, "om", "@c:x", age_days=9)], [1, 2]),
    ],
)
def test_match_rules(existing: list[d.StoredSignal], expected: list[int]) -> None:
    found = d.signal_matches("politie", existing, NOW)
    assert [s.id for s in found] == expected


def test_one_message_per_professional() -> None:
    both = [_stored(1, "ggz", "@a:x", age_days=5), _stored(2, "ggz", "@a:x", age_days=2)]
    assert [s.id for s in d.one_per_professional(both)] == [1]


@pytest.mark.parametrize(
    ("created", "years", "expected"),
    [
        (datetime(2026, 11, 30, 9, tzinfo=UTC), 2, datetime(2028, 11, 30, 9, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, tzinfo=UTC), 2, datetime(2030, 2, 28, 9, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, tzinfo=UTC), 4, datetime(2032, 2, 29, 9, tzinfo=UTC)),
    ],
)
def test_add_years(created: datetime, years: int, expected: datetime) -> None:
    assert d.add_years(created, years) == expected


RET = d.Retention(active_years=2, archive_years=5)
CREATED = datetime(2026, 11, 30, 9, tzinfo=UTC)
EXPIRES = RET.expires_at(CREATED)
DELETES = RET.delete_at(EXPIRES)


@pytest.mark.parametrize(
    ("status", "now", "delete_at", "step"),
    [
        (d.SignalStatus.ACTIEF, CREATED, None, d.RetentionStep.NONE),
        (d.SignalStatus.ACTIEF, EXPIRES - timedelta(seconds=1), None, d.RetentionStep.NONE),
        (d.SignalStatus.ACTIEF, EXPIRES, None, d.RetentionStep.EXPIRE),
        (d.SignalStatus.VERLOPEN, EXPIRES + timedelta(days=1), DELETES, d.RetentionStep.NONE),
        (d.SignalStatus.VERLOPEN, DELETES, DELETES, d.RetentionStep.DELETE),
        (d.SignalStatus.ACTIEF, DELETES, DELETES, d.RetentionStep.DELETE),  # down for years
        (d.SignalStatus.INGETROKKEN, EXPIRES, CREATED + timedelta(days=9), d.RetentionStep.DELETE),
    ],
)
def test_retention_moments(
    status: d.SignalStatus, now: datetime, delete_at: datetime | None, step: d.RetentionStep
) -> None:
    assert d.retention_step(status, EXPIRES, delete_at, now) is step


def test_retention_defaults_are_two_and_five_years() -> None:
    assert datetime(2028, 11, 30, 9, tzinfo=UTC) == EXPIRES
    assert datetime(2033, 11, 30, 9, tzinfo=UTC) == DELETES


ORG = Organisation("politie", "Politie", OrgDomain.VEILIGHEID)


def _member(*roles: Role, tvo: str | None = None, who: str = "@p:x") -> Member:
    scoped = frozenset({ScopedRole(ScopedRoleKind.TVO, tvo)}) if tvo else frozenset()
    return Member(who, "P", ORG, frozenset(roles), scoped)


@pytest.mark.parametrize(
    ("action", "member", "context", "place", "refusal"),
    [
        (d.SignalAction.REGISTER, _member(), {}, d.Place.DIRECT_CHAT, None),
        (d.SignalAction.REGISTER, _member(), {}, d.Place.CASE_ROOM, d.SignalRefusal.WRONG_PLACE),
        (d.SignalAction.REGISTER, _member(), {}, None, d.SignalRefusal.WRONG_PLACE),
        (d.SignalAction.WITHDRAW, _member(), {"signaller": "@p:x"}, d.Place.DIRECT_CHAT, None),
        (
            d.SignalAction.WITHDRAW,
            _member(Role.KETENMANAGER),
            {"signaller": "@other:x"},
            d.Place.DIRECT_CHAT,
            d.SignalRefusal.NOT_PERMITTED,
        ),
        (
            d.SignalAction.CASE_SIGNAL,
            _member(),
            {"case_members": ["@p:x"]},
            d.Place.CASE_ROOM,
            None,
        ),
        (
            d.SignalAction.CASE_SIGNAL,
            _member(Role.KETENMANAGER),
            {"case_members": ["@q:x"]},
            d.Place.CASE_ROOM,
            d.SignalRefusal.NOT_PERMITTED,
        ),
        (
            d.SignalAction.LINK_PERSON,
            _member(),
            {"regie_holder": "@p:x"},
            d.Place.DIRECT_CHAT,
            None,
        ),
        (
            d.SignalAction.LINK_PERSON,
            _member(),
            {"regie_holder": "@q:x"},
            d.Place.DIRECT_CHAT,
            d.SignalRefusal.NOT_PERMITTED,
        ),
        (
            d.SignalAction.TVO_DECIDE,
            _member(Role.KETENMANAGER),
            {"municipality": "groningen"},
            d.Place.TVO_ROOM,
            None,
        ),
        (
            d.SignalAction.TVO_DECIDE,
            _member(tvo="groningen"),
            {"municipality": "groningen"},
            d.Place.TVO_ROOM,
            None,
        ),
        (
            d.SignalAction.TVO_DECIDE,
            _member(tvo="veendam"),
            {"municipality": "groningen"},
            d.Place.TVO_ROOM,
            d.SignalRefusal.NOT_PERMITTED,
        ),
        (
            d.SignalAction.TVO_AGENDA,
            _member(),
            {"municipality": "groningen"},
            d.Place.TVO_ROOM,
            d.SignalRefusal.NOT_PERMITTED,
        ),
        (
            d.SignalAction.TVO_AGENDA,
            _member(Role.KETENMANAGER),
            {"municipality": "groningen"},
            d.Place.DIRECT_CHAT,
            d.SignalRefusal.WRONG_PLACE,
        ),
    ],
)
def test_permission_table(
    action: d.SignalAction,
    member: Member,
    context: dict[str, object],
    place: d.Place | None,
    refusal: d.SignalRefusal | None,
) -> None:
    actors = d.actors_for(member, **context)  # type: ignore[arg-type]
    result = d.check(action, actors, place)
    assert (result.code if result else None) is refusal


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("SIG-2026-0007", (2026, 7)),
        ("sig-2026-12", (2026, 12)),
        ("AVZ-2026-0001", None),
        ("SIG-26-1", None),
    ],
)
def test_signal_reference(typed: str, parsed: tuple[int, int] | None) -> None:
    assert d.parse_signal_reference(typed) == parsed
    if parsed:
        assert d.parse_signal_reference(d.format_signal_reference(*parsed)) == parsed


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Huiselijk Geweld", "huiselijk-geweld"), ("verward-gedrag", "verward-gedrag")],
)
def test_normalise_code(typed: str, code: str) -> None:
    assert d.normalise_code(typed) == code


def test_matches_for_lists_signals_then_cases() -> None:
    new = _stored(9, "politie", "@p:x", age_days=0)
    events = d.matches_for(
        new, [new, _stored(1, "ggz", "@a:x"), _stored(2, "politie", "@b:x")], [7, 7], NOW
    )
    assert events == [d.MatchFound(new, _stored(1, "ggz", "@a:x")), d.CaseMatchFound(new, 7)]


def test_withdraw_rules() -> None:
    own = _stored(1, "politie", "@p:x")
    assert isinstance(d.withdraw(own, _member(), "weg", NOW, RET), d.SignalWithdrawn)
    other = _stored(1, "politie", "@q:x")
    refused = d.withdraw(other, _member(Role.KETENMANAGER), "weg", NOW, RET)
    assert isinstance(refused, d.Refused) and refused.code is d.SignalRefusal.NOT_PERMITTED
    gone = _stored(1, "politie", "@p:x", status=d.SignalStatus.INGETROKKEN)
    refused = d.withdraw(gone, _member(), "weg", NOW, RET)
    assert isinstance(refused, d.Refused) and refused.code is d.SignalRefusal.NOT_ACTIVE


def test_retention_event_on_a_fake_clock() -> None:
    signal = _stored(1, "politie", "@p:x", age_days=0)
    assert d.retention_event(signal, None, NOW, RET) is None
    expired = d.retention_event(signal, None, signal.expires_at, RET)
    assert isinstance(expired, d.SignalExpired)
    assert expired.delete_at == d.add_years(signal.expires_at, 5)
    archived = _stored(1, "politie", "@p:x", status=d.SignalStatus.VERLOPEN)
    assert isinstance(
        d.retention_event(archived, expired.delete_at, expired.delete_at, RET), d.SignalDeleted
    )
