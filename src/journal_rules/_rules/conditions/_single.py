"""The conditions of the built-in kinds, in the same language as condition rules.

A built-in kind posts one fact per thing it judges (a deadline's run, a class day, a subject of
a ladder) with the fields its kind declares, and decides by a condition per outcome written as
text (``elapsed > days``); the rule's own numbers are named in it (``{days}``) and filled in from
the rule, and a ruleset may replace a rule's condition under ``when:``. The text is checked
against the kind's fields and compiled to the engine's condition by the same compiler as
condition rules: the engine decides, and changing a comparison needs no Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from journal_rules._errors import Problem, suggest

from ._catalogue import FactType, FieldType
from ._compile import Binding, _At, _Compiler, _Refused
from ._syntax import SyntaxProblem, parse_pattern

_OWN = "\0fact"
_PREFIX = "fact where "


def compile_fact_condition(text: str, fields: Mapping[str, FieldType], *, path: str
                           ) -> Mapping[str, Any] | list[Problem]:
    """The engine condition over one fact with ``fields`` (bare names), or its problems."""
    try:
        pattern = parse_pattern(_PREFIX + text)
    except SyntaxProblem as exc:
        column = max(1, exc.column - len(_PREFIX))
        return [Problem(f"{exc.message} (at character {column})", path=path)]
    if pattern.where is None or pattern.count is not None or pattern.same is not None:
        return [Problem("a condition is comparisons joined by and, or, not", path=path)]
    compiler = _Compiler([], "", "")
    compiler.bindings[_OWN] = Binding(_OWN, FactType("fact", fields, ""), ("",), path)
    try:
        return compiler.cond_of(pattern.where, _At(_OWN, _OWN, (), path))
    except _Refused as exc:
        problem = exc.problem
        message = re.sub(r"\(at character (\d+)\)",
                         lambda m: f"(at character {max(1, int(m.group(1)) - len(_PREFIX))})",
                         problem.message)
        return [Problem(message, path=problem.path or path, suggestion=problem.suggestion)]


_SYMBOL = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<=", "$neq": "!="}


def condition_text(cond: Mapping[str, Any]) -> str:
    """A kind's engine condition as the language writes it (``rules explain``, ``when``)."""
    (key, value), = cond.items()
    if key in ("$and", "$or"):
        parts = [condition_text(c) for c in value]
        if key == "$or":
            return " or ".join(parts)
        return " and ".join(f"({p})" if " or " in p else p for p in parts)
    if key in _SYMBOL:
        (field, operand), = value.items()
        return f"{field} {_SYMBOL[key]} {_literal(operand)}"
    return f"{key} == {_literal(value)}"


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def condition_fields(conds: Mapping[str, Mapping[str, Any]]) -> dict[str, FieldType]:
    """The fields a kind's conditions name, typed by what they are compared with: what a
    ``when`` written for that kind may test (``rule`` excepted: every condition has it)."""
    out: dict[str, FieldType] = {}

    def walk(cond: Mapping[str, Any]) -> None:
        (key, value), = cond.items()
        if key in ("$and", "$or"):
            for c in value:
                walk(c)
            return
        if key in _SYMBOL:
            (key, value), = value.items()
        if key != "rule":
            out[key] = "text" if isinstance(value, str) else "number"
    for cond in conds.values():
        walk(cond)
    return out


def when_conditions(rule_id: str, defaults: Mapping[str, Mapping[str, Any]],
                    when: Mapping[str, str]) -> dict[str, Mapping[str, Any]] | list[Problem]:
    """A rule's conditions with ``when`` replacing some outcomes' (each still names the rule:
    facts of other rules share the engine)."""
    problems: list[Problem] = []
    out: dict[str, Mapping[str, Any]] = dict(defaults)
    fields = condition_fields(defaults)
    if not defaults:
        return [Problem("this kind has no per-fact conditions to replace: its decision is its "
                        "`match`", path="when")]
    for outcome, text in when.items():
        path = f"when.{outcome}"
        if outcome not in defaults:
            problems.append(Problem(f"this kind decides no outcome {outcome!r}; its outcomes: "
                                    f"{', '.join(defaults)}", path=path,
                                    suggestion=suggest(outcome, set(defaults))))
            continue
        if not isinstance(text, str):
            problems.append(Problem("a condition is a text", path=path))
            continue
        found = compile_fact_condition(text, fields, path=path)
        if isinstance(found, list):
            problems.extend(found)
            continue
        out[outcome] = {"$and": [{"rule": rule_id}, dict(found)]}
    return problems or out
