"""The board area's descriptor (see ``avz_bot.services.area``)."""

from __future__ import annotations

from avz_bot.services.area import Area, Unit
from avz_bot.services.board.service import BoardService


def build(unit: Unit) -> BoardService:
    """The board service of ``unit``'s transaction."""
    app = unit.app
    return BoardService(
        unit.session, unit.at, app.calendar, app.cases_settings, app.board_settings, app.members
    )


AREA: Area[BoardService] = Area("board", BoardService, build)
