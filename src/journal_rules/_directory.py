"""The registry projection: organisation, people, contingent, curriculum, plans and calendars.

The projection keeps its history: every version of a person, an org unit, a group, a course
unit, a term, a student, a group's membership, a term's deadline calendar (T12) and a journal's
substitutions is kept with the moment it was recorded, and :meth:`Directory.at` answers "who was
who" as the registry stood at any moment (:meth:`RegistryView.on` at the end of a day).
Decisions about an action (the guard's now, the audit's past) are taken against the registry at
the action's moment, so a later staff change, contingent reload or calendar order never
rewrites an earlier judgement.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Generic, TypeVar

from ._errors import UnknownEntity, suggest
from ._events import DeadlineCalendarSet, PlanUploadersAssigned, RegistryEvent, payload_of
from ._model import (
    CalendarPlan,
    CourseUnit,
    CurriculumEntry,
    Group,
    JournalSpec,
    OrgUnit,
    Person,
    Student,
    Substitution,
    Term,
)
from ._storage import StoredEvent

K = TypeVar("K")
V = TypeVar("V")

_GONE: Any = object()  # a key's version before it existed


class _Versions(Generic[V]):
    """One key's values, in the order of the moments they were recorded at (ties: in the order
    applied, which is each stream's order)."""

    __slots__ = ("moments", "values")

    def __init__(self) -> None:
        self.moments: list[datetime] = []
        self.values: list[V] = []

    def add(self, moment: datetime, value: V) -> None:
        if not self.moments or moment >= self.moments[-1]:
            self.moments.append(moment)
            self.values.append(value)
            return
        i = bisect.bisect_right(self.moments, moment)  # a clock set back: keep moment order
        self.moments.insert(i, moment)
        self.values.insert(i, value)

    def at(self, moment: datetime, inclusive: bool) -> V:
        find = bisect.bisect_right if inclusive else bisect.bisect_left
        i = find(self.moments, moment)
        return self.values[i - 1] if i else _GONE


class _AsOf(Mapping[K, V]):
    """A read-only table as it stood at a moment, over the versions of each key."""

    __slots__ = ("_history", "_inclusive", "_moment")

    def __init__(self, history: dict[K, _Versions[V]], moment: datetime,
                 inclusive: bool) -> None:
        self._history = history
        self._moment = moment
        self._inclusive = inclusive

    def __getitem__(self, key: K) -> V:
        versions = self._history.get(key)
        if versions is None:
            raise KeyError(key)
        value = versions.at(self._moment, self._inclusive)
        if value is _GONE:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[K]:
        return (k for k, v in self._history.items()
                if v.at(self._moment, self._inclusive) is not _GONE)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class RegistryView:
    """The registry's tables and look-ups, as read by guards and rules: the current
    :class:`Directory`, or that directory as it stood at a moment (:meth:`Directory.at`)."""

    org_units: Mapping[str, OrgUnit]
    people: Mapping[str, Person]
    groups: Mapping[str, Group]
    students: Mapping[str, Student]
    terms: Mapping[str, Term]
    units: Mapping[str, CourseUnit]
    curriculum: Mapping[tuple[str, str, str], CurriculumEntry]
    plans: Mapping[tuple[str, str, int, str], CalendarPlan]
    plan_uploaders: Mapping[str, PlanUploadersAssigned]
    deadlines: Mapping[str, DeadlineCalendarSet]
    substitutions: Mapping[str, tuple[Substitution, ...]]
    journals: Mapping[str, JournalSpec]
    logins_requested: Mapping[str, StoredEvent]
    logins_issued: Mapping[str, StoredEvent]

    def at(self, moment: datetime, *, inclusive: bool = True) -> RegistryView:
        """The registry as it stood at ``moment`` (with what was recorded at that very moment
        unless ``inclusive`` is false)."""
        raise NotImplementedError

    def on(self, day: date, tz: tzinfo) -> RegistryView:
        """The registry as it stood at the end of ``day`` in the zone ``tz`` (the ruleset's):
        with everything recorded on that day, nothing recorded after it."""
        return self.at(datetime.combine(day + timedelta(days=1), time(), tz), inclusive=False)

    def epoch(self, moment: datetime, *, inclusive: bool = True) -> int:
        """How many changes to people, org units, groups, units and terms were recorded by
        ``moment``: two moments with the same epoch see the same such tables (substitutions
        aside, see :meth:`substitutions_epoch`)."""
        raise NotImplementedError

    def substitutions_epoch(self, journal: str, moment: datetime, *,
                            inclusive: bool = True) -> int:
        """How many substitution registrations for ``journal`` were recorded by ``moment``."""
        raise NotImplementedError

    # --- look-ups with helpful errors -----------------------------------------------------------

    def person(self, person_id: str) -> Person:
        return _get(self.people, person_id, "person")

    def group(self, group_id: str) -> Group:
        return _get(self.groups, group_id, "group")

    def student(self, student_id: str) -> Student:
        return _get(self.students, student_id, "student")

    def unit(self, unit_id: str) -> CourseUnit:
        return _get(self.units, unit_id, "course unit")

    def term(self, term_id: str) -> Term:
        return _get(self.terms, term_id, "term")

    def journal(self, journal_id: str) -> JournalSpec:
        return _get(self.journals, journal_id, "journal")

    def org_unit(self, unit_id: str) -> OrgUnit:
        return _get(self.org_units, unit_id, "org unit")

    def journal_department(self, spec: JournalSpec) -> str:
        """The department that teaches a journal: its own, its part's, or its unit's."""
        if spec.department:
            return spec.department
        unit = self.unit(spec.unit)
        if spec.part:
            return unit.part(spec.part).department
        return unit.department

    def students_of(self, group_id: str) -> list[Student]:
        raise NotImplementedError


