"""The commands a gradebook executes (``book.execute(actor, command)``) and the actions they
are checked as.

Each command is a frozen attrs class; ``ACTIONS`` lists every action id a ruleset may grant,
``JOURNAL_ACTIONS`` and ``REGISTRY_ACTIONS`` split them by stream, ``SCOPES`` names the scopes a
permission may be narrowed by.
"""

from ._actions import ACTIONS, JOURNAL_ACTIONS, REGISTRY_ACTIONS, SCOPES
from ._commands import (
    ApproveNote,
    AssignPlanUploaders,
    CloseJournal,
    Command,
    CorrectMark,
    DeadlineRow,
    EnterMarks,
    FormGradeSheet,
    GiveVisa,
    HoldClass,
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
    RejectNote,
    Reopen,
    RequestLogin,
    SetDeadlineCalendar,
    SubmitNote,
)

__all__ = [
    "ACTIONS",
    "JOURNAL_ACTIONS",
    "REGISTRY_ACTIONS",
    "SCOPES",
    "ApproveNote",
    "AssignPlanUploaders",
    "CloseJournal",
    "Command",
    "CorrectMark",
    "DeadlineRow",
    "EnterMarks",
    "FormGradeSheet",
    "GiveVisa",
    "HoldClass",
    "HoldControl",
    "IssueLogin",
    "LoadCalendarPlan",
    "LoadContingent",
    "LoadCurriculum",
    "OpenJournal",
    "RecordBackup",
    "RegisterOrgUnits",
    "RegisterPeople",
    "RegisterSubstitution",
    "RejectNote",
    "Reopen",
    "RequestLogin",
    "SetDeadlineCalendar",
    "SubmitNote",
]
