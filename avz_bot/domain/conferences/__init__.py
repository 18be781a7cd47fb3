"""conferences."""