class Directory(RegistryView):
    """Everything the registry streams say, current as of the last event applied, with the
    history of the tables that decide who may do what (see :meth:`at`).

    Later registrations of the same id replace earlier ones (a corrected record), so the registry
    can be reloaded in August after the May-June load (P2-P4).
    """

    def __init__(self) -> None:
        self.org_units: dict[str, OrgUnit] = {}
        self.people: dict[str, Person] = {}
        self.groups: dict[str, Group] = {}
        self.students: dict[str, Student] = {}
        self._members: dict[str, dict[str, Student]] = {}  # group -> its students, by id
        self._roster: dict[str, list[Student]] = {}  # group -> its students, sorted by id
        self.terms: dict[str, Term] = {}
        self.units: dict[str, CourseUnit] = {}
        self.curriculum: dict[tuple[str, str, str], CurriculumEntry] = {}
        self.plans: dict[tuple[str, str, int, str], CalendarPlan] = {}
        self.plan_uploaders: dict[str, PlanUploadersAssigned] = {}
        self.deadlines: dict[str, DeadlineCalendarSet] = {}
        self.substitutions: dict[str, tuple[Substitution, ...]] = {}
        self.journals: dict[str, JournalSpec] = {}
        self.logins_requested: dict[str, StoredEvent] = {}
        self.logins_issued: dict[str, StoredEvent] = {}
        self.backups: list[StoredEvent] = []
        # The history of the tables authorisations read (roles, departments, schools and
        # curators of groups, units' departments, substitutions) and of those the rules judge
        # against (a group's students, a term's deadline calendar), key by key.
        self._org_units: dict[str, _Versions[OrgUnit]] = {}
        self._people: dict[str, _Versions[Person]] = {}
        self._groups: dict[str, _Versions[Group]] = {}
        self._units: dict[str, _Versions[CourseUnit]] = {}
        self._terms: dict[str, _Versions[Term]] = {}
        self._substitutions: dict[str, _Versions[tuple[Substitution, ...]]] = {}
        self._students: dict[str, _Versions[Student]] = {}
        self._rosters: dict[str, _Versions[list[Student]]] = {}
        self._deadlines: dict[str, _Versions[DeadlineCalendarSet]] = {}
        # The tables whose every version is kept, by name (see :meth:`put`).
        self._histories: dict[str, dict[str, Any]] = {
            "org_units": self._org_units, "people": self._people, "groups": self._groups,
            "units": self._units, "terms": self._terms, "deadlines": self._deadlines}
        # Moments of changes to the tables authorisations read, but substitutions (the epochs).
        self._changes: list[datetime] = []
        self._last: datetime | None = None  # the latest moment of any versioned change

    def _record(self, history: dict[str, _Versions[V]], key: str, moment: datetime,
                value: V) -> None:
        versions = history.get(key)
        if versions is None:
            versions = history[key] = _Versions()
        versions.add(moment, value)
        if self._last is None or moment > self._last:
            self._last = moment

    def changed(self, moment: datetime) -> None:
        """A table authorisations read changed at ``moment`` (an epoch; see :meth:`epoch`)."""
        bisect.insort_right(self._changes, moment)

    def put(self, table: str, key: Any, value: Any, moment: datetime) -> None:
        """Set ``key`` of the named table to ``value``, recorded at ``moment`` (kept in the
        table's history when the table has one)."""
        getattr(self, table)[key] = value
        history = self._histories.get(table)
        if history is not None:
            self._record(history, key, moment, value)

    def add_substitution(self, sub: Substitution, moment: datetime) -> None:
        subs = self.substitutions[sub.journal] = (*self.substitutions.get(sub.journal, ()), sub)
        self._record(self._substitutions, sub.journal, moment, subs)

    def apply(self, event: StoredEvent, payload: Any = None) -> None:
        """Apply a registry event (its typed ``payload`` when the caller has it, else decoded
        from the event); journal events are not the directory's."""
        if payload is None:
            payload = payload_of(event)
        if isinstance(payload, RegistryEvent):
            payload.apply(self, event)

    def load_students(self, students: tuple[Student, ...], moment: datetime) -> None:
        touched: set[str] = set()
        for student in students:
            old = self.students.get(student.id)
            if old is not None:  # a reload may move a student to another group
                self._members.get(old.group, {}).pop(student.id, None)
                touched.add(old.group)
            self.students[student.id] = student
            self._record(self._students, student.id, moment, student)
            self._members.setdefault(student.group, {})[student.id] = student
            touched.add(student.group)
        for group in touched:  # each group's roster as of this load, kept as it was
            members = self._members.get(group, {})
            roster = self._roster[group] = [members[key] for key in sorted(members)]
            self._record(self._rosters, group, moment, roster)

    # --- history ------------------------------------------------------------------------------

    def at(self, moment: datetime, *, inclusive: bool = True) -> RegistryView:
        last = self._last
        if last is None or last < moment or (inclusive and last == moment):
            return self  # nothing was recorded after it: the current tables are that moment's
        return _DirectoryAt(self, moment, inclusive)

    def epoch(self, moment: datetime, *, inclusive: bool = True) -> int:
        find = bisect.bisect_right if inclusive else bisect.bisect_left
        return find(self._changes, moment)

    def substitutions_epoch(self, journal: str, moment: datetime, *,
                            inclusive: bool = True) -> int:
        versions = self._substitutions.get(journal)
        if versions is None:
            return 0
        find = bisect.bisect_right if inclusive else bisect.bisect_left
        return find(versions.moments, moment)

    def students_of(self, group_id: str) -> list[Student]:
        return list(self._roster.get(group_id, ()))


