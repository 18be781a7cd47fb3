"""Loading the configuration: paths relative to the file, every error described once.

Helpers of ``avz_bot.settings.load_settings``; ``root`` is the settings model
(``Settings``), passed in so this module does not import it.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel


def _format_error(error: Mapping[str, Any]) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") == "missing":
        message = "is required but missing"
    return f"{location or 'configuration'}: {message}"


def _path_fields(model: type[BaseModel]) -> set[str]:
    """Names of the fields of ``model`` that hold a ``Path`` (or ``Path | None``)."""
    return {
        name
        for name, info in model.model_fields.items()
        if info.annotation is Path or Path in get_args(info.annotation)
    }


def paths_relative_to(root: type[BaseModel], raw: dict[str, Any], base: Path) -> dict[str, Any]:
    """``raw`` with every relative path setting of a section made relative to ``base``
    (the configuration file's directory), so the bot finds the same files from any
    working directory. Paths from the environment stay relative to the working
    directory."""
    resolved = {
        key: dict(value) if isinstance(value, dict) else value for key, value in raw.items()
    }
    for section, info in root.model_fields.items():
        values = resolved.get(section)
        model = info.annotation
        if not isinstance(values, dict) or not isinstance(model, type):
            continue
        if not issubclass(model, BaseModel):
            continue
        for name in _path_fields(model):
            value = values.get(name)
            if isinstance(value, str) and value and not Path(value).is_absolute():
                values[name] = os.path.normpath(base / value)
    return resolved


def _fields_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The setting names allowed at ``loc`` (a pydantic error location), for "did you mean"."""
    annotation: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = _model_in(annotation)
        if annotation is None or part not in annotation.model_fields:
            return []
        annotation = annotation.model_fields[part].annotation
    model = _model_in(annotation)
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model in ``annotation`` (itself, or inside ``list[…]``/``… | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def describe_errors(root: type[BaseModel], errors: list[Any]) -> list[str]:
    """Every validation error as one line; an unknown key gets "did you mean" when a
    setting of that section is close, and then the "missing" error of that same setting
    (the typo's consequence) is not listed again."""
    lines: list[str] = []
    explained: set[tuple[Any, ...]] = set()
    for error in errors:
        if error.get("type") != "extra_forbidden":
            continue
        loc = tuple(error.get("loc", ()))
        guess = difflib.get_close_matches(str(loc[-1]), _fields_at(root, loc[:-1]), n=1, cutoff=0.7)
        where = ".".join(str(part) for part in loc)
        if guess:
            explained.add((*loc[:-1], guess[0]))
            lines.append(f"{where}: unknown setting; did you mean {guess[0]}?")
        else:
            lines.append(f"{where}: unknown setting")
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "extra_forbidden" or (
            error.get("type") == "missing" and loc in explained
        ):
            continue
        lines.append(_format_error(error))
    return lines


def room_alias_problems(raw: Mapping[str, Any]) -> list[str]:
    """Room aliases (``#name:server``) in settings that need room ids (``!id:server``).

    Aliases are refused, not resolved: an alias can be re-pointed by whoever controls it,
    and the bot's authority over a room (who may open cases there) must not move with it.
    Every setting whose name contains ``room`` is checked (strings, lists, tables).
    """
    found: list[str] = []

    def visit(where: str, value: Any, in_room_setting: bool) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                visit(
                    f"{where}.{key}" if where else str(key),
                    inner,
                    in_room_setting or "room" in str(key),
                )
        elif isinstance(value, list):
            for inner in value:
                visit(where, inner, in_room_setting)
        elif in_room_setting and isinstance(value, str) and value.startswith("#"):
            found.append(
                f"{where}: {value} is a room alias; a room id is needed (!…:server; "
                "Element: room settings → Advanced → internal room ID)"
            )

    visit("", raw, False)
    return found
