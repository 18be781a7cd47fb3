"""helpdesk."""
