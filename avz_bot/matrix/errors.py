"""Why the bot's Matrix device cannot start (or must wait)."""

from __future__ import annotations


class StartupError(Exception):
    """The bot cannot log in or load its encryption store; the message says why."""


class StoppedError(StartupError):
    """Asked to stop (SIGTERM) before the homeserver could be reached: a clean stop."""


class TokenRejected(StartupError):
    """The homeserver rejected the configured access token (expired or revoked).

    Not fatal: the bot waits, not ready with this reason, until a new token is put in
    ``matrix.access_token_file`` (see ``MatrixSession.wait_for_new_token``).
    """
