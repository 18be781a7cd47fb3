"""Test kit: a real homeserver and real encrypted partners for the tests, demo and benchmarks.

- ``avz_bot.testkit.synapse``: ``SynapseServer``, a throw-away Synapse on loopback.
- ``avz_bot.testkit.partner``: ``PartnerClient``, a scripted human partner (matrix-nio, E2EE).
- ``avz_bot.testkit.bot``: the bot itself, running in-process.
- ``avz_bot.testkit.process``: ``BotProcess``, the bot as operators run it (the ``avz-bot``
  console script as a subprocess, configuration derived from the example file).
- ``avz_bot.testkit.postgres``: ``PrivatePostgres``, a throw-away PostgreSQL cluster on its own
  port that outage tests stop and start.

The modules are imported explicitly (nothing is re-exported here) so that using one of
them does not pull in the others' dependencies.
"""
