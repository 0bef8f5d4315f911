"""Check a condition rule's patterns against the fact catalogue and compile them to a
durable_rules rule: one pattern per fact (joined on the fields it compares with earlier
patterns' fields), the audit's ``today`` fact, then the absences (``none``) judged once every
fact is in.

Each comparison is placed at the latest pattern it names (there the engine has every fact it
needs), with that pattern's field alone on one side: ``starts < milestone.ends + 2 working days``
in pattern ``exam`` compiles to ``{"$lt": {"starts__wd": {"$add": {"$l": {"p_milestone":
"ends__wd"}, "$r": 2}}}}``. Dates are posted three ways: as ISO text (shown), as a calendar day
number (``__n``) and as a working-day ordinal of the ruleset's calendar (``__wd``), so calendar
and working-day arithmetic are both plain addition in the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs

from journal_rules._errors import Problem, suggest

from ._catalogue import CATALOGUE, FactType
from ._syntax import (
    All,
    Arith,
    Compare,
    Cond,
    Const,
    Days,
    Either,
    Member,
    Not,
    Operand,
    Pattern,
    Ref,
    SyntaxProblem,
    parse_pattern,
)

TODAY = "today"
MAX_COUNT = 10  # "at least N" joins N facts: a bigger N is a ladder, not a pattern
_FLIP = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
RESERVED = frozenset({"none", TODAY})


@attrs.frozen
class Binding:
    """A pattern that binds an alias: its fact and the engine's name for it (``keys``: one per
    fact counted; the last one stands for the alias in later patterns)."""

    alias: str
    fact: FactType
    keys: tuple[str, ...]
    path: str


@attrs.frozen
class Compiled:
    """A condition rule compiled: the engine's patterns (in order), the aliases they bind, the
    facts they match, and the alias a finding is about."""

    patterns: tuple[tuple[str, Mapping[str, Any]], ...]
    bindings: Mapping[str, Binding]
    facts: frozenset[str]
    subject: str


@attrs.frozen
class _At:
    """Where a condition is compiled: written in pattern ``written_in`` (whose bare fields are
    its own), placed at pattern ``home`` (the engine's current fact), after the ``bound``
    aliases; ``where`` is the rule path problems name."""

    written_in: str
    home: str
    bound: Sequence[str]
    where: str


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def _problem(message: str, path: str, column: int | None = None,
             suggestion: str | None = None) -> _Refused:
    where = f" (at character {column})" if column else ""
    return _Refused(Problem(message + where, path=path, suggestion=suggestion))


def compile_condition(match: Sequence[Mapping[str, Any]], subject: str | None, *,
                      path: str = "match",
                      fact_mark: str = "journal-rules-fact",
                      today_mark: str = "journal-rules-today") -> Compiled | list[Problem]:
    """Check and compile ``match`` (a list of ``{alias: pattern}`` / ``{none: pattern}``); the
    compiled rule, or every problem found, each with its path."""
    problems: list[Problem] = []
    parsed: list[tuple[str | None, Pattern, str]] = []
    if not isinstance(match, Sequence) or not match:
        return [Problem("a condition rule matches at least one fact", path=path)]
    for i, item in enumerate(match):
        where = f"{path}[{i}]"
        if not isinstance(item, Mapping) or len(item) != 1:
            problems.append(Problem("each pattern is one `alias: fact where ...` (or `none: "
                                    "fact where ...`)", path=where))
            continue
        (alias, text), = item.items()
        alias = str(alias)
        where = f"{where}.{alias}"
        if not isinstance(text, str):
            problems.append(Problem("a pattern is a text: `fact where condition`", path=where))
            continue
        if alias != "none" and (alias in RESERVED or not alias.isidentifier()
                                or not alias.islower()):
            problems.append(Problem(f"{alias!r} cannot name a fact: an alias is a lower-case "
                                    "name, not `today`", path=where))
            continue
        try:
            parsed.append((None if alias == "none" else alias, parse_pattern(text), where))
        except SyntaxProblem as exc:
            problems.append(_problem(exc.message, where, exc.column).problem)
    if problems:
        return problems
    try:
        return _Compiler(parsed, fact_mark, today_mark).run(subject, path)
    except _Refused as exc:
        return [exc.problem]


class _Compiler:
    def __init__(self, parsed: list[tuple[str | None, Pattern, str]], fact_mark: str,
                 today_mark: str) -> None:
        self.parsed = parsed
        self.fact_mark = fact_mark
        self.today_mark = today_mark
        self.bindings: dict[str, Binding] = {}
        self.order: list[str] = []  # aliases in the order the engine binds them

    def run(self, subject: str | None, path: str) -> Compiled:
        for alias, pattern, where in self.parsed:
            fact = self._fact(pattern, where)
            if alias is None:
                if pattern.count is not None:
                    raise _problem("`none` takes no count: it says no such fact exists", where)
                continue
            if alias in self.bindings:
                raise _problem(f"alias {alias!r} is already bound", where)
            if pattern.count is not None:
                if not 1 <= pattern.count <= MAX_COUNT:
                    raise _problem(f"a count is between 1 and {MAX_COUNT}", where,
                                   pattern.fact_column)
                if "position" not in fact.fields:
                    raise _problem(f"a count needs a fact with a position in the log; "
                                   f"{fact.name} has none", where, pattern.fact_column)
            n = pattern.count or 1
            keys = (f"p_{alias}",) if n == 1 else tuple(f"p_{alias}_{k}" for k in range(1, n + 1))
            self.bindings[alias] = Binding(alias, fact, keys, where)
            self.order.append(alias)
        today = Binding(TODAY, CATALOGUE[TODAY], ("p__today",), path)
        self.bindings[TODAY] = today
        self.order.append(TODAY)
        if not [a for a in self.order if a != TODAY]:
            raise _problem("a condition rule binds at least one fact (an alias, not only "
                           "`none`)", path)
        if subject is None:
            subject = [a for a in self.order if a != TODAY][-1]
        elif subject not in self.bindings or subject == TODAY:
            raise _problem(f"subject {subject!r} is not an alias of this rule", "subject",
                           suggestion=suggest(subject, set(self.bindings) - {TODAY}))
        patterns = self._patterns()
        facts = frozenset(b.fact.name for a, b in self.bindings.items() if a != TODAY) | \
            frozenset(p.fact for a, p, _ in self.parsed if a is None)
        return Compiled(tuple(patterns), dict(self.bindings), facts, subject)

    def _patterns(self) -> list[tuple[str, Mapping[str, Any]]]:
        # Conjuncts of every positive pattern, placed at the latest alias each names.
        placed: dict[str, list[Any]] = {a: [] for a in self.order}
        for alias, pattern, where in self.parsed:
            if alias is None or pattern.where is None:
                continue
            for conj in _conjuncts(pattern.where):
                names = self._aliases(conj, alias, where)
                if not names:
                    raise _problem("this comparison names no field", where, _col(conj))
                home = max(names, key=self.order.index)
                placed[home].append((conj, alias, where))
        patterns: list[tuple[str, Mapping[str, Any]]] = []
        for alias in self.order:
            b = self.bindings[alias]
            for k, key in enumerate(b.keys):
                conds: list[Any] = [{"t": self.today_mark if alias == TODAY else self.fact_mark}]
                if alias != TODAY:
                    conds.append({"fact": b.fact.name})
                bound = self.order[:self.order.index(alias)]
                if k:
                    conds.append({"$gt": {"position": {b.keys[k - 1]: "position"}}})
                conds += self._same(alias, k, bound)
                for conj, written_in, where in placed[alias]:
                    conds.append(self._cond(conj, _At(written_in, alias, bound, where), False))
                patterns.append((key, _and(conds)))
        for n, (alias, pattern, where) in enumerate(self.parsed):
            if alias is not None:
                continue
            fact = CATALOGUE[pattern.fact]
            conds = [{"t": self.fact_mark}, {"fact": fact.name}]
            conds += self._same_of(pattern, fact, None, k=0, bound=self.order, where=where)
            if pattern.where is not None:
                self.bindings["\0none"] = Binding("\0none", fact, ("",), where)
                conds.append(self._cond(pattern.where, _At("\0none", "\0none", self.order,
                                                           where), False))
                del self.bindings["\0none"]
            patterns.append((f"n{n}$not", _and(conds)))
        return patterns

    def _same(self, alias: str, k: int, bound: Sequence[str]) -> list[Any]:
        for a, pattern, where in self.parsed:
            if a == alias:
                b = self.bindings[alias]
                return self._same_of(pattern, b.fact, b, k=k, bound=bound, where=where)
        return []

    def _same_of(self, pattern: Pattern, fact: FactType, binding: Binding | None, *, k: int,
                 bound: Sequence[str], where: str) -> list[Any]:
        """``same f, g [as alias]``: equal to ``alias``'s fields, or (counted facts, no
        ``as``) to the previous fact counted."""
        same = pattern.same
        if same is None:
            return []
        other: Binding | None = None
        if same.alias is not None:
            name = str(same.alias.alias)
            if name not in self.bindings or name == TODAY or name not in bound:
                raise _problem(f"`same ... as {name}`: {name!r} is no alias bound before this "
                               "pattern", where, same.alias.column,
                               suggest(name, set(bound) - {TODAY}))
            other = self.bindings[name]
        elif binding is None or len(binding.keys) < 2:
            raise _problem("`same ...` without `as alias` joins the facts of a count (`at "
                           "least N ...`); otherwise say `same ... as alias`", where,
                           pattern.fact_column)
        out: list[Any] = []
        for ref in same.fields:
            if ref.field not in fact.fields:
                raise _problem(f"{fact.name} has no field {ref.field!r} to join on", where,
                               ref.column, suggest(ref.field, set(fact.fields)))
            if other is not None and other.fact.fields.get(ref.field) != \
                    fact.fields[ref.field]:
                raise _problem(f"{other.alias} ({other.fact.name}) has no field "
                               f"{ref.field!r} of the same type to join on", where, ref.column,
                               suggest(ref.field, set(other.fact.fields)))
            name = ref.field + ("__n" if fact.fields[ref.field] == "date" else "")
            if other is not None:
                out.append({name: {other.keys[-1]: name}})
            elif k and binding is not None:
                out.append({name: {binding.keys[k - 1]: name}})
        return out

    def _fact(self, pattern: Pattern, where: str) -> FactType:
        fact = CATALOGUE.get(pattern.fact)
        if fact is None or fact.name == TODAY:
            known = set(CATALOGUE) - {TODAY}
            raise _problem(f"unknown fact {pattern.fact!r} (`journal-rules rules facts` lists "
                           "them)", where, pattern.fact_column, suggest(pattern.fact, known))
        return fact

    # -- names ------------------------------------------------------------------------------------

    def _resolve(self, ref: Ref, own: str, where: str) -> tuple[str, FactType]:
        alias = own if ref.alias is None else ref.alias
        if (ref.alias is None and own == "\0none") or alias in self.bindings:
            fact = self.bindings[alias].fact
        else:
            raise _problem(f"unknown alias {ref.alias!r}", where, ref.column,
                           suggest(str(ref.alias), set(self.bindings) - {"\0none"}))
        if ref.field not in fact.fields:
            hint = suggest(ref.field, set(fact.fields))
            if ref.alias is None and ref.field in self.bindings:
                raise _problem(f"{ref.field!r} is an alias: name one of its fields "
                               f"({ref.field}.<field>)", where, ref.column)
            raise _problem(f"{fact.name} has no field {ref.field!r}; its fields: "
                           f"{', '.join(fact.fields)}", where, ref.column, hint)
        return alias, fact

    def _aliases(self, node: Any, own: str, where: str) -> set[str]:
        if isinstance(node, Ref):
            return {self._resolve(node, own, where)[0]}
        out: set[str] = set()
        for child in _children(node):
            out |= self._aliases(child, own, where)
        return out

    # -- types ------------------------------------------------------------------------------------

    def _type(self, node: Operand, own: str, where: str) -> tuple[str, bool | None]:
        """(type, working) of an operand: working is True/False where a duration says which
        days count, None where nothing does."""
        if isinstance(node, Ref):
            _, fact = self._resolve(node, own, where)
            return fact.fields[node.field], None
        if isinstance(node, Const):
            if isinstance(node.value, bool):
                return "flag", None
            return ("text" if isinstance(node.value, str) else "number"), None
        if isinstance(node, Days):
            return "days", node.working
        left, lw = self._type(node.left, own, where)
        right, rw = self._type(node.right, own, where)
        working = _mode(lw, rw, where, node.column)
        if left == "date" and right == "days":
            return "date", working
        if left == "days" and right == "date" and node.op == "+":
            return "date", working
        if left == right == "number":
            return "number", None
        raise _problem(f"cannot {'add' if node.op == '+' else 'subtract'} {right} "
                       f"{'to' if node.op == '+' else 'from'} {left}", where, node.column)

    # -- conditions -------------------------------------------------------------------------------

    def cond_of(self, node: Cond, at: _At) -> Mapping[str, Any]:
        """The engine condition of ``node`` (one fact's condition, for the built-in kinds)."""
        return self._cond(node, at, False)

    def _cond(self, node: Cond, at: _At, negated: bool) -> Mapping[str, Any]:
        if isinstance(node, Not):
            return self._cond(node.item, at, not negated)
        if isinstance(node, All | Either):
            parts = [self._cond(c, at, negated) for c in node.items]
            conj = isinstance(node, All) != negated
            return {"$and": parts} if conj else {"$or": parts}
        if isinstance(node, Member):
            items: list[Cond] = [Compare(node.left, "==", v, node.column) for v in node.values]
            return self._cond(Either(tuple(items)), at, negated)
        return self._compare(node, at, negated)

    def _compare(self, node: Compare, at: _At, negated: bool) -> Mapping[str, Any]:
        left, right, working = self._typed(node, at)
        left, right, op = self._isolate(left, right, node, at)
        field = self._field(left, at.written_in, working)
        value = self._value(right, at, working)
        if negated:
            op = _FLIP[op]
        if op == "==":
            return {field: value}
        return {_OPS[op]: {field: value}}

    def _typed(self, node: Compare, at: _At) -> tuple[Operand, Operand, bool | None]:
        """Both sides type-checked (a date written as text becomes its day number) and whether
        the comparison counts working days."""
        where = at.where
        lt, lw = self._type(node.left, at.written_in, where)
        rt, rw = self._type(node.right, at.written_in, where)
        working = _mode(lw, rw, where, node.column)
        left, right, op = node.left, node.right, node.op
        if {lt, rt} == {"date", "text"}:
            const = right if rt == "text" else left
            swap = _day_number(const, working, where, node.column)
            left, right = (left, swap) if rt == "text" else (swap, right)
            lt = rt = "date"
        if lt != rt:
            raise _problem(f"compares a {lt} with a {rt}", where, node.column)
        if lt in ("text", "flag") and op not in ("==", "!="):
            raise _problem(f"a {lt} compares only with == or !=", where, node.column)
        if lt == "days":
            raise _problem("compares two durations: add a duration to a date", where,
                           node.column)
        return left, right, working

    def _isolate(self, left: Operand, right: Operand, node: Compare, at: _At
                 ) -> tuple[Ref, Operand, str]:
        """The comparison as ``field OP expression``: the home pattern's field alone on the
        left, everything else (earlier facts, constants) on the right."""
        written_in, home, where = at.written_in, at.home, at.where
        op = node.op
        own_left = home in self._aliases(left, written_in, where)
        own_right = home in self._aliases(right, written_in, where)
        if own_left and own_right:
            raise _problem("compares two fields of the same fact: not supported", where,
                           node.column)
        if not (own_left or own_right):
            raise _problem("inside `or`/`not` or a `none` pattern, each comparison names a "
                           "field of its own fact", where, node.column)
        if own_right:
            left, right, op = right, left, _MIRROR[op]
        # Move constants across: field + c OP r  ==  field OP r - c.
        while isinstance(left, Arith):
            if home in self._aliases(left.left, written_in, where):
                moved, field_side = left.right, left.left
                inverse = "-" if left.op == "+" else "+"
            elif left.op == "+":
                moved, field_side, inverse = left.left, left.right, "-"
            else:
                raise _problem("subtracts a field of this fact: write it the other way round",
                               where, left.column)
            right = Arith(right, inverse, moved, left.column)
            left = field_side
        if not isinstance(left, Ref):
            raise _problem("expected a field", where, node.column)
        for name in self._aliases(right, written_in, where):
            if name not in at.bound:
                raise _problem(f"{name} is bound after this fact", where, node.column)
        return left, right, op

    def _field(self, ref: Ref, written_in: str, working: bool | None) -> str:
        _, fact = self._resolve(ref, written_in, "")
        if fact.fields[ref.field] == "date":
            return ref.field + ("__wd" if working else "__n")
        return ref.field

    def _value(self, node: Operand, at: _At, working: bool | None) -> Any:
        if isinstance(node, Const):
            return int(node.value) if isinstance(node.value, bool) else node.value
        if isinstance(node, Days):
            return node.n
        if isinstance(node, Ref):
            alias, _ = self._resolve(node, at.written_in, at.where)
            return {self.bindings[alias].keys[-1]: self._field(node, at.written_in, working)}
        left = self._value(node.left, at, working)
        right = self._value(node.right, at, working)
        if isinstance(left, int | float) and isinstance(right, int | float):
            return left + right if node.op == "+" else left - right
        return {"$add" if node.op == "+" else "$sub": {"$l": left, "$r": right}}


def _day_number(const: Operand, working: bool | None, where: str, column: int) -> Const:
    """A date written as text, as the day number the engine compares (calendar days only)."""
    if not isinstance(const, Const) or working:
        raise _problem("compares a date with a text", where, column)
    try:
        day = date.fromisoformat(str(const.value))
    except ValueError:
        raise _problem(f"{const.value!r} is not a date (YYYY-MM-DD)", where,
                       const.column) from None
    return Const(day.toordinal(), const.column)


def _mode(a: bool | None, b: bool | None, where: str, column: int) -> bool | None:
    if a is not None and b is not None and a != b:
        raise _problem("mixes calendar days and working days in one comparison", where, column)
    return a if a is not None else b


def _conjuncts(cond: Cond) -> list[Cond]:
    if isinstance(cond, All):
        return [c for item in cond.items for c in _conjuncts(item)]
    return [cond]


def _children(node: Any) -> list[Any]:
    if isinstance(node, All | Either):
        return list(node.items)
    if isinstance(node, Not):
        return [node.item]
    if isinstance(node, Compare | Arith):
        return [node.left, node.right]
    if isinstance(node, Member):
        return [node.left]
    return []


def _col(node: Any) -> int | None:
    return getattr(node, "column", None)


def _and(conds: list[Any]) -> Mapping[str, Any]:
    return conds[0] if len(conds) == 1 else {"$and": conds}
