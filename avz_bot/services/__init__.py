"""Services: one unit of work per command or job (load, apply, persist, reply)."""
