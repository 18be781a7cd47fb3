""" "Bedoel je …?": the closest of a few known words to what someone typed.

One rule for every suggestion the bot makes (command and sub-command names, option
keys, coded values such as municipalities, case types, categories, themes and decisions),
so they all behave alike: case-insensitive, accents and spacing as typed, and only a
candidate close enough to be a plausible typo (``difflib`` ratio ≥ 0.6).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

#: How alike a typed word and a candidate must be (difflib's ratio, 0..1).
CUTOFF = 0.6


def closest(typed: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like ``typed`` (as the candidate is spelled), or None when
    none is close enough or ``typed`` is one of them already."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(candidate.casefold(), candidate)
    wanted = " ".join(typed.casefold().split())
    if not wanted or wanted in by_folded:
        return None
    found = difflib.get_close_matches(wanted, list(by_folded), n=1, cutoff=CUTOFF)
    return by_folded[found[0]] if found else None
