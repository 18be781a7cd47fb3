"""Test kit: a real homeserver and real encrypted partners for the tests, demo and benchmarks.

- ``avz_bot.testkit.synapse``: ``SynapseServer``, a throw-away Synapse on loopback.
- ``avz_bot.testkit.partner``: ``PartnerClient``, a scripted human partner (matrix-nio, E2EE).
- ``avz_bot.testkit.bot``: the bot itself, running in-process.

The modules are imported explicitly (nothing is re-exported here) so that using one of
them does not pull in the others' dependencies.
"""
