"""Synthetic universities for benchmarks and tests: deterministic for a seed, written through the
gradebook (so every generated event passed the guard), buffered so each journal's stream is one
batch in the target store.

The shape follows KazNMU: schools with departments, groups of about 24 students per specialty and
year, 6-10 course units per group per term mixing disciplines (Д), integrated disciplines (ИД) with
blocks and modules (М) with modular disciplines, a 15-week term, marks on class days with absences
(«н/б») and unprepared students («О»), late entries and closings, substitutions and reopenings.
Before the term: logins requested (form F2) and issued for everyone (P7, P8), who uploads each
unit's КТП assigned and the КТП uploaded (P5, P6), the term's deadline calendar set (T12); during
it, a backup a month (P9); each with a few realistic lapses (a login issued after its holder
started work, a department that assigned no uploaders, a late КТП, a missed backup). The
frequencies are arguments, not policy: policy comes from the ruleset the gradebook enforces.
The setup steps draw from their own random stream, so the journals of a seed do not change when
their rates do.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs

from journal_rules._buffered import BufferedStore
from journal_rules._clock import ManualClock
from journal_rules._commands import (
    ApproveNote,
    AssignPlanUploaders,
    CloseJournal,
    Command,
    CorrectMark,
    DeadlineRow,
    EnterMarks,
    FormGradeSheet,
    GiveVisa,
    HoldControl,
    IssueLogin,
    LoadCalendarPlan,
    LoadContingent,
    LoadCurriculum,
    OpenJournal,
    RecordBackup,
    RegisterOrgUnits,
    RegisterPeople,
    RegisterSubstitution,
    Reopen,
    RequestLogin,
    SetDeadlineCalendar,
    SubmitNote,
)
from journal_rules._errors import CommandRefused, InvalidInput, Problem
from journal_rules._events import Stream, journal_stream
from journal_rules._gradebook import Gradebook
from journal_rules._model import (
    CalendarPlan,
    ControlKind,
    ControlPoint,
    CourseKind,
    CoursePart,
    CourseUnit,
    CurriculumEntry,
    ExplanatoryNote,
    Group,
    JournalSpec,
    OrgUnit,
    Person,
    PlannedClass,
    Student,
    Substitution,
    Term,
    UnitKind,
)
from journal_rules._policy import Policy
from journal_rules._storage import Storage

#: One scheduled action of a journal's term: when, its order among equals, who, and the command
#: (or what makes it when its turn comes, for a command that depends on the journal's state).
Step = tuple[datetime, int, str, "Command | Callable[[], Command]"]

_SCHOOLS = {
    "gm": ("Школа общей медицины", ["Общая медицина", "Педиатрия"], 6),
    "dent": ("Школа стоматологии", ["Стоматология"], 5),
    "pharm": ("Школа фармации", ["Фармация", "Технология фармацевтического производства"], 5),
    "ph": ("Школа общественного здравоохранения", ["Общественное здравоохранение"], 4),
    "nurs": ("Школа сестринского дела", ["Сестринское дело"], 4),
}

# Teaching and assessment methods every generated unit carries (P4).
_TEACHING_METHODS = ("CBL", "TBL")
_ASSESSMENT_METHODS = ("тестирование", "ОСКЭ")


@attrs.frozen
class GeneratorSettings:
    """What to generate. Rates are per journal or per control, between 0 and 1."""

    students: int = 12_000
    seed: int = 1
    group_size: int = 24
    units_min: int = 6
    units_max: int = 10
    term_start: date = date(2025, 9, 1)
    term_weeks: int = 15
    departments_per_school: int = 12
    teachers_per_department: int = 24
    absent_rate: float = 0.05
    unprepared_rate: float = 0.02
    late_entry_rate: float = 0.05
    late_close_rate: float = 0.08
    never_closed_rate: float = 0.01
    substitution_rate: float = 0.02
    reopen_rate: float = 0.02
    missing_visa_rate: float = 0.1
    short_course_rate: float = 0.1
    # The setup before the term and the IT department's routine (P5-P9, T12).
    setup: bool = True
    late_login_rate: float = 0.01  # teachers whose login is issued after they start work (P8)
    unrequested_login_rate: float = 0.005  # logins issued without form F2 (P7)
    missing_uploaders_rate: float = 0.02  # departments that assign nobody to upload КТП (P5)
    late_plan_rate: float = 0.03  # КТП uploaded after the academic year starts (P6)
    missed_backup_rate: float = 0.15  # months without a backup (P9)
    calendar_close_days: int = 3  # the deadline calendar: exams closed this long after (T12)

    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        if self.students < 1:
            out.append(Problem("must be at least 1", path="students"))
        if self.group_size < 1:
            out.append(Problem("must be at least 1", path="group_size"))
        if not 1 <= self.units_min <= self.units_max:
            out.append(Problem("need 1 <= units_min <= units_max", path="units_min"))
        if self.calendar_close_days < 0:
            out.append(Problem("must not be negative", path="calendar_close_days"))
        if self.term_weeks < 4:
            out.append(Problem("a term needs at least 4 weeks", path="term_weeks"))
        for field in attrs.fields(GeneratorSettings):
            if field.name.endswith("_rate") and not 0 <= getattr(self, field.name) <= 1:
                out.append(Problem("a rate lies between 0 and 1", path=field.name))
        return out


@attrs.define
class GenerationReport:
    """What was generated."""

    schools: int = 0
    departments: int = 0
    people: int = 0
    groups: int = 0
    students: int = 0
    units: int = 0
    journals: int = 0
    events: int = 0
    mark_cells: int = 0
    substitutions: int = 0
    reopenings: int = 0
    late_closings: int = 0
    never_closed: int = 0
    logins: int = 0
    late_logins: int = 0
    calendar_plans: int = 0
    late_plans: int = 0
    backups: int = 0

    def as_dict(self) -> dict[str, int]:
        return attrs.asdict(self)


# Events written per atomic batch: large enough that a durable store syncs rarely, small enough
# that a batch's memory is a few megabytes.
_BATCH_EVENTS = 20_000


class _Generator:
    def __init__(self, store: Storage, policy: Policy, settings: GeneratorSettings,
                 progress: Callable[[str], None] | None,
                 tick: Callable[[int, int, int], None] | None = None) -> None:
        self.settings = settings
        self.tick = tick
        self.rng = random.Random(settings.seed)
        self.buffer = BufferedStore(store)
        self.clock = ManualClock(datetime.combine(settings.term_start - timedelta(days=20),
                                                  time(9), UTC))
        # Journal after journal, each through its term: every stream's time moves forward, the
        # generator's clock as a whole does not.
        self.book = Gradebook(self.buffer, policy, clock=self.clock, monotonic=False)
        self.report = GenerationReport()
        self.progress = progress or (lambda _: None)
        self.teachers: dict[str, list[str]] = {}
        self.heads: dict[str, str] = {}
        self.curators: dict[tuple[str, int], str] = {}
        self.deans: dict[str, str] = {}
        self.people: list[Person] = []
        self.students_of: dict[str, list[str]] = {}
        self.setup_rng = random.Random(f"{settings.seed}-setup")

    def run(self) -> GenerationReport:
        groups = self._registry()
        term, plans = self._curriculum(groups)
        if self.settings.setup:
            self._setup(term, plans)
        self.buffer.commit()
        self.progress(f"registry: {self.report.groups} groups, {self.report.units} units")
        specs = self._journals(groups, term, plans)
        substitutes = self._substitutions(specs)
        lived: list[str] = []
        for n, spec in enumerate(specs, start=1):
            self._journal_life(spec, substitutes.get(spec.id))
            lived.append(journal_stream(spec.id))
            # Journals are written a batch at a time, each whole (its opening and its term) in
            # one atomic step across journals: a durable store makes new files and syncs once,
            # instead of rewriting and syncing every journal's files. Once written a journal is
            # forgotten: memory is that of a batch, not of the store.
            if self.buffer.pending() - (len(specs) - n) >= _BATCH_EVENTS:
                self.buffer.commit(lived)
                lived.clear()
            self.book.forget(spec.id)
            if n % 500 == 0:
                self.progress(f"journals: {n}/{len(specs)}")
            if self.tick is not None:
                self.tick(n, len(specs), self.report.events)
        self.buffer.commit()
        if self.settings.setup:
            self._backups(term)
        self.buffer.commit()
        return self.report

    def _do(self, actor: str, command: Command, when: datetime) -> int:
        self.clock.set(when)
        events = self.book.execute(actor, command)
        self.report.events += len(events)
        return len(events)

    # --- registry -------------------------------------------------------------------------------

    def _registry(self) -> list[Group]:
        s, rng = self.settings, self.rng
        at = self.clock.now()
        self._do("gen-it", RegisterPeople([Person("gen-it", "ДИТ", {"it_department"}, "it")]), at)
        units = [OrgUnit("or", "Офис регистратора", UnitKind.OFFICE),
                 OrgUnit("it", "Департамент информационных технологий", UnitKind.OFFICE),
                 OrgUnit("oumr", "ОУМР", UnitKind.OFFICE)]
        people = [Person("or-head", "Руководитель ОР", {"registrar_head"}, "or"),
                  Person("or-senior", "Старший инспектор ОР", {"registrar_senior_inspector"},
                         "or"),
                  Person("or-insp", "Инспектор ОР", {"registrar_inspector"}, "or"),
                  Person("methodist", "Методист ОУМР", {"methodist"}, "oumr"),
                  Person("vr", "Проректор", {"vice_rector"})]
        for school, (name, _, years) in _SCHOOLS.items():
            units.append(OrgUnit(school, name, UnitKind.SCHOOL))
            self.deans[school] = f"dean-{school}"
            people.append(Person(f"dean-{school}", f"Декан {name}", {"school_dean"}, school))
            for year in range(1, years + 1):
                curator = f"cur-{school}-{year}"
                self.curators[(school, year)] = curator
                people.append(Person(curator, f"Декан по курации {school} {year}",
                                     {"curation_dean"}, school))
            for d in range(1, s.departments_per_school + 1):
                dep = f"dep-{school}-{d:02d}"
                units.append(OrgUnit(dep, f"Кафедра {school.upper()}-{d:02d}",
                                     UnitKind.DEPARTMENT, school))
                self.heads[dep] = f"head-{dep}"
                people.append(Person(f"head-{dep}", f"Заведующий {dep}", {"department_head"},
                                     dep))
                staff = [f"t-{dep}-{i:02d}" for i in range(1, s.teachers_per_department + 1)]
                self.teachers[dep] = staff
                people.extend(Person(t, f"Преподаватель {t[2:]}", {"teacher"}, dep)
                              for t in staff)
        self._do("gen-it", RegisterOrgUnits(units), at)
        self._do("gen-it", RegisterPeople(people), at)
        self.people = people
        self.report.schools = len(_SCHOOLS)
        self.report.departments = len(self.heads)
        self.report.people = len(people) + 1
        # Groups: spread over schools, specialties and years; about group_size students each.
        cohorts = [(school, spec, year) for school, (_, specs, years) in _SCHOOLS.items()
                   for spec in specs for year in range(1, years + 1)]
        n_groups = max(1, round(s.students / s.group_size))
        groups: list[Group] = []
        students: list[Student] = []
        for g in range(n_groups):
            school, specialty, year = cohorts[g % len(cohorts)]
            group = Group(f"g{g + 1:04d}", specialty, year, school,
                          rng.choice(("ru", "kk", "kk", "en")), self.curators[(school, year)])
            groups.append(group)
        for i in range(s.students):
            group = groups[i % n_groups]
            students.append(Student(f"st{i + 1:05d}", f"Студент {i + 1:05d}", group.id))
            self.students_of.setdefault(group.id, []).append(students[-1].id)
        for members in self.students_of.values():
            members.sort()
        academic_year = f"{s.term_start.year}-{s.term_start.year + 1}"  # the term's year
        self._do("or-insp", LoadContingent(groups, students, "Приказ о формировании групп",
                                           academic_year=academic_year), at)
        self.report.groups, self.report.students = len(groups), len(students)
        return groups

    def _curriculum(self, groups: list[Group]) -> tuple[Term, dict[tuple[str, int], list[
            CourseUnit]]]:
        s, rng = self.settings, self.rng
        end = s.term_start + timedelta(days=s.term_weeks * 7 - 1)
        term = Term("T1", f"{s.term_start.year}-{s.term_start.year + 1}", 1, s.term_start,
                    end + timedelta(days=14))
        plans: dict[tuple[str, int], list[CourseUnit]] = {}
        units: list[CourseUnit] = []
        for school, specialty, year in sorted({(g.school, g.specialty, g.year_of_study)
                                               for g in groups}):
            deps = sorted(d for d in self.heads if d.startswith(f"dep-{school}-"))
            plan: list[CourseUnit] = []
            for u in range(rng.randint(s.units_min, s.units_max)):
                uid = f"u-{school}-{_slug(specialty)}-{year}-{u + 1:02d}"
                plan.append(attrs.evolve(
                    self._unit(uid, f"Дисциплина {uid[2:]}", deps, s.term_start, end),
                    teaching_methods=_TEACHING_METHODS, assessment_methods=_ASSESSMENT_METHODS))
            plans[(specialty, year)] = plan
            units.extend(plan)
        entries = [CurriculumEntry(g.id, u.id, term.id) for g in groups
                   for u in plans[(g.specialty, g.year_of_study)]]
        self._do("methodist", LoadCurriculum([term], units, entries), self.clock.now())
        self.report.units = len(units)
        return term, plans

    def _unit(self, uid: str, name: str, deps: list[str], start: date, end: date) -> CourseUnit:
        rng, s = self.rng, self.settings
        roll = rng.random()
        dep = rng.choice(deps)
        credits = rng.choice((3, 4, 5, 6))
        if rng.random() < s.short_course_rate:  # a short cycle: 5 or 10 teaching days
            days = rng.choice((5, 10))
            offset = rng.randrange(0, (end - start).days - 14) // 7 * 7
            return CourseUnit(uid, name, CourseKind.DISCIPLINE, dep, 2, start + timedelta(
                days=offset), start + timedelta(days=offset + days // 5 * 7 - 3))
        if roll < 0.5:
            return CourseUnit(uid, name, CourseKind.DISCIPLINE, dep, credits, start, end)
        kind = CourseKind.INTEGRATED if roll < 0.75 else CourseKind.MODULE
        n = rng.randint(2, 3) if kind is CourseKind.INTEGRATED else rng.randint(2, 4)
        span = ((end - start).days + 1) // n
        parts = []
        for p in range(n):
            p_start = start + timedelta(days=p * span)
            p_end = end if p == n - 1 else p_start + timedelta(days=span - 1)
            parts.append(CoursePart(f"{uid}-p{p + 1}", f"{name}, часть {p + 1}",
                                    rng.choice(deps), 2, p_start, p_end))
        return CourseUnit(uid, name, kind, dep, 2 * n, start, end, parts)

    # --- the setup before the term, and backups ---------------------------------------------

    def _setup(self, term: Term, plans: dict[tuple[str, int], list[CourseUnit]]) -> None:
        """Logins (P7, P8), КТП uploaders and plans (P5, P6), the deadline calendar (T12)."""
        s, rng = self.settings, self.setup_rng
        start = s.term_start
        steps: list[tuple[datetime, int, str, Command]] = []

        def step(when: datetime, actor: str, command: Command) -> None:
            steps.append((when, len(steps), actor, command))

        # Logins: the head of department sends form F2, IT issues the login before work starts;
        # a few teachers get theirs only after their first classes, a few without a form.
        any_head = sorted(self.heads.values())[0]
        for person in self.people:
            head = self.heads.get(person.units[0], any_head) if person.units else any_head
            requested = _at(start - timedelta(days=rng.randint(17, 19)), 10)
            if rng.random() >= s.unrequested_login_rate:
                step(requested, head, RequestLogin(person.id, sorted(person.roles)[0],
                                                   f"{person.id}@kaznmu.kz"))
            issued = requested + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 5))
            if "teacher" in person.roles and rng.random() < s.late_login_rate:
                issued = _at(start + timedelta(days=rng.randint(5, 20)), 5)
                self.report.late_logins += 1
            step(issued, "gen-it", IssueLogin(person.id))
            self.report.logins += 1
        # КТП: each department's head assigns who uploads each unit's plan; one of them uploads
        # it. A department now and then assigns nobody (its head uploads the plans himself).
        careless = {d for d in sorted(self.heads) if rng.random() < s.missing_uploaders_rate}
        year = term.academic_year
        for (specialty, year_of_study), units in sorted(plans.items()):
            for unit in units:
                head = self.heads[unit.department]
                staff = self.teachers[unit.department]
                uploaders = sorted(rng.sample(staff, 2))
                minutes = start - timedelta(days=rng.randint(12, 18))
                if unit.department in careless:
                    uploader = head
                else:
                    step(_at(minutes, 6), head, AssignPlanUploaders(
                        unit.department, unit.id, uploaders, f"{rng.randint(1, 12)}", minutes,
                        academic_year=year))
                    uploader = uploaders[0]
                uploaded = _at(minutes + timedelta(days=rng.randint(1, 10)), 7)
                if rng.random() < s.late_plan_rate:
                    uploaded = _at(start + timedelta(days=rng.randint(1, 14)), 7)
                    self.report.late_plans += 1
                classes = [PlannedClass(n, day, time(9 + n % 4), f"Тема {n}", "2",
                                        uploader, f"{100 + n % 30}")
                           for n, day in enumerate(_class_days(unit.starts, unit.ends,
                                                               daily=False, offset=0), start=1)]
                step(uploaded, uploader, LoadCalendarPlan(CalendarPlan(
                    unit.id, year, year_of_study, specialty, classes, f"{rng.randint(1, 12)}",
                    minutes, head)))
                self.report.calendar_plans += 1
        # The term's deadline calendar: the exam session's closing date (T12).
        exam_days = [u.ends + timedelta(days=3) for units in plans.values() for u in units]
        close_by = max(exam_days) + timedelta(days=s.calendar_close_days)
        ordered = start - timedelta(days=rng.randint(5, 11))
        step(_at(ordered, 6), "or-head", SetDeadlineCalendar(
            term.id, [DeadlineRow(ControlKind.INTERMEDIATE.value, close_by, max(exam_days))],
            f"{rng.randint(100, 999)}-н", ordered))
        for when, _, actor, command in sorted(steps, key=lambda x: (x[0], x[1])):
            self._do(actor, command, when)

    def _backups(self, term: Term) -> None:
        """A backup a month from the term's first month to the month after it ends (P9), now
        and then one missed."""
        s, rng = self.settings, self.setup_rng
        month = date(s.term_start.year, s.term_start.month, 1)
        last = term.ends + timedelta(days=31)
        while month <= last:
            if rng.random() >= s.missed_backup_rate:
                day = month + timedelta(days=rng.randint(0, 4))
                digest = hashlib.sha256(f"{s.seed}:{day.isoformat()}".encode()).hexdigest()
                self._do("gen-it", RecordBackup(f"backup-{day.isoformat()}.zip",
                                                self.report.events, digest), _at(day, 18))
                self.report.backups += 1
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)

    # --- journals -------------------------------------------------------------------------------

    def _journals(self, groups: list[Group], term: Term,
                  plans: dict[tuple[str, int], list[CourseUnit]]) -> list[JournalSpec]:
        specs: list[JournalSpec] = []
        at = _at(self.settings.term_start - timedelta(days=7), 4) if self.settings.setup \
            else self.clock.now()
        for group in groups:
            for unit in plans[(group.specialty, group.year_of_study)]:
                targets: list[tuple[str, str | None, str, date, date]] = []
                if unit.kind is not CourseKind.MODULE:
                    targets.append((unit.id, None, unit.department, unit.starts, unit.ends))
                targets += [(p.id, p.id, p.department, p.starts, p.ends) for p in unit.parts]
                for key, part, dep, starts, ends in targets:
                    teacher = self.rng.choice(self.teachers[dep])
                    whole_it = unit.kind is CourseKind.INTEGRATED and part is None
                    spec = JournalSpec(f"{key}/{group.id}/{term.id}", unit.id, group.id,
                                       term.id, [teacher], _controls(starts, ends, whole_it),
                                       part=part, department=dep)
                    self._do("or-insp", OpenJournal(spec), at)
                    specs.append(spec)
        self.report.journals = len(specs)
        return specs

    # --- a journal's term -----------------------------------------------------------------------

    def _substitutions(self, specs: list[JournalSpec]) -> dict[str, Substitution]:
        """Now and then a department replaces a journal's teacher for a week (T13). Registered
        in time order, the day before each begins: the registry's stream, like every stream,
        only moves forward in time."""
        s, rng = self.settings, self.rng
        chosen: dict[str, Substitution] = {}
        for spec in specs:
            first, last = spec.controls[0].starts, spec.controls[-1].ends
            if rng.random() >= s.substitution_rate or (last - first).days <= 21:
                continue
            teacher, dep = spec.teachers[0], spec.department or ""
            sub_start = first + timedelta(days=rng.randrange(7, (last - first).days - 10))
            others = [t for t in self.teachers[dep] if t != teacher]
            decided = sub_start - timedelta(days=1)
            chosen[spec.id] = Substitution(
                spec.id, rng.choice(others), teacher, sub_start, sub_start + timedelta(days=6),
                minutes_number=f"{rng.randint(1, 40)}", minutes_date=decided,
                memo_number=f"СЗ-{rng.randint(1, 999)}", memo_date=decided)
        heads = {spec.id: self.heads[spec.department or ""] for spec in specs}
        for substitute in sorted(chosen.values(), key=lambda x: (x.starts, x.journal)):
            self._do(heads[substitute.journal], RegisterSubstitution(substitute),
                     _at(substitute.starts - timedelta(days=1), 11))
            self.report.substitutions += 1
        # The registry's part only: each journal's opening waits to be written with its term.
        self.buffer.commit(Stream.ALL)
        return chosen

    def _journal_life(self, spec: JournalSpec, substitute: Substitution | None) -> None:
        """A journal's term: every control's marks, closing and perhaps a reopening, done in
        the order of their times (a late closing of one control may come after the next
        control's first marks), since a journal's time only moves forward."""
        s, rng = self.settings, self.rng
        students = self.students_of.get(spec.group, [])
        teacher = spec.teachers[0]
        first, last = spec.controls[0].starts, spec.controls[-1].ends
        ability = {st: rng.gauss(72, 12) for st in students}
        short = (last - first).days < 14
        schedule: list[Step] = []
        for point in spec.controls:
            actions: list[tuple[datetime, str, Command]] = []
            if point.kind is ControlKind.CURRENT:
                for day in _class_days(point.starts, point.ends, daily=short,
                                       offset=rng.randrange(2)):
                    who = substitute.substitute if substitute and substitute.covers(
                        substitute.substitute, day) else teacher
                    late = rng.random() < s.late_entry_rate
                    when = _at(day, 16 + rng.randrange(4))
                    if late:
                        when += timedelta(days=rng.randint(1, 3))
                    actions.append((when, who, EnterMarks(
                        spec.id, day, self._marks(students, ability), control=point.id)))
            else:
                actions.append((_at(point.ends, 10), teacher,
                                HoldControl(spec.id, point.id, point.ends)))
                actions.append((_at(point.ends, 15), teacher, EnterMarks(
                    spec.id, point.ends, self._marks(students, ability, exam=True),
                    control=point.id)))
            actions.sort(key=lambda a: a[0])
            for when, who, command in actions:
                schedule.append((when, len(schedule), who, command))
                if isinstance(command, EnterMarks):
                    self.report.mark_cells += len(command.marks)
            self._close_and_maybe_reopen(spec, point, teacher, actions[-1][0], schedule)
        for when, _, who, planned in sorted(schedule, key=lambda x: (x[0], x[1])):
            self._do(who, planned() if callable(planned) else planned, when)

    def _close_and_maybe_reopen(self, spec: JournalSpec, point: ControlPoint, teacher: str,
                                last_entry: datetime, schedule: list[Step]) -> None:
        s, rng = self.settings, self.rng

        def step(actor: str, command: Command | Callable[[], Command], when: datetime) -> None:
            schedule.append((when, len(schedule), actor, command))

        roll = rng.random()
        if roll < s.never_closed_rate:
            self.report.never_closed += 1
            return
        delay = rng.randint(4, 9) if roll < s.never_closed_rate + s.late_close_rate \
            else rng.randint(0, 2)
        self.report.late_closings += delay > 3
        closed = max(_at(point.ends + timedelta(days=delay), 17), last_entry + timedelta(hours=1))
        step(teacher, CloseJournal(spec.id, point.id), closed)
        if point.kind is not ControlKind.CURRENT:
            step(teacher, FormGradeSheet(spec.id, point.id), closed + timedelta(hours=1))
        if rng.random() >= s.reopen_rate:
            return
        when = closed + timedelta(days=rng.randint(0, 3), hours=2)
        wrong = point.starts
        step(teacher, SubmitNote(spec.id, point.id, ExplanatoryNote(
            wrong, "техническая ошибка", ("практическое занятие",), wrong,
            "оценка выставлена неверно")), when)
        group = self.book.directory.group(spec.group)
        signers = [(self.heads[spec.department or ""], "department_head"),
                   (self.curators[(group.school, group.year_of_study)], "curation_dean"),
                   (self.deans[group.school], "school_dean")]
        complete = True
        for person, role in signers:
            when += timedelta(hours=rng.randint(1, 30))
            if rng.random() < s.missing_visa_rate:
                complete = False
                continue
            step(person, GiveVisa(spec.id, point.id, role), when)
        if not complete:
            return  # the note waits for a visa: the audit reports it
        when += timedelta(days=rng.randint(0, 3))
        step("or-senior", ApproveNote(spec.id, point.id), when)
        when += timedelta(hours=rng.randint(1, 24))
        step("or-head", Reopen(spec.id, point.id), when)
        self.report.reopenings += 1
        when += timedelta(days=rng.randint(0, 3), hours=1)
        points = str(rng.randint(50, 100))

        def correction() -> Command:
            # The first marked cell of the control, as the journal stands when it is corrected.
            state = self.book.journal(spec.id)
            cell = min((st, day) for (st, day, c) in state.grid if c == point.id)
            return CorrectMark(spec.id, cell[0], cell[1], points,
                               reason="исправление по объяснительной", control=point.id)

        if any(isinstance(c, EnterMarks) and c.control == point.id for _, _, _, c in schedule):
            step(teacher, correction, when)
        step(teacher, CloseJournal(spec.id, point.id), when + timedelta(minutes=30))
        step(teacher, FormGradeSheet(spec.id, point.id, kind="individual"),
                 when + timedelta(hours=1))

    def _marks(self, students: list[str], ability: dict[str, float],
               exam: bool = False) -> dict[str, str]:
        s, rng = self.settings, self.rng
        out: dict[str, str] = {}
        for st in students:
            roll = rng.random()
            if roll < s.absent_rate:
                out[st] = "н/б"
            elif not exam and roll < s.absent_rate + s.unprepared_rate:
                out[st] = "О"
            else:
                out[st] = str(max(0, min(100, round(rng.gauss(ability[st], 10)))))
        return out


def _slug(text: str) -> str:
    return "".join(word[0] for word in text.split()).lower() or "x"


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def _class_days(starts: date, ends: date, *, daily: bool, offset: int) -> list[date]:
    """Weekdays for a short course (marks daily, T15); otherwise two classes a week."""
    days = []
    day = starts
    while day <= ends:
        if day.weekday() < 5 and (daily or day.weekday() in (offset, offset + 3)):
            days.append(day)
        day += timedelta(days=1)
    return days or [starts]


def _controls(starts: date, ends: date, exam_only: bool) -> list[ControlPoint]:
    """Current and milestone control per half, then the exam; a short course: current, exam."""
    exam_day = ends + timedelta(days=3)
    exam = ControlPoint("exam", ControlKind.INTERMEDIATE, exam_day, exam_day)
    if exam_only:
        return [exam]
    if (ends - starts).days < 14:
        return [ControlPoint("current-1", ControlKind.CURRENT, starts, ends), exam]
    mid = starts + timedelta(days=(ends - starts).days // 2)
    return [ControlPoint("current-1", ControlKind.CURRENT, starts, mid - timedelta(days=1)),
            ControlPoint("milestone-1", ControlKind.MILESTONE, mid, mid),
            ControlPoint("current-2", ControlKind.CURRENT, mid + timedelta(days=1),
                         ends - timedelta(days=1)),
            ControlPoint("milestone-2", ControlKind.MILESTONE, ends, ends), exam]


def generate_university(store: Storage, policy: Policy,
                        settings: GeneratorSettings | None = None, *,
                        progress: Callable[[str], None] | None = None,
                        tick: Callable[[int, int, int], None] | None = None,
                        **overrides: Any) -> GenerationReport:
    """Generate a synthetic university's term into an empty ``store``; deterministic per seed.

    ``progress`` gets a line now and then; ``tick(journals done, journals in all, events)``
    is called after every journal (a progress bar's feed). Journals are written a few thousand
    events at a time, each batch in one atomic step across streams, and not kept in memory
    once written."""
    settings = attrs.evolve(settings or GeneratorSettings(), **overrides)
    problems = settings.problems()
    if store.streams():
        problems.append(Problem("the store is not empty", path="store"))
    if problems:
        raise InvalidInput("generator settings", problems)
    try:
        return _Generator(store, policy, settings, progress, tick).run()
    except CommandRefused as exc:  # the ruleset forbids what the generator models: say which
        raise InvalidInput("generator", [Problem(
            f"the ruleset refused a generated command: {exc}")]) from exc
