"""Configuration sections of the capability areas, one module each (see ``avz_bot.settings``)."""
