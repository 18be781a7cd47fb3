"""The case board: who sees what on it, taken from the areas' own permission tables (pure)."""
