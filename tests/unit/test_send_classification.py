"""How the gateway classifies send failures and oversized content (issue 14)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from nio import ErrorResponse

from avz_bot.matrix.adapter import MAX_EVENT_BYTES, _permanent, too_large


def _error(code: str, status: int) -> Any:
    response = ErrorResponse("x", code)
    response.transport_response = SimpleNamespace(status=status)  # type: ignore[assignment]
    return response


def test_permanent_and_transient_errors() -> None:
    assert _permanent("M_TOO_LARGE", _error("M_TOO_LARGE", 413))
    assert _permanent("M_FORBIDDEN", _error("M_FORBIDDEN", 403))
    assert _permanent("M_UNRECOGNIZED", _error("M_UNRECOGNIZED", 400))
    # Server trouble and an expired login are worth another try.
    assert not _permanent("M_UNKNOWN", _error("M_UNKNOWN", 502))
    assert not _permanent("M_UNKNOWN_TOKEN", _error("M_UNKNOWN_TOKEN", 401))


def test_too_large_counts_the_content_as_sent_with_encryption() -> None:
    small = {"msgtype": "m.notice", "body": "x" * 16_000}
    assert not too_large(small)
    # 48 KB of plaintext fits the 64 KiB limit unencrypted, but not once encrypted.
    big = {"msgtype": "m.notice", "body": "x" * 48_000}
    assert MAX_EVENT_BYTES > 48_000 and too_large(big)
    # Multi-byte characters count as bytes, not characters.
    assert too_large({"body": "é" * 24_000})
