"""avz-bot: the Matrix bot of the Actiecentrum Veiligheid & Zorg."""

__version__ = "0.1.0"
