"""One decision asked without doing anything: may this actor do this command at this moment,
against this store (or a case world)? What ``journal-rules rules decide`` prints, like
``cedar authorize``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from journal_rules._clock import ManualClock
from journal_rules._convert import field_names, problems_of
from journal_rules._decision import Decision
from journal_rules._errors import InvalidInput, Problem, suggest
from journal_rules._gradebook import Gradebook
from journal_rules._ruleset import Ruleset
from journal_rules._storage import Storage
from journal_rules._yaml import load_located

from ._cases import COMMANDS, _cases_converter


def parse_command(text: str, where: str = "--command") -> Any:
    """A command written as in test cases, ``{do: <action>, with: {<fields>}}``, in YAML or
    JSON: the command object, or an :class:`InvalidInput` naming the wrong key or field."""
    data = load_located(text, where).data
    if not isinstance(data, Mapping) or "do" not in data:
        raise InvalidInput(where, [Problem("a command is {do: <action>, with: {<fields>}}",
                                           path=where)])
    unknown = [k for k in data if k not in ("do", "with")]
    if unknown:
        raise InvalidInput(where, [Problem(f"unknown key {k!r}; a command has do and with",
                                           path=str(k), suggestion=suggest(str(k),
                                                                           {"do", "with"}))
                                   for k in unknown])
    action = str(data["do"])
    cls = COMMANDS.get(action)
    if cls is None:
        raise InvalidInput(where, [Problem(f"unknown command {action!r}", path="do",
                                           suggestion=suggest(action, set(COMMANDS)))])
    fields = data.get("with") or {}
    if not isinstance(fields, Mapping):
        raise InvalidInput(where, [Problem("`with` maps the command's fields", path="with")])
    known = field_names(cls)
    wrong = [Problem(f"unknown field {k!r} of {action}", path=f"with.{k}",
                     suggestion=suggest(str(k), known)) for k in fields if str(k) not in known]
    if wrong:
        raise InvalidInput(where, wrong)
    try:
        return _cases_converter.structure(dict(fields), cls)
    except Exception as exc:  # cattrs raises groups of anything: say which field instead
        raise InvalidInput(where, problems_of(exc, "with")) from None


def _zone(ruleset: Ruleset) -> timezone:
    hours, _, minutes = ruleset.calendar.utc_offset.lstrip("+-").partition(":")
    sign = -1 if ruleset.calendar.utc_offset.startswith("-") else 1
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def local_day(text: str, ruleset: Ruleset) -> date:
    """The university's day of an ``--as-of`` (which decides the edition in force)."""
    return moment(text, ruleset).astimezone(_zone(ruleset)).date()


def moment(text: str, ruleset: Ruleset) -> datetime:
    """``--as-of``: a moment (ISO 8601; without a zone, the university's local time) or a
    day (noon of that day, the university's local time)."""
    local = _zone(ruleset)
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(12), local).astimezone(UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("--as-of", [Problem(f"not a date or moment (YYYY-MM-DD or "
                                               f"YYYY-MM-DDTHH:MM[+05:00]): {text!r}",
                                               path="--as-of")]) from None
    return (value if value.tzinfo is not None else value.replace(tzinfo=local)).astimezone(UTC)


def decide(store: Storage, ruleset: Ruleset, actor: str, command: Any, at: datetime
           ) -> Decision:
    """The guard's answer for ``actor`` doing ``command`` at ``at`` over what ``store`` holds;
    nothing is written (bad data in the command still raises :class:`InvalidInput`)."""
    book = Gradebook.for_ruleset(store, ruleset, clock=ManualClock(at))
    return book.check(actor, command)
