"""The fact catalogue: what a condition rule may match, generated from the journal event types.

Every event a journal's log records is a fact of the same name (``visa_given``,
``mark_corrected`` ...) with the event's own scalar fields (texts, numbers, dates, flags; nested
data such as a note's text are left out) and what every journal event has: ``journal``,
``actor``, ``day`` (the day it was recorded, in the university's time) and ``position`` (its
place in the journal's log: later events have larger positions). Derived facts add what the log
implies: ``control`` (each control of the journal's spec, with its dates), ``class_day`` (each
class day of a control), ``journal`` (the journal itself) and ``today`` (the audit's as-of day).
Dates compare and add as calendar days, or as working days of the ruleset's calendar where a
condition says ``working days``: the engine does that arithmetic on per-date ordinals.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import attrs

from journal_rules._commands import JOURNAL_EVENT_ACTIONS
from journal_rules._events import EVENT_TYPES

FieldType = Literal["text", "number", "date", "flag"]


@attrs.frozen
class FactType:
    """One kind of fact: its name, fields (name -> type) and what it is."""

    name: str
    fields: Mapping[str, FieldType]
    doc: str
    derived: bool = False


_COMMON: dict[str, FieldType] = {"journal": "text", "actor": "text", "day": "date",
                                 "position": "number"}


def _field_type(hint: Any) -> FieldType | None:
    """The catalogue type of an attrs field's annotation; None for what a fact cannot hold."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _field_type(inner[0]) if len(inner) == 1 else None
    if hint is bool:
        return "flag"
    if hint is str or (isinstance(hint, type) and issubclass(hint, enum.Enum)):
        return "text"
    if hint in (int, float):
        return "number"
    if hint is date:
        return "date"
    return None


# What each journal event means, for the catalogue (``rules facts``, the policy author's guide).
_EVENT_DOCS = {
    "class_held": "A class recorded as held (``on``: its date, ``topic``).",
    "control_held": "A control recorded as held (``on``: its date).",
    "grade_sheet_formed": "A grade sheet formed for a control (``kind``: regular, integrated "
                          "or individual).",
    "journal_closed": "A control of the journal closed.",
    "journal_reopened": "A closed control reopened by the Registrar's Office (T14).",
    "mark_corrected": "One student's mark for one class day corrected (``old`` -> ``new``, "
                      "``on``: the class day).",
    "marks_entered": "Marks of one control entered (usually one class day's; the cells are "
                     "not facts).",
    "note_approved": "The explanatory note approved by the Registrar's Office (R2).",
    "note_rejected": "The explanatory note rejected by the Registrar's Office (R2).",
    "note_submitted": "An explanatory note submitted to reopen a control (R1, F3).",
    "visa_given": "A visa given on the pending note (``role``: whose visa, T14).",
}


def _event_fact(name: str, cls: type[Any]) -> FactType:
    hints = typing.get_type_hints(cls)
    fields: dict[str, FieldType] = dict(_COMMON)
    for a in attrs.fields(cls):
        kind = _field_type(hints.get(a.name))
        if kind is not None:
            fields[a.name] = kind
    doc = _EVENT_DOCS.get(name) or f"a {name.replace('_', ' ')} event in a journal's log"
    return FactType(name, fields, doc)


DERIVED: tuple[FactType, ...] = (
    FactType("control", {"journal": "text", "control": "text", "kind": "text", "starts": "date",
                         "ends": "date"},
             "A control of the journal's spec (current, milestone, intermediate, final) with its "
             "first and last day.", derived=True),
    FactType("class_day", {"journal": "text", "control": "text", "on": "date"},
             "A class day of a control: a КТП class within the control's dates (or, without a "
             "plan, each working day of the control), and any day marks were entered for.",
             derived=True),
    FactType("journal", {"journal": "text", "unit": "text", "group": "text", "term": "text",
                         "department": "text"},
             "The journal itself: its course unit, group, term and department.", derived=True),
    FactType("today", {"day": "date"},
             "The audit's as-of day: an absence (`none`) is judged over what was recorded by "
             "then.", derived=True),
)


def _build() -> dict[str, FactType]:
    out: dict[str, FactType] = {}
    for name in sorted(JOURNAL_EVENT_ACTIONS):
        out[name] = _event_fact(name, EVENT_TYPES[name])
    for fact in DERIVED:
        out[fact.name] = fact
    return out


#: Every fact a condition may name, by name.
CATALOGUE: Mapping[str, FactType] = _build()
#: Join keys: fields that, shared by two facts, name the same thing.
KEYS = ("journal", "control", "student", "actor")
TODAY_FACT = "today"
