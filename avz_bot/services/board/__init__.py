"""The case board area: a read-only web overview, and ``!overzicht`` to sign in to it."""
