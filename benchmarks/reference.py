"""The plain reference pass of benchmarks/run.py: EVERY rule of the shipped ruleset judged in
straightforward Python, the way a developer would write it by hand, with no rules engine and no
facts. Its findings must equal the audit's (tests/rules/test_reference_pass.py, at small size).

It reads the same store the audit reads, through the same path (one ordered scan where the store
has one), keeps the registry in the library's own registry model (``Directory``: who held which
role when, groups' members, curricula, plans) and counts days with the ruleset's calendar, as any
hand-written checker in this code base would; everything a rule judges is written out here, rule
kind by rule kind, with the thresholds compared inline.

The answer is a set of finding keys ``(rule, kind, subject, key)`` (``key``: what tells two
findings of one subject apart, the ``key`` a finding's facts carry) and the sanctions as
``(rule, subject, count, sanction)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import journal_rules as jr
from journal_rules._directory import Directory, RegistryView
from journal_rules._events import JOURNAL_PREFIX, Stream, structure_payload
from journal_rules._grading._finishing import finishing_part
from journal_rules._journal import EVENT_ACTIONS
from journal_rules._model import ControlPoint, CourseKind, JournalSpec
from journal_rules._rules._calendar import Calendar
from journal_rules._rules.kinds import (
    ApprovalRule,
    AuthorshipRule,
    CompleteMarksRule,
    DailyMarkingRule,
    DeadlineRule,
    IntegratedSheetRule,
    LadderRule,
    OccurrenceRule,
    PeriodicRule,
    PrecedesRule,
    SeparationOfDutiesRule,
    SetupRule,
)
from journal_rules._scopes import Subject, in_scope
from journal_rules._storage import read_streams
from journal_rules.storage import StoredEvent

Key = tuple[str, str, str, str]


class E:
    """An event, plainly: type, actor, moment, local day, occurred-on, data, position."""

    __slots__ = ("actor", "at", "data", "day", "on", "pos", "type")

    def __init__(self, event: StoredEvent, day: date) -> None:
        self.type = event.type
        self.actor = event.actor
        self.at = event.recorded_at
        self.day = day
        self.on = event.occurred_on
        self.data = event.data
        self.pos = event.version


class Journal:
    """One journal's events up to the as-of date, with its marks folded per control."""

    def __init__(self, spec: JournalSpec, events: list[E], department: str | None) -> None:
        self.spec = spec
        self.events = events
        self.department = department
        self.by_control: dict[str, list[E]] = defaultdict(list)
        # control -> class day -> first day marks were entered for it
        self.first_entry: dict[str, dict[date, date]] = defaultdict(dict)
        # control -> (student, class day) -> first day the cell was filled
        self.cells: dict[str, dict[tuple[str, date], date]] = defaultdict(dict)
        # control -> student -> position of the first event filling one of their cells
        self.student_first: dict[str, dict[str, int]] = defaultdict(dict)
        for e in events:
            control = e.data.get("control")
            if control is None:
                continue
            self.by_control[control].append(e)
            if e.type == "marks_entered":
                days = self.first_entry[control]
                cells = self.cells[control]
                firsts = self.student_first[control]
                for cell in e.data["cells"]:
                    on = date.fromisoformat(cell["on"])
                    if on not in days or e.day < days[on]:
                        days[on] = e.day
                    cells.setdefault((cell["student"], on), e.day)
                    firsts.setdefault(cell["student"], e.pos)
            elif e.type == "mark_corrected":
                on = date.fromisoformat(e.data["on"])
                self.cells[control].setdefault((e.data["student"], on), e.day)
                self.student_first[control].setdefault(e.data["student"], e.pos)


