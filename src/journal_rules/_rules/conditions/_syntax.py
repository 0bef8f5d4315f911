"""The text of one pattern of a ``condition`` rule, parsed with lark into a small typed tree.

A pattern reads ``[at least N | more than N] <fact> [where <condition>]``; a condition is
comparisons (``== != < <= > >=``, ``in [..]``) of fields (``field`` of this fact, ``alias.field``
of an earlier one), numbers, "texts", ``true``/``false`` and durations (``2 days``,
``1 working day``) added to or subtracted from them, joined by ``and``, ``or``, ``not`` and
parentheses. See docs/policy-authors.md ("Conditions").
"""

from __future__ import annotations

from typing import Any

import attrs
import lark

MAX_TEXT = 2000  # a pattern longer than this is not a policy, it is an attack

GRAMMAR = r"""
pattern: quantity? NAME same? ("where" _cond)?
same: "same" NAME ("," NAME)* same_as?
same_as: "as" NAME
quantity: "at" "least" NUMBER -> at_least
        | "more" "than" NUMBER -> more_than
_cond: or_
?or_: and_ ("or" and_)*
?and_: not_ ("and" not_)*
?not_: "not" not_ -> negate
     | "(" or_ ")"
     | comparison
comparison: sum COMPARE sum
          | sum "in" "[" literal ("," literal)* "]" -> member
?sum: operand
    | sum ADD operand -> arith
?operand: ref
        | literal
        | NUMBER DAYS -> days
        | NUMBER "working" DAYS -> working_days
ref: NAME ("." NAME)?
?literal: NUMBER -> number
        | STRING -> text
        | "true" -> true
        | "false" -> false
COMPARE: "==" | "!=" | "<=" | ">=" | "<" | ">"
ADD: "+" | "-"
DAYS: "days" | "day"
NAME: /(?!(and|or|not|where|in|true|false|same|as)\b)[a-z_][a-z0-9_]*/
NUMBER: /-?[0-9]+(\.[0-9]+)?/
STRING: /"[^"\n]*"/ | /'[^'\n]*'/
%import common.WS
%ignore WS
"""


# --- the tree ------------------------------------------------------------------------------------

@attrs.frozen
class Ref:
    """``alias.field`` (``alias`` None: a field of the pattern's own fact)."""

    alias: str | None
    field: str
    column: int


@attrs.frozen
class Const:
    value: str | int | float | bool
    column: int


@attrs.frozen
class Days:
    """A duration: ``n`` calendar days, or working days when ``working``."""

    n: int
    working: bool
    column: int


@attrs.frozen
class Arith:
    left: Operand
    op: str  # "+" or "-"
    right: Operand
    column: int


Operand = Ref | Const | Days | Arith


@attrs.frozen
class Compare:
    left: Operand
    op: str
    right: Operand
    column: int


@attrs.frozen
class Member:
    left: Operand
    values: tuple[Const, ...]
    column: int


@attrs.frozen
class All:
    items: tuple[Cond, ...]


@attrs.frozen
class Either:
    items: tuple[Cond, ...]


@attrs.frozen
class Not:
    item: Cond


Cond = Compare | Member | All | Either | Not


@attrs.frozen
class Pattern:
    """One pattern: the fact it matches (``count``: at least that many of them) and its where."""

    fact: str
    fact_column: int
    where: Cond | None = None
    count: int | None = None
    same: Same | None = None


@attrs.frozen
class Same:
    """``same journal, control [as alias]``: equal to ``alias``'s fields (without ``as``: to
    the previous fact counted)."""

    fields: tuple[Ref, ...]
    alias: Ref | None


