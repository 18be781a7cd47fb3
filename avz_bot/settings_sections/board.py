"""Settings section ``[board]``: the read-only web case board (issue 24)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class BoardSettings(BaseModel):
    """The ``[board]`` section. The board is served by the operations endpoint
    (``[http]``), under ``/board``."""

    model_config = ConfigDict(extra="forbid")

    #: Serve the board (and answer ``!overzicht``).
    enabled: bool = True
    #: The address people open, as they reach the bot's HTTP server (behind a reverse
    #: proxy: the proxy's https address). Empty: ``http://<http.host>:<http.port>``.
    public_url: str = ""
    #: How long a ``!overzicht`` link can be used (once), in minutes.
    link_minutes: int = Field(default=10, ge=1, le=60)
    #: How long a board session lasts from sign-in, in minutes (absolute, not sliding).
    session_minutes: int = Field(default=60, ge=5, le=12 * 60)
    #: Case lines per page.
    page_size: int = Field(default=50, ge=10, le=200)
    #: Who may show the board in a frame (CSP ``frame-ancestors``): the Element origins
    #: that host it as a widget, e.g. ``["https://app.element.io"]``. Empty: nobody.
    frame_ancestors: list[str] = Field(default_factory=list)
    #: Where to verify a widget's OpenID token, per homeserver name (the homeserver's
    #: federation ``openid/userinfo`` endpoint base). A server of ``matrix.allowed_servers``
    #: not listed here: the bot's own homeserver URL is used for the bot's own server.
    openid_urls: dict[str, str] = Field(default_factory=dict)

    @field_validator("public_url")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        return value.rstrip("/")
