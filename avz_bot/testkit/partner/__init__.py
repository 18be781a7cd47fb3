"""A scripted human partner: a real, encrypted matrix-nio client for tests, demo and benchmarks.

``PartnerClient`` logs in with a password, keeps its encryption store on disk, syncs in
a background task, joins the rooms it is invited to, and records every message it
receives (decrypted where it can, retried when a room key arrives later) so that tests
can wait for a reply that may already have arrived.

Every operation is bounded by a timeout: a test can fail, but never hang.
Message bodies are never logged.
The client is split by concept: :mod:`.client` (life cycle), :mod:`.rooms`,
:mod:`.sending`, :mod:`.receiving` (the sync loop), on :mod:`.base` (state and bounded
waiting); :mod:`.records` holds what it records, :mod:`.element` the exact event content
Element Web sends.
"""

from __future__ import annotations

from avz_bot.testkit.partner.client import PartnerClient, PartnerFactory
from avz_bot.testkit.partner.records import Invitation, PartnerError, ReceivedMessage

__all__ = ["Invitation", "PartnerClient", "PartnerError", "PartnerFactory", "ReceivedMessage"]
