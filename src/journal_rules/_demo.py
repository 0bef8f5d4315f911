"""A small faculty and one term of its life: the demo the README runs and tests build on.

One school, three departments, two groups; a discipline (Д), an integrated discipline (ИД) with two
blocks and a module (М) with three modular disciplines; marks, closings, and one reopening with
its explanatory note and visas. Only public commands are used, so it doubles as an example of
embedding the library.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs

from ._clock import ManualClock
from ._commands import (
    ApproveNote,
    CloseJournal,
    CorrectMark,
    EnterMarks,
    FormGradeSheet,
    GiveVisa,
    HoldControl,
    LoadContingent,
    LoadCurriculum,
    OpenJournal,
    RegisterOrgUnits,
    RegisterPeople,
    RegisterSubstitution,
    Reopen,
    SubmitNote,
)
from ._gradebook import Gradebook
from ._model import (
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
    Student,
    Substitution,
    Term,
    UnitKind,
)
from ._ruleset import Ruleset, default_ruleset
from ._storage import Storage

TERM_START = date(2025, 9, 1)


def demo_clock() -> ManualClock:
    return ManualClock(datetime(2025, 8, 20, 9, 0, tzinfo=UTC))


def _controls(starts: date, weeks: int) -> tuple[ControlPoint, ...]:
    """Current and milestone control for each half, then the exam."""
    half = weeks * 7 // 2
    mid = starts + timedelta(days=half - 1)
    end = starts + timedelta(days=weeks * 7 - 1)
    return (
        ControlPoint("current-1", ControlKind.CURRENT, starts, mid),
        ControlPoint("milestone-1", ControlKind.MILESTONE, mid, mid),
        ControlPoint("current-2", ControlKind.CURRENT, mid + timedelta(days=1), end),
        ControlPoint("milestone-2", ControlKind.MILESTONE, end, end),
        ControlPoint("exam", ControlKind.INTERMEDIATE, end + timedelta(days=3),
                     end + timedelta(days=3)),
    )


def build_faculty(book: Gradebook, clock: ManualClock) -> None:
    """Register the faculty's structure, people, contingent, curriculum and journals."""
    book.execute("it-admin", RegisterPeople([
        Person("it-admin", "Каленова Б.С.", {"it_department"}, "it"),
    ]))
    book.execute("it-admin", RegisterOrgUnits([
        OrgUnit("som", "Школа общей медицины", UnitKind.SCHOOL),
        OrgUnit("dep-anat", "Кафедра анатомии", UnitKind.DEPARTMENT, "som"),
        OrgUnit("dep-phys", "Кафедра физиологии", UnitKind.DEPARTMENT, "som"),
        OrgUnit("dep-bio", "Кафедра биохимии", UnitKind.DEPARTMENT, "som"),
        OrgUnit("or", "Офис регистратора", UnitKind.OFFICE),
        OrgUnit("it", "Департамент информационных технологий", UnitKind.OFFICE),
        OrgUnit("oumr", "Отдел учебно-методической работы", UnitKind.OFFICE),
    ]))
    book.execute("it-admin", RegisterPeople([
        Person("vr", "Байльдинова К.Ж.", {"vice_rector"}),
        Person("or-head", "Руководитель ОР", {"registrar_head"}, "or"),
        Person("or-senior", "Старший инспектор ОР", {"registrar_senior_inspector"}, "or"),
        Person("or-insp", "Инспектор ОР", {"registrar_inspector"}, "or"),
        Person("dean", "Декан ШОМ", {"school_dean"}, "som"),
        Person("curator", "Декан по курации", {"curation_dean"}, "som"),
        Person("head-anat", "Зав. кафедрой анатомии", {"department_head"}, "dep-anat"),
        Person("head-phys", "Зав. кафедрой физиологии", {"department_head"}, "dep-phys"),
        Person("head-bio", "Зав. кафедрой биохимии", {"department_head"}, "dep-bio"),
        Person("t-anat", "Ахметова А.А.", {"teacher"}, "dep-anat"),
        Person("t-anat2", "Жумабеков Е.Т.", {"teacher"}, "dep-anat"),
        Person("t-phys", "Сейткали Д.М.", {"teacher"}, "dep-phys"),
        Person("t-bio", "Оспанова Г.К.", {"teacher"}, "dep-bio"),
        Person("methodist", "Методист ОУМР", {"methodist"}, "oumr"),
    ]))
    book.execute("or-insp", LoadContingent(
        [Group("101", "Общая медицина", 1, "som", "ru", "curator"),
         Group("102", "Общая медицина", 1, "som", "kk", "curator")],
        [Student(f"s{g}{i:02d}", f"Студент {g}-{i:02d}", g) for g in ("101", "102")
         for i in range(1, 6)],
        order="Приказ о формировании групп № 1-к", academic_year="2025-2026"))
    weeks = 15
    end = TERM_START + timedelta(days=weeks * 7 - 1)
    third = timedelta(days=35)
    units = [
        CourseUnit("anat", "Анатомия", CourseKind.DISCIPLINE, "dep-anat", 5, TERM_START, end),
        CourseUnit("nerv", "Нервная система", CourseKind.INTEGRATED, "dep-anat", 6, TERM_START,
                   end, parts=[
                       CoursePart("nerv-anat", "Анатомия нервной системы", "dep-anat", 3,
                                  TERM_START, TERM_START + timedelta(days=52)),
                       CoursePart("nerv-phys", "Физиология нервной системы", "dep-phys", 3,
                                  TERM_START + timedelta(days=53), end)]),
        CourseUnit("cell", "Клетка и ткани", CourseKind.MODULE, "dep-bio", 6, TERM_START, end,
                   parts=[
                       CoursePart("cell-bio", "Биохимия клетки", "dep-bio", 2, TERM_START,
                                  TERM_START + third),
                       CoursePart("cell-phys", "Физиология клетки", "dep-phys", 2,
                                  TERM_START + third, TERM_START + 2 * third),
                       CoursePart("cell-anat", "Гистология", "dep-anat", 2,
                                  TERM_START + 2 * third, end)]),
    ]
    # The teaching and assessment methods of each unit are updated with the load (P4).
    units = [attrs.evolve(u, teaching_methods=("CBL", "TBL"),
                          assessment_methods=("тестирование", "ОСКЭ")) for u in units]
    term = Term("2025-1", "2025-2026", 1, TERM_START, end + timedelta(days=14))
    book.execute("methodist", LoadCurriculum(
        [term], units, [CurriculumEntry(g, u.id, term.id) for g in ("101", "102") for u in units]))
    teacher_of = {"dep-anat": "t-anat", "dep-phys": "t-phys", "dep-bio": "t-bio"}
    for group in ("101", "102"):
        for unit in units:
            targets: list[tuple[str, str | None, str, date, date]] = [
                (unit.id, None, unit.department, unit.starts, unit.ends)]
            targets += [(f"{unit.id}/{p.id}", p.id, p.department, p.starts, p.ends)
                        for p in unit.parts]
            for key, part, department, starts, ends in targets:
                weeks_long = max(1, ((ends - starts).days + 1) // 7)
                book.execute("or-insp", OpenJournal(JournalSpec(
                    f"{key}/{group}/{term.id}", unit.id, group, term.id,
                    [teacher_of[department]], _controls(starts, weeks_long), part=part,
                    department=department)))


def run_term(book: Gradebook, clock: ManualClock) -> None:
    """Marks through the first half of the term, closings, a substitution and one reopening."""
    journal = "anat/101/2025-1"
    state = book.journal(journal)
    students = [s.id for s in book.directory.students_of("101")]
    current = state.controls["current-1"].point
    day = current.starts
    n = 0
    while day <= current.ends:
        if day.weekday() < 5:
            clock.set(datetime.combine(day, datetime.min.time(), UTC)
                      + timedelta(hours=16))
            marks = {s: ("н/б" if (n + i) % 11 == 0 else "О" if (n + i) % 13 == 0
                         else str(60 + (n * 7 + i * 5) % 41)) for i, s in enumerate(students)}
            book.execute("t-anat", EnterMarks(journal, day, marks))
            n += 1
        day += timedelta(days=1)
    # The department replaces the teacher for a week of the second half (T13).
    clock.advance(hours=1)
    mid = current.ends + timedelta(days=1)
    book.execute("head-anat", RegisterSubstitution(Substitution(
        journal, "t-anat2", "t-anat", mid, mid + timedelta(days=6), minutes_number="7",
        minutes_date=current.ends, memo_number="СЗ-12", memo_date=current.ends)))
    # The milestone control is held and closed on its day, the evening after the last class
    # (time only moves forward in a journal).
    milestone = state.controls["milestone-1"].point
    clock.set(datetime.combine(milestone.ends, datetime.min.time(), UTC)
              + timedelta(hours=18))
    book.execute("t-anat", HoldControl(journal, "milestone-1", milestone.ends))
    book.execute("t-anat", EnterMarks(journal, milestone.ends,
                                      {s: str(70 + i * 4) for i, s in enumerate(students)},
                                      control="milestone-1"))
    book.execute("t-anat", CloseJournal(journal, "milestone-1"))
    # Close current control within the deadline (T11).
    closed_at = datetime.combine(current.ends + timedelta(days=1), datetime.min.time(),
                                 UTC) + timedelta(hours=10)
    clock.set(closed_at)
    book.execute("t-anat", CloseJournal(journal, "current-1"))
    book.execute("t-anat", FormGradeSheet(journal, "current-1"))
    # A wrong mark found after closing: the reopening procedure (T14, R1-R4).
    clock.set(closed_at + timedelta(days=1))
    wrong_day = current.starts + timedelta(days=2)
    book.execute("t-anat", SubmitNote(journal, "current-1", ExplanatoryNote(
        error_date=wrong_day, cause="техническая ошибка при вводе", class_types=["практика"],
        wrong_entry_date=wrong_day, reason="оценка выставлена не тому студенту")))
    clock.advance(hours=3)
    book.execute("head-anat", GiveVisa(journal, "current-1", "department_head"))
    book.execute("curator", GiveVisa(journal, "current-1", "curation_dean"))
    book.execute("dean", GiveVisa(journal, "current-1", "school_dean"))
    clock.advance(days=1)
    book.execute("or-senior", ApproveNote(journal, "current-1"))
    book.execute("or-head", Reopen(journal, "current-1"))
    clock.advance(hours=5)
    book.execute("t-anat", CorrectMark(journal, students[0], wrong_day, "85",
                                       reason="исправление по объяснительной"))
    book.execute("t-anat", CloseJournal(journal, "current-1"))
    book.execute("t-anat", FormGradeSheet(journal, "current-1", kind="individual",
                                          sheet={"student": students[0]}))


def demo_gradebook(store: Storage, ruleset: Ruleset | None = None) -> Gradebook:
    """A gradebook over ``store`` with the demo faculty and its term recorded (if not yet)."""
    ruleset = ruleset or default_ruleset()
    clock = demo_clock()
    book = Gradebook.for_ruleset(store, ruleset, clock=clock)
    if not book.journals():
        build_faculty(book, clock)
        run_term(book, clock)
    return book