class Pass:
    """One reference pass over a store as of a date."""

    def __init__(self, store: jr.Storage, ruleset: jr.Ruleset, as_of: date) -> None:
        self.ruleset = ruleset
        self.policy = ruleset.policy
        self.as_of = as_of
        self.cal = Calendar(ruleset.calendar)
        self.events_read = 0
        self.directory = Directory()
        self.registry: list[E] = []
        for stream in Stream.ALL:
            for event in store.read(stream):
                self.events_read += 1
                day = self.cal.local_date(event.recorded_at)
                if day > as_of:
                    continue
                self.directory.apply(event)
                self.registry.append(E(event, day))
        self.registry.sort(key=lambda e: (e.at, e.type, e.pos))
        self.journals: dict[str, Journal] = {}
        for _, stream_events in read_streams(store, JOURNAL_PREFIX):
            self.events_read += len(stream_events)
            kept = []
            for event in stream_events:
                day = self.cal.local_date(event.recorded_at)
                if day <= as_of:
                    kept.append(E(event, day))
            opened = next((e for e in kept if e.type == "journal_opened"), None)
            if opened is None:
                continue
            spec = structure_payload("journal_opened", opened.data).spec
            try:
                department: str | None = self.directory.journal_department(spec)
            except (LookupError, ValueError):
                department = spec.department
            self.journals[spec.id] = Journal(spec, kept, department)
            self.directory.journals[spec.id] = spec
        self.journals = dict(sorted(self.journals.items()))
        # The journals of one course unit, group and term (an ИД's or a module's own and parts')
        self.unit_journals: dict[tuple[str, str, str], list[Journal]] = defaultdict(list)
        for j in self.journals.values():
            self.unit_journals[(j.spec.unit, j.spec.group, j.spec.term)].append(j)
        self.found: set[Key] = set()
        self.violations: list[tuple[str, str | None, str | None, date | None]] = []
        self._on: dict[date, RegistryView] = {}
        self._members: dict[tuple[str, date], list[str]] = {}

    # -- helpers ---------------------------------------------------------------------------

    def add(self, rule: Any, kind: str, subject: str, key: str, *, journal: str | None = None,
            department: str | None = None, due: date | None = None) -> None:
        self.found.add((rule.id, kind, subject, key))
        if kind == "violation":
            self.violations.append((rule.id, journal, department, due))

    def registry_on(self, day: date) -> RegistryView:
        view = self._on.get(day)
        if view is None:
            view = self._on[day] = self.directory.on(day, self.cal.tz)
        return view

    def members(self, group: str, day: date) -> list[str]:
        key = (group, day)
        found = self._members.get(key)
        if found is None:
            found = self._members[key] = [s.id for s in
                                          self.registry_on(day).students_of(group)]
        return found

    def course(self, spec: JournalSpec) -> str | None:
        unit = self.directory.units.get(spec.unit)
        if unit is None:
            return None
        if unit.kind == CourseKind.DISCIPLINE:
            return "discipline"
        if spec.part is None:
            return "integrated" if unit.kind == CourseKind.INTEGRATED else "module"
        return "block" if unit.kind == CourseKind.INTEGRATED else "modular_discipline"

    def class_days(self, j: Journal, point: ControlPoint) -> list[date]:
        days = set(j.first_entry.get(point.id, {}))
        plan = None
        group = self.directory.groups.get(j.spec.group)
        term = self.directory.terms.get(j.spec.term)
        if group is not None and term is not None:
            for unit in (j.spec.part, j.spec.unit):
                if unit is not None:
                    plan = self.directory.plans.get((unit, term.academic_year,
                                                     group.year_of_study, group.specialty))
                    if plan is not None:
                        break
        if plan is not None:
            days.update(c.on for c in plan.classes if point.starts <= c.on <= point.ends)
        else:
            day = point.starts
            while day <= point.ends:
                if self.cal.is_working(day):
                    days.add(day)
                day += timedelta(days=1)
        return sorted(d for d in days if point.starts <= d <= point.ends)

    # -- the pass --------------------------------------------------------------------------

    def run(self) -> tuple[set[Key], set[tuple[str, str, int, str]]]:
        rules = self.ruleset.rules
        for j in self.journals.values():
            for rule in rules:
                if isinstance(rule, DeadlineRule):
                    self.deadline(rule, j)
                elif isinstance(rule, DailyMarkingRule):
                    self.daily(rule, j)
                elif isinstance(rule, CompleteMarksRule):
                    self.complete(rule, j)
                elif isinstance(rule, AuthorshipRule):
                    self.authorship(rule, j)
                elif isinstance(rule, ApprovalRule):
                    self.approval(rule, j)
                elif isinstance(rule, SeparationOfDutiesRule):
                    self.separation(rule, j)
                elif isinstance(rule, OccurrenceRule):
                    self.occurrence(rule, j)
                elif isinstance(rule, IntegratedSheetRule):
                    self.integrated(rule, j)
        for rule in rules:
            if isinstance(rule, SetupRule):
                self.setup(rule)
            elif isinstance(rule, PeriodicRule):
                self.periodic(rule)
            elif isinstance(rule, PrecedesRule):
                self.precedes(rule)
            elif isinstance(rule, SeparationOfDutiesRule):
                self.self_grants(rule)
        sanctions: set[tuple[str, str, int, str]] = set()
        for rule in rules:
            if isinstance(rule, LadderRule):
                sanctions |= self.ladder(rule)
        return self.found, sanctions

    # -- deadlines (T11, T12, P10, R1, R2, R4) ----------------------------------------------

    def due(self, rule: DeadlineRule, start: date, counting: str) -> date | None:
        if rule.days is None:
            return None
        if rule.start_day_counts and rule.days > 0 and self.cal.counts(start, counting):
            return self.cal.add(start, rule.days - 1, counting)
        return self.cal.add(start, rule.days, counting)

    def judge_deadline(self, rule: DeadlineRule, j: Journal, point: ControlPoint, *,
                       start: date, done_on: date | None, key: str, calendar: bool = True,
                       always_done: bool = False) -> date | None:
        """Judge one run of a deadline's clock; return its due date (None: no deadline)."""
        counting = rule.counting or self.cal.spec.days
        upto = done_on if done_on is not None else self.as_of
        due = self.due(rule, start, counting)
        source = "rule"
        if calendar and rule.use_term_calendar:
            calendar_set = self.registry_on(upto).deadlines.get(j.spec.term)
            rows = [] if calendar_set is None else [
                x for x in calendar_set.entries
                if x.control_kind == point.kind and x.close_by >= point.ends]
            if rows:
                row = min(rows, key=lambda x: x.close_by)
                set_by = row.marks_by if rule.end == "marks_entered" else row.close_by
                if set_by is not None:
                    set_by = max(set_by, point.ends)
                    if rule.term_calendar == "replace" or due is None or set_by < due:
                        due, source = set_by, "calendar"
        if due is None:
            return None
        if source == "rule":
            extra = 1 if (rule.start_day_counts and self.cal.counts(start, counting)
                          and upto >= start) else 0
            late = self.cal.between(start, upto, counting) + extra > (rule.days or 0)
        else:
            late = upto > due
        done = done_on is not None or always_done
        if late:
            self.add(rule, "violation", j.spec.id, key, journal=j.spec.id,
                     department=j.department, due=due)
        elif not done:
            self.add(rule, "pending", j.spec.id, key)
        return due

    def deadline(self, rule: DeadlineRule, j: Journal) -> None:
        course = self.course(j.spec)
        if course is not None and course not in rule.journals:
            return
        required = self.policy.visas.roles()
        for point in j.spec.controls:
            if point.kind.value not in rule.control_kinds:
                continue
            evs = j.by_control.get(point.id, [])
            if rule.end == "marks_entered":
                if point.ends > self.as_of:
                    continue
                last: date | None = None
                for e in evs:
                    if e.type == "journal_reopened":
                        break
                    if e.type in ("marks_entered", "mark_corrected") and (
                            last is None or e.day > last):
                        last = e.day
                self.judge_deadline(rule, j, point, start=point.ends,
                                    done_on=max(last, point.ends) if last else point.ends,
                                    key=f"{point.id}#0", always_done=True)
                continue
            if rule.current_per == "class" and point.kind.value == "current":
                closed = next((e.day for e in evs if self.is_end(rule, e)), None)
                entries = j.first_entry.get(point.id, {})
                for day in self.class_days(j, point):
                    if day > self.as_of:
                        continue
                    done = [d for d in (entries.get(day), closed) if d is not None]
                    self.judge_deadline(rule, j, point, start=day,
                                        done_on=min(done) if done else None,
                                        key=day.isoformat(), calendar=False)
                continue
            starts = self.starts(rule, point, evs, required)
            if rule.end == "visas_complete" and not rule.optional:
                self.visas_owed(rule, j, point, evs=evs, starts=starts, required=required)
                continue
            if rule.end == "visas_complete":
                ends = self.visa_completions(evs, required)
            else:
                ends = [e for e in evs if self.is_end(rule, e)]
            pairs: list[tuple[date, E | None]] = []
            if rule.optional:
                for end in ends:
                    before = [s for s in starts if s[1] < end.pos]
                    if before:
                        pairs.append((before[-1][0], end))
            else:
                for day, position in starts:
                    after = [e for e in ends if e.pos > position]
                    pairs.append((day, after[0] if after else None))
            for n, (start, finish) in enumerate(pairs):
                if start <= self.as_of:
                    self.judge_deadline(rule, j, point, start=start,
                                        done_on=None if finish is None else finish.day,
                                        key=f"{point.id}#{n}")

    @staticmethod
    def is_end(rule: DeadlineRule, e: E) -> bool:
        if rule.end == "closed":
            return e.type == "journal_closed"
        if rule.end == "grade_sheet":
            return e.type == "grade_sheet_formed" and e.data.get("kind") == rule.sheet_kind
        if rule.end == "note_submitted":
            return e.type == "note_submitted"
        if rule.end == "note_reviewed":
            return e.type in ("note_approved", "note_rejected")
        return False

    def starts(self, rule: DeadlineRule, point: ControlPoint, evs: list[E],
               required: Sequence[str]) -> list[tuple[date, int]]:
        if rule.start == "control_end":
            return [(point.ends, -1)]
        if rule.start == "visas_complete":
            return [(e.day, e.pos) for e in self.visa_completions(evs, required)]
        wanted = {"control_held": "control_held", "closed": "journal_closed",
                  "note_submitted": "note_submitted", "reopened": "journal_reopened"}[rule.start]
        return [(date.fromisoformat(e.data["on"]) if wanted == "control_held" else e.day, e.pos)
                for e in evs if e.type == wanted]

    @staticmethod
    def visa_completions(evs: Iterable[E], required: Sequence[str]) -> list[E]:
        out: list[E] = []
        given: set[str] | None = None
        wanted = set(required)
        for e in evs:
            if e.type == "note_submitted":
                given = set()
                if not wanted:
                    out.append(e)
                    given = None
            elif e.type == "note_rejected":
                given = None
            elif e.type == "visa_given" and given is not None:
                given.add(e.data["role"])
                if wanted <= given:
                    out.append(e)
                    given = None
        return out

    def visas_owed(self, rule: DeadlineRule, j: Journal, point: ControlPoint, *,
                   evs: list[E], starts: list[tuple[date, int]],
                   required: Sequence[str]) -> None:
        runs: list[tuple[E, E | None]] = []
        note: E | None = None
        given: set[str] = set()
        wanted = set(required)
        for e in evs:
            if e.type == "note_submitted":
                note, given = e, set()
                if not wanted:
                    runs.append((e, e))
                    note = None
            elif e.type == "note_rejected":
                note = None
            elif e.type == "visa_given" and note is not None and e.data["role"] in wanted:
                given.add(e.data["role"])
                if wanted <= given:
                    runs.append((note, e))
                    note = None
        if note is not None:
            runs.append((note, None))
        for n, (submitted, complete) in enumerate(runs):
            before = [s for s in starts if s[1] <= submitted.pos]
            if not before or before[-1][0] > self.as_of:
                continue
            self.judge_deadline(rule, j, point, start=before[-1][0],
                                done_on=None if complete is None else complete.day,
                                key=f"{point.id}#{n}")

    # -- daily marking (T15, P12, T3) --------------------------------------------------------

    def daily(self, rule: DailyMarkingRule, j: Journal) -> None:
        unit = self.directory.units.get(j.spec.unit)
        if unit is None:
            return
        if j.spec.part:
            try:
                part = unit.part(j.spec.part)
            except KeyError:
                return
            first, last = part.starts, part.ends
        else:
            first, last = unit.starts, unit.ends
        course_days = self.cal.between(first - timedelta(days=1), last, rule.course_counting)
        if rule.courses == "short" and course_days > rule.max_course_days:
            return
        for point in j.spec.controls:
            if point.kind.value not in rule.control_kinds:
                continue
            cells = j.cells.get(point.id, {})
            for d in self.class_days(j, point):
                if d > self.as_of:
                    continue
                lag = 0
                missing = False
                for student in self.members(j.spec.group, d):
                    entered = cells.get((student, d))
                    if entered is None:
                        missing = True
                    elif (entered - d).days > lag:
                        lag = (entered - d).days
                waited = (self.as_of - d).days if missing else 0
                if lag > rule.lag_days or (missing and waited > rule.lag_days):
                    self.add(rule, "violation", j.spec.id, d.isoformat(), journal=j.spec.id,
                             department=j.department, due=d + timedelta(days=rule.lag_days))
                elif missing:
                    self.add(rule, "pending", j.spec.id, d.isoformat())

    # -- complete marks at closing (T3, T15, T19) --------------------------------------------

    def holds_marks(self, j: Journal, point: ControlPoint) -> bool:
        unit = self.directory.units.get(j.spec.unit)
        if unit is None or unit.kind == CourseKind.DISCIPLINE:
            return True
        attestation = point.kind.value in ("intermediate", "final")
        if unit.kind == CourseKind.INTEGRATED:
            return attestation if j.spec.part is None else not attestation
        return j.spec.part is not None

    def complete(self, rule: CompleteMarksRule, j: Journal) -> None:
        for point in j.spec.controls:
            if point.kind.value not in rule.control_kinds or not self.holds_marks(j, point):
                continue
            firsts = j.student_first.get(point.id, {})
            closings = [e for e in j.by_control.get(point.id, []) if e.type == "journal_closed"]
            for n, e in enumerate(closings):
                if any(firsts.get(s, e.pos) >= e.pos for s in self.members(j.spec.group, e.day)):
                    self.add(rule, "violation", j.spec.id, f"{point.id}#{n}",
                             journal=j.spec.id, department=j.department)

    # -- authorship (T1, T2, T4, T5) ---------------------------------------------------------

    def entitled(self, registry: RegistryView, j: Journal, actor: str, *, action: str,
                 on: date, now: datetime) -> bool:
        person = registry.people.get(actor)
        if person is None:
            return False
        try:
            permission = self.policy.permission_for(action)
        except KeyError:
            return False
        subject = Subject(j.spec)
        return any(g.role in person.roles and in_scope(g.scope, person, subject, on, registry)
                   for g in permission.grants)

    def authorship(self, rule: AuthorshipRule, j: Journal) -> None:
        directory = self.directory
        journal = j.spec.id
        by_day = bool(directory.substitutions.get(journal))
        answers: dict[tuple[Any, ...], bool] = {}
        verdicts: dict[tuple[str, str, date], bool] = {}
        for e in j.events:
            action = EVENT_ACTIONS.get(e.type)
            if action is None or action not in rule.actions:
                continue
            on = e.on or e.day
            group = (e.actor, action, on)
            if verdicts.get(group) is False:
                continue
            key: tuple[Any, ...] = (e.actor, action, directory.epoch(e.at),
                                    directory.epoch(e.at, inclusive=False))
            if by_day:
                key += (on, directory.substitutions_epoch(journal, e.at),
                        directory.substitutions_epoch(journal, e.at, inclusive=False))
            ok = answers.get(key)
            if ok is None:
                ok = self.entitled(directory.at(e.at), j, e.actor, action=action, on=on,
                                   now=e.at)
                if not ok and (key[2] != key[3] or (by_day and key[5] != key[6])):
                    ok = self.entitled(directory.at(e.at, inclusive=False), j, e.actor,
                                       action=action, on=on, now=e.at)
                answers[key] = ok
            verdicts[group] = ok
        for (actor, action, on), ok in verdicts.items():
            if not ok:
                self.add(rule, "violation", journal, f"{actor}|{action}|{on.isoformat()}",
                         journal=journal, department=j.department)

    # -- reopening: approval, separation of duties, the register (T14, T16, R1-R5, F3) -------

    def approval(self, rule: ApprovalRule, j: Journal) -> None:
        required = self.policy.visas.roles()
        for control, evs in j.by_control.items():
            reopenings = [e for e in evs if e.type == "journal_reopened"]
            for n, reopened in enumerate(reopenings):
                before = [e for e in evs if e.pos < reopened.pos]
                notes = [e for e in before if e.type == "note_submitted"]
                if not notes:
                    broken = True
                else:
                    after = [e for e in before if e.pos > notes[-1].pos]
                    given: list[str] = []
                    out_of_order = False
                    for e in after:
                        if e.type == "visa_given":
                            role = e.data["role"]
                            if any(r not in given for r in self.policy.visas.before(role)):
                                out_of_order = True
                            given.append(role)
                    missing = any(r not in given for r in required)
                    approved = any(e.type == "note_approved" for e in after)
                    broken = missing or out_of_order or (rule.require_review and not approved)
                if broken:
                    self.add(rule, "violation", j.spec.id, f"{control}#{n}", journal=j.spec.id,
                             department=j.department)

    def separation(self, rule: SeparationOfDutiesRule, j: Journal) -> None:
        if not rule.applies or rule.constraint != "distinct_people":
            return
        for control, evs in j.by_control.items():
            procedures: list[tuple[list[tuple[str, str]], bool]] = []
            for e in evs:
                action = EVENT_ACTIONS.get(e.type)
                if e.type == "note_submitted":
                    procedures.append(([], False))
                if not procedures or procedures[-1][1] or action is None:
                    continue
                steps = procedures[-1][0]
                if action in rule.actions:
                    step = f"give_visa ({e.data['role']})" if action == "give_visa" else action
                    steps.append((e.actor, step))
                if e.type in ("journal_reopened", "note_rejected"):
                    procedures[-1] = (steps, True)
            for n, (steps, _) in enumerate(procedures):
                taken: dict[str, set[str]] = defaultdict(set)
                for person, step in steps:
                    taken[person].add(step)
                if len(steps) > 1 and any(len(s) > 1 for s in taken.values()):
                    self.add(rule, "violation", j.spec.id, f"{control}#{n}", journal=j.spec.id,
                             department=j.department)

    def self_grants(self, rule: SeparationOfDutiesRule) -> None:
        if not rule.applies or rule.constraint != "no_self_grant":
            return
        people: dict[str, Any] = {}
        n = 0
        for e in self.registry:
            if e.type != "people_registered":
                continue
            registered = structure_payload(e.type, e.data).people
            for person in registered:
                if person.id != e.actor:
                    continue
                before = people.get(person.id)
                if before is None and not people:
                    gained = False
                else:
                    roles = person.roles - (before.roles if before is not None else frozenset())
                    units = [u for u in person.units if before is None or u not in before.units]
                    gained = bool(roles or units)
                if gained:
                    self.add(rule, "violation", e.actor, f"{e.actor}#{n}")
                n += 1
            people.update((p.id, p) for p in registered)

    def occurrence(self, rule: OccurrenceRule, j: Journal) -> None:
        for control, evs in j.by_control.items():
            for n, _ in enumerate(e for e in evs if e.type == rule.event):
                self.add(rule, "register", j.spec.id, f"{control}#{n}")

    # -- the integrated sheet (T10, P11) -----------------------------------------------------

    def integrated(self, rule: IntegratedSheetRule, j: Journal) -> None:
        unit = self.directory.units.get(j.spec.unit)
        if unit is None or j.spec.part is None or unit.kind == CourseKind.DISCIPLINE \
                or not unit.parts:
            return
        finishing = finishing_part(unit, rule.tie_break)
        if j.spec.part != finishing.id:
            return
        related = self.unit_journals.get((j.spec.unit, j.spec.group, j.spec.term), [])
        ends = [p.ends for v in related for p in v.spec.controls
                if p.kind.value in rule.control_kinds]
        if not ends:
            return
        start = max(ends)
        if start > self.as_of:
            return
        sheets = sorted((e for v in related for e in v.events
                         if e.type == "grade_sheet_formed"
                         and e.data.get("kind") == rule.sheet_kind), key=lambda e: (e.at, e.pos))
        sheet = sheets[0] if sheets else None
        counting = rule.counting or self.cal.spec.days
        upto = sheet.day if sheet is not None else self.as_of
        elapsed = self.cal.between(start, upto, counting)
        by_finishing = False
        if sheet is not None:
            person = self.directory.at(sheet.at).people.get(sheet.actor)
            by_finishing = person is not None and finishing.department in person.units
        due = self.cal.add(start, rule.days, counting)
        if elapsed > rule.days or (sheet is not None and not by_finishing):
            self.add(rule, "violation", j.spec.id, unit.id, journal=j.spec.id,
                     department=finishing.department, due=due)
        elif sheet is None:
            self.add(rule, "pending", j.spec.id, unit.id)

    # -- registry obligations (P1-P9, T18) ---------------------------------------------------

    def setup(self, rule: SetupRule) -> None:
        current = self.cal.year_start(self.as_of)
        for start in (current, date(current.year + 1, current.month, current.day)):
            self.setup_year(rule, start)

    def setup_year(self, rule: SetupRule, year_start: date) -> None:
        next_start = date(year_start.year + 1, year_start.month, year_start.day)
        year = f"{year_start.year}-{year_start.year + 1}"
        events = [e for e in self.registry if e.type == rule.event]
        fixed = None if rule.due == "term_start" else \
            self.cal.month_day_before(rule.due, year_start)
        terms = sorted((t for t in self.directory.terms.values()
                        if year_start <= t.starts < next_start), key=lambda t: t.id)
        targets: list[tuple[str, date, E | None]] = []
        if rule.per == "year":
            done = next((e for e in events if year in self.years_of(rule, e)), None)
            targets.append((year, fixed or year_start, done))
        elif rule.per == "term":
            for term in terms:
                done = next((e for e in events if e.data.get("term") == term.id), None)
                targets.append((term.id, fixed or term.starts, done))
        else:
            term_ids = {t.id for t in terms}
            units = sorted({c.unit for c in self.directory.curriculum.values()
                            if c.term in term_ids})
            first_for: dict[str, E] = {}
            for e in events:
                for unit in self.units_of(rule, e, year):
                    first_for.setdefault(unit, e)
            for unit in units:
                targets.append((unit, fixed or min(t.starts for t in terms),
                                first_for.get(unit)))
        for subject, due, done in targets:
            if self.as_of < due - timedelta(days=rule.opens_days_before):
                continue
            late = ((done.day if done is not None else self.as_of) - due).days
            if late > 0:
                self.add(rule, "violation", subject, subject, due=due)
            elif done is None and late >= -rule.opens_days_before:
                self.add(rule, "pending", subject, subject)

    def declared_year(self, e: E) -> str:
        declared = e.data.get("academic_year")
        if declared:
            return str(declared)
        start = self.cal.year_start(e.day)
        return f"{start.year}-{start.year + 1}"

    def label(self, day: date) -> str:
        start = self.cal.year_start(day)
        return f"{start.year}-{start.year + 1}"

    def years_of(self, rule: SetupRule, e: E) -> set[str]:
        if rule.event != "curriculum_loaded":
            return {self.declared_year(e)}
        if rule.covers == "units":
            return {self.label(date.fromisoformat(u["starts"])) for u in e.data["units"]}
        years = {t.id: t.academic_year for t in self.directory.terms.values()}
        years.update((t["id"], t["academic_year"]) for t in e.data["terms"])
        return {years[x["term"]] for x in e.data["entries"] if x["term"] in years}

    def units_of(self, rule: SetupRule, e: E, year: str) -> set[str]:
        if rule.event == "curriculum_loaded":
            return {u["id"] for u in e.data["units"]
                    if u.get("teaching_methods") and u.get("assessment_methods")
                    and self.label(date.fromisoformat(u["starts"])) == year}
        if rule.event == "calendar_plan_loaded":
            plan = e.data["plan"]
            return {plan["unit"]} if plan["academic_year"] == year else set()
        return {e.data["unit"]} if self.declared_year(e) == year else set()

    def periodic(self, rule: PeriodicRule) -> None:
        start = self.cal.year_start(self.as_of)
        month = date(start.year, start.month, 1)
        while month <= self.as_of:
            nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            count = sum(1 for e in self.registry if e.type == rule.event and month <= e.day < nxt)
            label = f"{month.year:04d}-{month.month:02d}"
            if count < rule.at_least:
                due = nxt - timedelta(days=1)
                if nxt <= self.as_of:
                    self.add(rule, "violation", label, label, due=due)
                else:
                    self.add(rule, "pending", label, label)
            month = nxt

    def precedes(self, rule: PrecedesRule) -> None:
        subjects: dict[str, E] = {}
        if rule.subject == "first_journal_action":
            for j in self.journals.values():
                for e in j.events:
                    if e.actor not in subjects or e.at < subjects[e.actor].at:
                        subjects[e.actor] = e
        else:
            for e in self.registry:
                if e.type == rule.subject:
                    subjects.setdefault(e.data["person"], e)
        required: dict[str, list[E]] = defaultdict(list)
        registered: dict[str, date] = {}
        for e in self.registry:
            if e.type == rule.requires:
                required[e.data["person"]].append(e)
            elif e.type == "people_registered":
                for person in e.data["people"]:
                    registered.setdefault(person["id"], e.day)
        for person, e in subjects.items():
            if rule.applies_to == "new_staff":
                since = self.cal.year_start(e.day) - timedelta(days=rule.new_staff_lead_days)
                first = registered.get(person)
                if first is None or first < since:
                    continue
            if not any(r.at <= e.at for r in required.get(person, ())):
                self.add(rule, "violation", person, person)

    # -- sanctions (S-teacher, S-department, T20) --------------------------------------------

    def ladder(self, rule: LadderRule) -> set[tuple[str, str, int, str]]:
        as_of = self.as_of
        since = self.cal.year_start(as_of)
        if rule.period == "term":
            terms = [t for t in self.directory.terms.values() if t.starts <= as_of]
            if terms:
                since = max(terms, key=lambda t: t.starts).starts
        elif rule.period == "all":
            since = date.min
        counted: dict[str, int] = defaultdict(int)
        if rule.counts.reopenings:
            for j in self.journals.values():
                for evs in j.by_control.values():
                    for e in evs:
                        if e.type != "journal_reopened" or not since <= e.day <= as_of:
                            continue
                        if rule.against == "department":
                            subjects = [j.department] if j.department else []
                        else:
                            notes = [x for x in evs
                                     if x.type == "note_submitted" and x.pos < e.pos]
                            subjects = [notes[-1].actor] if notes else list(j.spec.teachers)
                        for subject in subjects:
                            counted[subject] += 1
        if rule.counts.rules:
            wanted = set(rule.counts.rules)
            for rule_id, journal, department, due in self.violations:
                if rule_id not in wanted or not since <= (due or as_of) <= as_of:
                    continue
                if rule.against == "department" and department:
                    counted[department] += 1
                elif rule.against == "teacher" and journal in self.journals:
                    for t in self.journals[journal].spec.teachers:
                        counted[t] += 1
        out: set[tuple[str, str, int, str]] = set()
        for subject, count in counted.items():
            for step in rule.steps:
                if count >= step.min and (step.max is None or count <= step.max):
                    out.add((rule.id, subject, count, step.sanction))
        return out


def reference_findings(store: jr.Storage, ruleset: jr.Ruleset, as_of: date
                       ) -> tuple[set[Key], set[tuple[str, str, int, str]], int]:
    """Every finding and sanction of ``ruleset`` over ``store`` as of ``as_of``, by hand; and
    how many events were read."""
    judged = Pass(store, ruleset, as_of)
    found, sanctions = judged.run()
    return found, sanctions, judged.events_read


def audit_keys(report: jr.AuditReport) -> tuple[set[Key], set[tuple[str, str, int, str]]]:
    """The same keys from an audit's report."""
    found = {(f.rule_id, f.kind, f.subject, str(f.facts.get("key", "")))
             for f in (*report.findings, *report.register)}
    sanctions = {(s.rule_id, s.subject, s.count, s.sanction) for s in report.sanctions}
    return found, sanctions
