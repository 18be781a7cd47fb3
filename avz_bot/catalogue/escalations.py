"""Message catalogue part: Escalations (opschaling) with acknowledgement (issue 11).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {}

EN: dict[str, str] = {}
