"""The domain's data: the structure of a course (units, parts, controls, planned classes), the
registry (org units, people, groups, students, substitutions, the term), marks and explanatory
notes, and the multilingual texts every decision carries."""

from ._decision import LANGUAGES, Language, Messages, Names, Phrase, RulesetRef
from ._model import (
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
    Mark,
    OrgUnit,
    Person,
    PlannedClass,
    Student,
    Substitution,
    Term,
    UnitKind,
)

__all__ = [
    "LANGUAGES",
    "CalendarPlan",
    "ControlKind",
    "ControlPoint",
    "CourseKind",
    "CoursePart",
    "CourseUnit",
    "CurriculumEntry",
    "ExplanatoryNote",
    "Group",
    "JournalSpec",
    "Language",
    "Mark",
    "Messages",
    "Names",
    "OrgUnit",
    "Person",
    "Phrase",
    "PlannedClass",
    "RulesetRef",
    "Student",
    "Substitution",
    "Term",
    "UnitKind",
]
