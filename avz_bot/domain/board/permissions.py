"""Who sees what on the case board: the chat's rules, read from the areas' own tables.

The board is read only, so every question here is "may this member *read* this?", and each
answer is the row of the area's table the chat uses for the same reading (no second copy):

=====================  ============================================  ==========================
board part             the chat's command                            rule (table, row)
=====================  ============================================  ==========================
a case's line, its     ``!casus``                                    ``cases.PERMISSIONS[VIEW]``
escalations,                                                         (members of the case)
agreements, page
a line of every case   ``!rapport`` (a report covers all cases)      ``reports.PERMISSIONS
(reference, municipa-  and the coordination room's digest            [REQUEST]`` (ketenmanager)
lity, type, status,
regie, counts)
the TVO queue of a     ``!tvo agenda``                               ``signals.PERMISSIONS
municipality                                                         [TVO_AGENDA]`` (ketenmanager,
                                                                     TVO member of it)
open helpdesk          ``!oppakken`` (who may pick a question up)    ``helpdesk.QUESTION_PERMIS-
questions                                                            SIONS[CLAIM, OPEN]``, and
                                                                     the asker's own questions
upcoming conferences   ``!overleggen``                               ``conferences.PERMISSIONS
                                                                     [VIEW]`` (members)
=====================  ============================================  ==========================

A ketenmanager therefore sees a line for every open case (what the report and the digest
already show them) but opens only the cases they are a member of: the case page applies
:func:`avz_bot.domain.cases.permissions.check` to the loaded case, exactly as ``!casus``.
The *place* of a chat rule (a TVO room, a direct chat) is the chat's way of knowing who
reads along; on the board the reader is the one signed-in person, so only the actors count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from avz_bot.domain.cases.permissions import PERMISSIONS as CASE_PERMISSIONS
from avz_bot.domain.cases.permissions import Actor as CaseActor
from avz_bot.domain.cases.permissions import CaseAction
from avz_bot.domain.conferences.permissions import PERMISSIONS as CONFERENCE_PERMISSIONS
from avz_bot.domain.conferences.permissions import ConferenceAction, ConferenceActor
from avz_bot.domain.helpdesk.permissions import QUESTION_PERMISSIONS, QuestionAction, Relation
from avz_bot.domain.helpdesk.status import QuestionStatus
from avz_bot.domain.partners import Member, Role, ScopedRoleKind
from avz_bot.domain.reports.permissions import PERMISSIONS as REPORT_PERMISSIONS
from avz_bot.domain.reports.permissions import ReportAction, ReportActor
from avz_bot.domain.signals.permissions import PERMISSIONS as SIGNAL_PERMISSIONS
from avz_bot.domain.signals.permissions import SignalAction, actors_for


@dataclass(frozen=True, slots=True)
class BoardScope:
    """What one member may read on the board.

    ``all_cases``: a line for every open case (else only the cases they are a member of);
    ``tvo_all``: every municipality's TVO queue, else those in ``tvo_municipalities``;
    ``helpdesk_all``: every open question, else those they asked or may pick up
    (``helpdesk_themes``). Case contents always need membership (:func:`may_open_case`).
    """

    user_id: str
    all_cases: bool
    tvo_all: bool
    tvo_municipalities: frozenset[str]
    helpdesk_all: bool
    helpdesk_themes: frozenset[str]

    def sees_tvo(self, municipality: str) -> bool:
        """Whether the TVO queue of ``municipality`` is readable."""
        return self.tvo_all or municipality in self.tvo_municipalities


def _report_actors(member: Member) -> frozenset[ReportActor]:
    return (
        frozenset({ReportActor.KETENMANAGER}) if member.has_role(Role.KETENMANAGER) else frozenset()
    )


def _question_relations(member: Member, expert: bool) -> frozenset[Relation]:
    found = {Relation.THEME_EXPERT} if expert else set()
    if member.has_role(Role.KETENMANAGER):
        found.add(Relation.KETENMANAGER)
    return frozenset(found)


def may_read_open_question(member: Member, *, expert_of_theme: bool) -> bool:
    """Whether ``member`` may read an open question of a theme without having asked it:
    whoever may pick it up (``QUESTION_PERMISSIONS[(CLAIM, OPEN)]``)."""
    allowed = QUESTION_PERMISSIONS[(QuestionAction.CLAIM, QuestionStatus.OPEN)]
    return bool(allowed & _question_relations(member, expert_of_theme))


def scope_for(member: Member, municipalities: Iterable[str]) -> BoardScope:
    """The member's board scope, from the tables (see the module docstring).

    ``municipalities`` are the configured ones (each TVO queue is checked on its own);
    the helpdesk themes are those the member is an expert or backup of (scoped roles).
    """
    expert_themes = member.scopes(ScopedRoleKind.THEME) | member.scopes(ScopedRoleKind.BACKUP_THEME)
    every_case = bool(REPORT_PERMISSIONS[ReportAction.REQUEST] & _report_actors(member))
    agenda = SIGNAL_PERMISSIONS[SignalAction.TVO_AGENDA].actors
    tvo = frozenset(m for m in municipalities if actors_for(member, municipality=m) & agenda)
    tvo_all = bool(actors_for(member) & agenda)
    helpdesk_all = may_read_open_question(member, expert_of_theme=False)
    themes = frozenset(
        theme for theme in expert_themes if may_read_open_question(member, expert_of_theme=True)
    )
    return BoardScope(member.matrix_id, every_case, tvo_all, tvo, helpdesk_all, themes)


def members_read_cases() -> bool:
    """Whether plain membership of a case lets one read it (``cases.PERMISSIONS[VIEW]``)
    and its conferences (``conferences.PERMISSIONS[VIEW]``): the board lists a member's
    own cases only if both rows say so, so a change of either table reaches the board."""
    return CaseActor.MEMBER in CASE_PERMISSIONS[CaseAction.VIEW] and (
        ConferenceActor.MEMBER in CONFERENCE_PERMISSIONS[ConferenceAction.VIEW]
    )