class _DirectoryAt(RegistryView):
    """A directory as it stood at a moment. People, org units, groups, course units, terms,
    students and groups' members, term deadline calendars and substitutions are those of the
    moment; curricula, plans, plan uploaders, logins and journals (whose specs never change) are
    the current ones."""

    def __init__(self, root: Directory, moment: datetime, inclusive: bool) -> None:
        self._root = root
        self.moment = moment
        self.org_units = _AsOf(root._org_units, moment, inclusive)
        self.people = _AsOf(root._people, moment, inclusive)
        self.groups = _AsOf(root._groups, moment, inclusive)
        self.units = _AsOf(root._units, moment, inclusive)
        self.terms = _AsOf(root._terms, moment, inclusive)
        self.substitutions = _AsOf(root._substitutions, moment, inclusive)
        self.students = _AsOf(root._students, moment, inclusive)
        self._rosters = _AsOf(root._rosters, moment, inclusive)
        self.curriculum = root.curriculum
        self.plans = root.plans
        self.plan_uploaders = root.plan_uploaders
        self.deadlines = _AsOf(root._deadlines, moment, inclusive)
        self.journals = root.journals
        self.logins_requested = root.logins_requested
        self.logins_issued = root.logins_issued

    def at(self, moment: datetime, *, inclusive: bool = True) -> RegistryView:
        return self._root.at(moment, inclusive=inclusive)

    def epoch(self, moment: datetime, *, inclusive: bool = True) -> int:
        return self._root.epoch(moment, inclusive=inclusive)

    def substitutions_epoch(self, journal: str, moment: datetime, *,
                            inclusive: bool = True) -> int:
        return self._root.substitutions_epoch(journal, moment, inclusive=inclusive)

    def students_of(self, group_id: str) -> list[Student]:
        return list(self._rosters.get(group_id, ()))


def _get(table: Mapping[str, V], key: str, kind: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise UnknownEntity(kind, key, suggest(key, set(table))) from None
