"""The one refusal of the bot: a command that cannot proceed, and the reply that says why.

Every area's service raises :class:`Refused`; no handler catches it. The dispatcher
(``commands.framework.Dispatcher.dispatch``) turns it into the reply with
``Outcome.REFUSED``, and the runtime rolls the command's transaction back and records
the refusal in a new one, so nothing a refused command began is kept. The domain's own
refusals stay values (``Refusal``); a service words them and raises this.
"""

from __future__ import annotations

from avz_bot.domain.inbound import Reply


class Refused(Exception):
    """A refused command: ``reply`` explains why (in Dutch) and what to do instead.

    ``key`` names the reason where the raiser has one (the helpdesk's catalogue key), for
    tests and logs; it is never shown. The exception's text never holds the reply, so
    nothing typed by a user ends up in a log or a traceback.
    """

    def __init__(self, reply: Reply, key: str | None = None) -> None:
        super().__init__(key or "refused")
        self.reply = reply
        self.key = key
