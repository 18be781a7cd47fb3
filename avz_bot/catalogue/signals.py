"""Message catalogue part: Signals, TVO triage and matching (issue 10).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {}

EN: dict[str, str] = {}
