"""Pure domain logic: no I/O, no nio, no SQLAlchemy."""
