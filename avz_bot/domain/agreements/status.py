"""The life-cycle status of an agreement (``agreements.status``)."""

from __future__ import annotations

from enum import StrEnum


class AgreementStatus(StrEnum):
    """Where an agreement stands (values are the stored, shown Dutch words); ``open`` is
    the only unfinished one."""

    OPEN = "open"
    KLAAR = "klaar"  # done
    VERVALLEN = "vervallen"  # lapsed
