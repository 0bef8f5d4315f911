"""The registry projection: organisation, people, contingent, curriculum, plans and calendars."""

from __future__ import annotations

from typing import Any, TypeVar

from ._errors import UnknownEntity, suggest
from ._events import (
    BackupMade,
    CalendarPlanLoaded,
    ContingentLoaded,
    CurriculumLoaded,
    DeadlineCalendarSet,
    LoginIssued,
    LoginRequested,
    OrgUnitsRegistered,
    PeopleRegistered,
    PlanUploadersAssigned,
    SubstitutionRegistered,
    payload_of,
)
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

V = TypeVar("V")


class Directory:
    """Everything the registry streams say, current as of the last event applied.

    Later registrations of the same id replace earlier ones (a corrected record), so the registry
    can be reloaded in August after the May-June load (P2-P4).
    """

    def __init__(self) -> None:
        self.org_units: dict[str, OrgUnit] = {}
        self.people: dict[str, Person] = {}
        self.groups: dict[str, Group] = {}
        self.students: dict[str, Student] = {}
        self._members: dict[str, dict[str, Student]] = {}  # group -> its students, by id
        self.terms: dict[str, Term] = {}
        self.units: dict[str, CourseUnit] = {}
        self.curriculum: dict[tuple[str, str, str], CurriculumEntry] = {}
        self.plans: dict[tuple[str, str, int, str], CalendarPlan] = {}
        self.plan_uploaders: dict[str, PlanUploadersAssigned] = {}
        self.deadlines: dict[str, DeadlineCalendarSet] = {}
        self.substitutions: dict[str, list[Substitution]] = {}
        self.journals: dict[str, JournalSpec] = {}
        self.logins_requested: dict[str, StoredEvent] = {}
        self.logins_issued: dict[str, StoredEvent] = {}
        self.backups: list[StoredEvent] = []

    def apply(self, event: StoredEvent) -> None:
        payload: Any = payload_of(event)
        match payload:
            case OrgUnitsRegistered(units=units):
                self.org_units.update((u.id, u) for u in units)
            case PeopleRegistered(people=people):
                self.people.update((p.id, p) for p in people)
            case ContingentLoaded(groups=groups, students=students):
                self.groups.update((g.id, g) for g in groups)
                for student in students:
                    old = self.students.get(student.id)
                    if old is not None:  # a reload may move a student to another group
                        self._members.get(old.group, {}).pop(student.id, None)
                    self.students[student.id] = student
                    self._members.setdefault(student.group, {})[student.id] = student
            case CurriculumLoaded(terms=terms, units=units, entries=entries):
                self.terms.update((t.id, t) for t in terms)
                self.units.update((u.id, u) for u in units)
                self.curriculum.update(((e.group, e.unit, e.term), e) for e in entries)
            case CalendarPlanLoaded(plan=plan):
                key = (plan.unit, plan.academic_year, plan.year_of_study, plan.specialty)
                self.plans[key] = plan
            case PlanUploadersAssigned():
                self.plan_uploaders[payload.unit] = payload
            case DeadlineCalendarSet():
                self.deadlines[payload.term] = payload
            case SubstitutionRegistered(substitution=sub):
                self.substitutions.setdefault(sub.journal, []).append(sub)
            case LoginRequested(person=person):
                self.logins_requested[person] = event
            case LoginIssued(person=person):
                self.logins_issued[person] = event
            case BackupMade():
                self.backups.append(event)
            case _:  # journal events are not the directory's
                pass

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
        members = self._members.get(group_id, {})
        return [members[key] for key in sorted(members)]


def _get(table: dict[str, V], key: str, kind: str) -> V:
    try:
        return table[key]
    except KeyError:
        raise UnknownEntity(kind, key, suggest(key, set(table))) from None
