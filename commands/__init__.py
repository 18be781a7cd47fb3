"""Chat commands: declared once, parsed and validated by the framework."""
