"""journal-rules: a university's electronic-journal SOP, executable.

The root holds what most programs need: the gradebook, the audit and its report, rulesets,
stores, the projections, clocks and the errors. The rest lives in public modules named for what
they hold: :mod:`journal_rules.commands`, :mod:`~journal_rules.model`,
:mod:`~journal_rules.policy`, :mod:`~journal_rules.events`, :mod:`~journal_rules.storage`,
:mod:`~journal_rules.grading`, :mod:`~journal_rules.importing`, :mod:`~journal_rules.rules` and
:mod:`~journal_rules.testing`. Underscored modules are private and may change.

Names are loaded on first use (PEP 562), so ``import journal_rules`` is cheap; the names moved
out of the root in 0.x keep working here for one release with a ``DeprecationWarning``.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from . import commands as commands
    from . import events as events
    from . import grading as grading
    from . import importing as importing
    from . import model as model
    from . import policy as policy
    from . import rules as rules
    from . import storage as storage
    from . import testing as testing
    from ._anchor import verify_store
    from ._backup import backup_store, restore_store
    from ._clock import Clock, ManualClock, SystemClock
    from ._decision import Decision, Refusal
    from ._directory import Directory
    from ._errors import (
        ClockWentBack,
        CommandRefused,
        InvalidInput,
        JournalRulesError,
        Problem,
        StoreBusy,
        StoreError,
        TamperDetected,
        UnknownEntity,
        VersionConflict,
    )
    from ._gradebook import Gradebook
    from ._journal import ControlState, JournalState
    from ._report import AuditReport, Finding, Sanction
    from ._rules._audit import audit
    from ._rules._engine import RulesEngineError
    from ._ruleset import Ruleset, bundled_rulesets, default_ruleset, load_ruleset, loads_ruleset
    from ._storage import MemoryStore, Storage
    from ._stores import open_store

# Each root name and the private module that defines it (imported when the name is first used).
_HOMES = {
    "AuditReport": "_report", "Finding": "_report", "Sanction": "_report",
    "Decision": "_decision", "Refusal": "_decision",
    "Gradebook": "_gradebook", "audit": "_rules._audit",
    "Ruleset": "_ruleset", "bundled_rulesets": "_ruleset", "default_ruleset": "_ruleset",
    "load_ruleset": "_ruleset", "loads_ruleset": "_ruleset",
    "Storage": "_storage", "MemoryStore": "_storage", "open_store": "_stores",
    "verify_store": "_anchor", "backup_store": "_backup", "restore_store": "_backup",
    "ControlState": "_journal", "JournalState": "_journal", "Directory": "_directory",
    "Clock": "_clock", "ManualClock": "_clock", "SystemClock": "_clock",
    "ClockWentBack": "_errors", "CommandRefused": "_errors", "InvalidInput": "_errors",
    "JournalRulesError": "_errors", "Problem": "_errors", "StoreBusy": "_errors",
    "StoreError": "_errors", "TamperDetected": "_errors", "UnknownEntity": "_errors",
    "VersionConflict": "_errors", "RulesEngineError": "_rules._engine",
}

_SUBMODULES = frozenset({"commands", "events", "grading", "importing", "model", "policy",
                         "rules", "storage", "testing"})

# Names that left the root, and their new home (module, name there): one release of grace.
_MOVED: dict[str, tuple[str, str]] = {
    **{name: ("commands", name) for name in (
        "ACTIONS", "JOURNAL_ACTIONS", "REGISTRY_ACTIONS", "SCOPES", "ApproveNote",
        "AssignPlanUploaders", "CloseJournal", "Command", "CorrectMark", "DeadlineRow",
        "EnterMarks", "FormGradeSheet", "GiveVisa", "HoldClass", "HoldControl", "IssueLogin",
        "LoadCalendarPlan", "LoadContingent", "LoadCurriculum", "OpenJournal", "RecordBackup",
        "RegisterOrgUnits", "RegisterPeople", "RegisterSubstitution", "RejectNote", "Reopen",
        "RequestLogin", "SetDeadlineCalendar", "SubmitNote")},
    **{name: ("model", name) for name in (
        "LANGUAGES", "Language", "Messages", "Names", "Phrase", "RulesetRef", "CalendarPlan",
        "ControlKind", "ControlPoint", "CourseKind", "CoursePart", "CourseUnit",
        "CurriculumEntry", "ExplanatoryNote", "Group", "JournalSpec", "Mark", "OrgUnit",
        "Person", "PlannedClass", "Student", "Substitution", "Term", "UnitKind")},
    **{name: ("policy", name) for name in (
        "DEFAULT_RULESET", "Grant", "Guard", "GuardContext", "Lifecycle", "MarkOnce",
        "MarkRules", "Parameter", "Permission", "Policy", "PolicyGuard", "ReasonRule",
        "RulesGuard", "RulesetMeta", "Transition", "VisaRequirement", "Visas", "mark_is_valid")},
    **{name: ("events", name) for name in (
        "EVENT_TYPES", "EventLog", "Stream", "journal_stream", "payload_of", "replay_journal")},
    **{name: ("storage", name) for name in (
        "CHECKPOINT_STREAM", "DEFAULT_STORE_URL", "GENESIS_HASH", "SIGNING_KEY_ENV",
        "SIGNING_KEY_FILE_ENV", "VERIFY_KEY_ENV", "BackupInfo", "Batch", "BufferedStore",
        "Checkpoint", "NewEvent", "SigningKey", "StoreCheck", "StoredEvent", "StreamInfo",
        "append_all", "check_batch", "check_batches", "check_heads", "check_store",
        "ensure_sound", "generate_signing_key", "latest_checkpoint", "load_checkpoint",
        "load_signing_key", "make_checkpoint", "register_store", "sort_key", "store_schemes",
        "trusted_keys", "verify_backup")},
    **{name: ("grading", name) for name in (
        "SHEET_KINDS", "TIE_BREAKS", "Band", "BlockRating", "FinalResult", "FinalRule",
        "FinalWeights", "Grade", "GradeSheet", "Grader", "Grading", "IntegratedRule",
        "ModuleRule", "PartResult", "PointRange", "RatingFormula", "RatingPeriod", "Rounding",
        "SheetPart", "SheetRow", "SheetSignature", "Shortfall", "compute_grade_sheet",
        "finishing_department", "finishing_part", "form_grade_sheet", "integrated_discipline",
        "module_grade", "recorded_grade_sheets", "sheet_control")},
    **{name: ("importing", name) for name in (
        "IMPORT_KINDS", "IMPORT_SHEET", "ImportKind", "import_file", "plan_import",
        "read_table", "write_templates")},
    "ImportColumn": ("importing", "Column"),
    **{name: ("rules", name) for name in (
        "RULE_KINDS", "CalendarSpec", "CaseResult", "ClauseCoverage", "ruleset_coverage",
        "ruleset_json_schema", "ruleset_test_summary", "run_ruleset_tests")},
    **{name: ("testing", name) for name in (
        "build_faculty", "complete_term", "demo_clock", "demo_gradebook", "run_term",
        "GenerationReport", "GeneratorSettings", "generate_university")},
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"{__name__}.{name}")
    elif name in _MOVED:
        module, new_name = _MOVED[name]
        warnings.warn(f"journal_rules.{name} is deprecated and leaves the root in the next "
                      f"release: use journal_rules.{module}.{new_name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(f"{__name__}.{module}"), new_name)
    elif name == "converter":
        warnings.warn("journal_rules.converter is deprecated and becomes private in the next "
                      "release: build your own cattrs converter (cattrs advises owning one)",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(f"{__name__}._convert").converter
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later uses are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})


__all__ = [
    "AuditReport",
    "Clock",
    "ClockWentBack",
    "CommandRefused",
    "ControlState",
    "Decision",
    "Directory",
    "Finding",
    "Gradebook",
    "InvalidInput",
    "JournalRulesError",
    "JournalState",
    "ManualClock",
    "MemoryStore",
    "Problem",
    "Refusal",
    "RulesEngineError",
    "Ruleset",
    "Sanction",
    "Storage",
    "StoreBusy",
    "StoreError",
    "SystemClock",
    "TamperDetected",
    "UnknownEntity",
    "VersionConflict",
    "__version__",
    "audit",
    "backup_store",
    "bundled_rulesets",
    "default_ruleset",
    "load_ruleset",
    "loads_ruleset",
    "open_store",
    "restore_store",
    "verify_store",
]
