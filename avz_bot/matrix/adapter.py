"""The Matrix adapter: login, the sync loop, decryption, invites and the outbound gateway.

Together with the modules it is built from, this package (``avz_bot.matrix``) is the only
code that talks to matrix-nio. ``MatrixAdapter`` turns sync responses into calls on an
``InboundPort`` and offers ``send`` as the single outbound ``Gateway``. One mechanism per
module:

- ``session``: the nio client, login (password once, then the stored token and device),
  the cross-signing identity, and the state the other parts share (``SyncHealth``);
- ``sync``: our own sync loop (the token is stored only after every event of a batch was
  handled: exactly once), backoff, waiting out the database, backfill of timeline gaps;
- ``events``: what each event becomes (invitations, commands, reactions, membership,
  undecryptable events parked and retried);
- ``sending``: ``send``, encrypted attachments, the key policy, ``too_large`` and the
  classification of send errors;
- ``rooms``: creating rooms, invites, kicks, redactions.

Everything the rest of the bot imports from here keeps this module as its address.
"""

from __future__ import annotations

from avz_bot.matrix.rooms import RoomOperations
from avz_bot.matrix.sending import (
    ENCRYPTION_OVERHEAD_BYTES,
    MAX_EVENT_BYTES,
    PERMANENT_ERRORS,
    MessageSender,
    _permanent,
    too_large,
)
from avz_bot.matrix.session import StartupError, SyncHealth
from avz_bot.matrix.sync import MAX_BACKFILL_PAGES, SYNC_FILTER, SyncLoop

__all__ = [
    "ENCRYPTION_OVERHEAD_BYTES",
    "MAX_BACKFILL_PAGES",
    "MAX_EVENT_BYTES",
    "PERMANENT_ERRORS",
    "SYNC_FILTER",
    "MatrixAdapter",
    "StartupError",
    "SyncHealth",
    "_permanent",
    "too_large",
]


class MatrixAdapter(SyncLoop, MessageSender, RoomOperations):
    """One logged-in, encrypted bot device and its sync loop."""
