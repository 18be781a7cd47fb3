"""Message catalogue part: Input as people type it: mentions, replies, threads, edits (issue 9).

Merged into the one catalogue by ``avz_bot.messages``; keys are unique across parts.
"""

from __future__ import annotations

NL: dict[str, str] = {}

EN: dict[str, str] = {}
