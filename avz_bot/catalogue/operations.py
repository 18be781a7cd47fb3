"""Message catalogue part: Operations: start-up, outages, registry reload, housekeeping (issue 8).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {}

EN: dict[str, str] = {}
