"""Hypothesis strategies for the journal's domain: course units of all three kinds, groups,
КТП, marks valid and invalid under a ruleset, journal specs and whole plausible terms.

Use them in your own property tests::

    from hypothesis import given
    from journal_rules.testing import strategies as jst

    @given(jst.course_units())
    def test_units_round_trip(unit): ...
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from hypothesis import strategies as st

import journal_rules as jr
from journal_rules.model import (
    CalendarPlan,
    ControlKind,
    ControlPoint,
    CourseKind,
    CoursePart,
    CourseUnit,
    Group,
    JournalSpec,
    Person,
    PlannedClass,
    Student,
    Term,
)
from journal_rules.policy import MarkRules, Policy

from ._generator import generate_university

__all__ = [
    "calendar_plans",
    "control_points",
    "course_units",
    "groups",
    "identifiers",
    "invalid_marks",
    "journal_specs",
    "people",
    "students",
    "terms",
    "university_terms",
    "valid_marks",
]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"
_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЭЮЯӘҒҚҢӨҰҮҺІ"


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """Short ids such as ``dep-x1``."""
    return st.text(_ALPHABET, min_size=1, max_size=8).map(lambda s: prefix + s)


def _names() -> st.SearchStrategy[str]:
    return st.text(_CYRILLIC, min_size=1, max_size=30).map(str.strip).filter(bool)


def _spans(earliest: date = date(2024, 9, 1), days: int = 400) -> st.SearchStrategy[
        tuple[date, date]]:
    return st.tuples(st.integers(0, days), st.integers(0, 120)).map(
        lambda t: (earliest + timedelta(days=t[0]),
                   earliest + timedelta(days=t[0] + t[1])))


@st.composite
def course_units(draw: st.DrawFn, kind: CourseKind | None = None,
                 departments: tuple[str, ...] = ("dep-a", "dep-b", "dep-c")
                 ) -> CourseUnit:
    """A discipline (no parts), an integrated discipline with blocks or a module with modular
    disciplines (2-4 parts, consecutive, each with its department)."""
    kind = kind or draw(st.sampled_from(list(CourseKind)))
    unit_id = draw(identifiers("u-"))
    starts, ends = draw(_spans())
    credits = draw(st.integers(1, 10))
    parts: list[CoursePart] = []
    if kind is not CourseKind.DISCIPLINE:
        n = draw(st.integers(2, 4))
        length = max(1, ((ends - starts).days + 1) // n)
        for i in range(n):
            p_start = starts + timedelta(days=i * length)
            p_end = ends if i == n - 1 else p_start + timedelta(days=length - 1)
            parts.append(CoursePart(f"{unit_id}-p{i + 1}", draw(_names()),
                                       draw(st.sampled_from(departments)), 1, p_start,
                                       max(p_start, p_end)))
    return CourseUnit(unit_id, draw(_names()), kind, draw(st.sampled_from(departments)),
                         credits, starts, ends, parts)


def groups(schools: tuple[str, ...] = ("som",)) -> st.SearchStrategy[Group]:
    return st.builds(Group, identifiers("g-"), _names(), st.integers(1, 6),
                     st.sampled_from(schools), st.sampled_from(["ru", "kk", "en"]),
                     st.none() | identifiers("cur-"))


def students(group: str) -> st.SearchStrategy[Student]:
    return st.builds(Student, identifiers("s-"), _names(), st.just(group))


def people(roles: tuple[str, ...] = ("teacher",),
           units: tuple[str, ...] = ("dep-a",)) -> st.SearchStrategy[Person]:
    return st.builds(Person, identifiers("p-"), _names(),
                     st.frozensets(st.sampled_from(roles), min_size=1),
                     st.lists(st.sampled_from(units), max_size=2).map(tuple))


def terms() -> st.SearchStrategy[Term]:
    return st.builds(lambda i, n, span: Term(i, "2025-2026", n, span[0], span[1]),
                     identifiers("t-"), st.integers(1, 2), _spans())


@st.composite
def control_points(draw: st.DrawFn) -> ControlPoint:
    starts, ends = draw(_spans())
    return ControlPoint(draw(identifiers("c-")), draw(st.sampled_from(list(ControlKind))),
                           starts, ends)


@st.composite
def journal_specs(draw: st.DrawFn) -> JournalSpec:
    points = draw(st.lists(control_points(), min_size=1, max_size=5,
                           unique_by=lambda c: c.id))
    return JournalSpec(draw(identifiers("j-")), draw(identifiers("u-")),
                          draw(identifiers("g-")), draw(identifiers("t-")),
                          draw(st.lists(identifiers("p-"), min_size=1, max_size=2)), points)


@st.composite
def calendar_plans(draw: st.DrawFn) -> CalendarPlan:
    """A КТП of form F1: numbered rows with date, time, topic, hours, teacher and room."""
    start = draw(st.dates(date(2024, 9, 1), date(2026, 6, 1)))
    rows = draw(st.integers(1, 20))
    classes = [PlannedClass(i + 1, start + timedelta(days=2 * i),
                               time(draw(st.integers(8, 18)), draw(st.sampled_from([0, 30]))),
                               draw(_names()), Decimal(draw(st.sampled_from(["1", "2", "1.5"]))),
                               draw(_names()), draw(st.text(_ALPHABET, min_size=1, max_size=5)))
               for i in range(rows)]
    return CalendarPlan(draw(identifiers("u-")), "2025-2026", draw(st.integers(1, 6)),
                           draw(_names()), classes, draw(st.none() | st.just("7")),
                           draw(st.none() | st.just(start - timedelta(days=10))))


def valid_marks(rules: MarkRules) -> st.SearchStrategy[str]:
    """Cells a ruleset accepts: points in range (whole if required) or one of its codes."""
    low, high = int(rules.points_min), int(rules.points_max)
    points = st.integers(low, high).map(str)
    if not rules.whole_points:
        points = points | st.decimals(rules.points_min, rules.points_max, places=1).map(
            lambda d: format(d, "f"))
    return points | st.sampled_from(sorted(rules.codes.values()))


def invalid_marks(rules: MarkRules) -> st.SearchStrategy[str]:
    """Cells a ruleset refuses: out of range, fractional where whole, or unknown codes."""
    low, high = int(rules.points_min), int(rules.points_max)
    out = (st.integers(high + 1, high + 1000) | st.integers(low - 1000, low - 1)).map(str)
    if rules.whole_points:
        out = out | st.integers(low, high - 1).map(lambda p: f"{p}.5")
    codes = set(rules.codes.values())
    return out | st.text(_CYRILLIC + "/", min_size=1, max_size=4).filter(
        lambda t: t.strip() == t and t not in codes and not _is_number(t))


def _is_number(text: str) -> bool:
    try:
        Decimal(text.replace(",", "."))
    except ArithmeticError:
        return False
    return True


@st.composite
def university_terms(draw: st.DrawFn, policy: Policy | None = None,
                     max_students: int = 96) -> jr.MemoryStore:
    """A whole plausible term of a small generated university, in a memory store: the event log
    of marks, closings (some late), substitutions and reopenings, valid under ``policy``."""
    policy = policy or jr.default_ruleset().policy
    store = jr.MemoryStore()
    generate_university(store, policy, students=draw(st.integers(24, max_students)),
                           seed=draw(st.integers(0, 2**16)), units_min=1, units_max=3,
                           reopen_rate=draw(st.sampled_from([0.0, 0.2, 0.5])),
                           substitution_rate=draw(st.sampled_from([0.0, 0.3])),
                           departments_per_school=2, teachers_per_department=3)
    return store