class SyntaxProblem(ValueError):
    """A pattern that does not parse: what and at which character (1-based)."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


def _col(tree_or_token: Any) -> int:
    meta = getattr(tree_or_token, "meta", None)
    if meta is not None and not getattr(meta, "empty", True):
        return int(meta.column)
    return int(getattr(tree_or_token, "column", 0) or 0)


class _Build(lark.Transformer[Any, Any]):
    def pattern(self, items: list[Any]) -> Pattern:
        count = None
        if items and isinstance(items[0], tuple):
            count = items.pop(0)[1]
        name = items.pop(0)
        same = items.pop(0) if items and isinstance(items[0], Same) else None
        where = items[0] if items else None
        return Pattern(str(name), name.column, where, count, same)

    def same(self, items: list[Any]) -> Same:
        alias = items.pop() if items and isinstance(items[-1], Ref) else None
        return Same(tuple(Ref(None, str(t), t.column) for t in items), alias)

    def same_as(self, items: list[Any]) -> Ref:
        return Ref(str(items[0]), "", items[0].column)

    def at_least(self, items: list[Any]) -> tuple[str, int]:
        return ("count", _whole(items[0]))

    def more_than(self, items: list[Any]) -> tuple[str, int]:
        return ("count", _whole(items[0]) + 1)

    def or_(self, items: list[Any]) -> Either:
        return Either(tuple(items))

    def and_(self, items: list[Any]) -> All:
        return All(tuple(items))

    def negate(self, items: list[Any]) -> Not:
        return Not(items[0])

    def comparison(self, items: list[Any]) -> Compare:
        left, op, right = items
        return Compare(left, str(op), right, op.column)

    def member(self, items: list[Any]) -> Member:
        left, *values = items
        for v in values:
            if not isinstance(v, Const):
                raise SyntaxProblem("a list after `in` holds texts or numbers", 0)
        return Member(left, tuple(values), _column_of(left))

    def arith(self, items: list[Any]) -> Arith:
        left, op, right = items
        return Arith(left, str(op), right, op.column)

    def days(self, items: list[Any]) -> Days:
        return Days(_whole(items[0]), False, items[0].column)

    def working_days(self, items: list[Any]) -> Days:
        return Days(_whole(items[0]), True, items[0].column)

    def ref(self, items: list[Any]) -> Ref:
        if len(items) == 2:
            return Ref(str(items[0]), str(items[1]), items[0].column)
        return Ref(None, str(items[0]), items[0].column)

    def number(self, items: list[Any]) -> Const:
        text = str(items[0])
        value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        return Const(value, items[0].column)

    def text(self, items: list[Any]) -> Const:
        return Const(str(items[0])[1:-1], items[0].column)

    def true(self, items: list[Any]) -> Const:
        return Const(True, 0)

    def false(self, items: list[Any]) -> Const:
        return Const(False, 0)


def _whole(token: Any) -> int:
    text = str(token)
    if not text.isdigit() or len(text) > 6:
        raise SyntaxProblem(f"{text} is not a whole number of at most 6 digits", token.column)
    return int(text)


def _column_of(operand: Operand) -> int:
    return operand.column


_parser = lark.Lark(GRAMMAR, start="pattern", parser="lalr", propagate_positions=True)

_WORDS = {"NAME": "a name", "COMPARE": "a comparison (== != < <= > >=)", "NUMBER": "a number",
          "STRING": "a \"text\"", "LPAR": "(",
          "RPAR": ")", "AND": "and", "OR": "or", "WHERE": "where", "ADD": "+ or -",
          "DAYS": "days", "LSQB": "[", "RSQB": "]", "COMMA": ",", "$END": "the end"}


def parse_pattern(text: str) -> Pattern:
    """The tree of one pattern; :class:`SyntaxProblem` saying what was expected where."""
    if len(text) > MAX_TEXT:
        raise SyntaxProblem(f"a pattern is at most {MAX_TEXT} characters", MAX_TEXT)
    try:
        tree = _parser.parse(text)
        result: Pattern = _Build().transform(tree)
    except lark.exceptions.UnexpectedInput as exc:
        column = int(getattr(exc, "column", 0) or 0)
        expected = sorted(_WORDS.get(e, e.lower()) for e in (getattr(exc, "expected", None)
                                                             or getattr(exc, "allowed", None)
                                                             or ()))
        token = getattr(exc, "token", None)
        found = f"unexpected {str(token)!r}" if token is not None and str(token) else \
            "unexpected text" if not isinstance(exc, lark.exceptions.UnexpectedEOF) \
            else "unexpected end"
        hint = f"; expected {', '.join(dict.fromkeys(expected))}" if expected else ""
        raise SyntaxProblem(f"{found}{hint}", column) from None
    except lark.exceptions.VisitError as exc:
        if isinstance(exc.orig_exc, SyntaxProblem):
            raise exc.orig_exc from None
        raise
    return result
