"""The Matrix adapter: the only package that imports matrix-nio."""
