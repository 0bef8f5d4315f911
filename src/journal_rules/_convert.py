"""The cattrs converter between the model and plain JSON data (events, files, adapters)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._errors import InvalidInput, Problem, suggest

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


def _structure_date(value: Any, _: type) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"expected a date, got a date and time {value!r}")
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _structure_time(value: Any, _: type) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML reads 09:00 as sexagesimal minutes
        return time(value // 60, value % 60)
    return time.fromisoformat(str(value))


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"expected text, got {value!r}")


converter.register_structure_hook(Decimal, _structure_decimal)
converter.register_unstructure_hook(Decimal, lambda d: format(d, "f"))
converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(date, lambda d: d.isoformat())
converter.register_structure_hook(time, _structure_time)
converter.register_unstructure_hook(time, lambda t: t.isoformat(timespec="minutes"))
converter.register_structure_hook(str, _structure_str)
converter.register_unstructure_hook_func(
    lambda t: t is frozenset or getattr(t, "__origin__", None) is frozenset,
    sorted,
)


class FieldError(ValueError):
    """A wrong value raised from a structure hook, naming the field it is in (relative to the
    value being structured) and the nearest valid name."""

    def __init__(self, message: str, field: str = "", suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestion = suggestion


def problems_of(exc: BaseException, path: str = "") -> list[Problem]:
    """Flatten a cattrs exception group into one :class:`Problem` per bad field, with its path."""
    if isinstance(exc, FieldError):
        return [Problem(exc.message, path=_join(path, exc.field), suggestion=exc.suggestion)]
    if isinstance(exc, ForbiddenExtraKeysError):
        valid = field_names(exc.cl)
        return [Problem(f"unknown field {key!r}", path=_join(path, str(key)),
                        suggestion=suggest(str(key), valid))
                for key in sorted(exc.extra_fields)]
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[Problem] = []
        for sub in exc.exceptions:
            note = next((n for n in getattr(sub, "__notes__", []) if isinstance(n, str)), "")
            out.extend(problems_of(sub, _join(path, _note_path(note))))
        return out
    if isinstance(exc, KeyError):
        return [Problem("required field is missing", path=path)]
    return [Problem(str(exc) or type(exc).__name__, path=path)]


FIELD_ALIASES: dict[type, dict[str, str]] = {}
"""Per class, attribute name -> the key it is written as in files (``source`` -> ``from``)."""


def field_names(cls: type) -> set[str]:
    """The keys a file may use for ``cls``."""
    if not attrs.has(cls):
        return set()
    aliases = FIELD_ALIASES.get(cls, {})
    return {aliases.get(a.name, a.name) for a in attrs.fields(cls)}


def register_aliases(cls: type, **aliases: str) -> None:
    """Write ``cls``'s attributes under other keys in files, e.g. ``source="from"``."""
    FIELD_ALIASES[cls] = aliases
    overrides: Any = {name: override(rename=key) for name, key in aliases.items()}
    converter.register_structure_hook(cls, make_dict_structure_fn(
        cls, converter, _cattrs_forbid_extra_keys=True, **overrides))
    converter.register_unstructure_hook(cls, make_dict_unstructure_fn(
        cls, converter, **overrides))


def _note_path(note: str) -> str:
    # cattrs notes read "Structuring class X @ attribute name" or "... @ index 3".
    if "@ attribute " in note:
        return note.rsplit("@ attribute ", 1)[1]
    if "@ index " in note:
        return f"[{note.rsplit('@ index ', 1)[1]}]"
    if "@ key " in note:
        return f"[{note.rsplit('@ key ', 1)[1]}]"
    return ""


def _join(path: str, part: str) -> str:
    if not part:
        return path
    if part.startswith("["):
        return path + part
    return f"{path}.{part}" if path else part


def structure(data: Any, cls: type[T], what: str) -> T:
    """Structure plain data into ``cls``, or raise :class:`InvalidInput` listing every problem."""
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        raise InvalidInput(what, problems_of(exc)) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(what, [Problem(str(exc))]) from None


def unstructure(value: Any) -> Any:
    return converter.unstructure(value)


def unstructure_mapping(value: Any) -> Mapping[str, Any]:
    result: Mapping[str, Any] = converter.unstructure(value)
    return result


def bounded(low: int, high: int) -> dict[str, Any]:
    """Field metadata: the whole-number value must lie in ``low..high`` (checked when a ruleset
    loads, shown as ``minimum``/``maximum`` in the JSON schema). Use as
    ``attrs.field(metadata=bounded(0, 10))``."""
    return {"bounds": (low, high)}


def bounds_problems(value: Any, path: str = "") -> list[Problem]:
    """Every field declared with :func:`bounded`, anywhere inside ``value``, that is out of its
    bounds."""
    out: list[Problem] = []
    if attrs.has(type(value)):
        for a in attrs.fields(type(value)):
            item = getattr(value, a.name)
            where = f"{path}.{a.name}" if path else a.name
            bounds = a.metadata.get("bounds") if a.metadata else None
            if bounds is not None and isinstance(item, int) and not \
                    bounds[0] <= item <= bounds[1]:
                out.append(Problem(f"{item} is out of bounds ({bounds[0]}..{bounds[1]})",
                                   path=where))
            out += bounds_problems(item, where)
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            out += bounds_problems(item, f"{path}[{i}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            out += bounds_problems(item, f"{path}.{key}" if path else str(key))
    return out
