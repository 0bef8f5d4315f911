"""A ruleset's policy sections as data (permissions, lifecycle, visas, marks, reasons, named
parameters) and the guards that check a command against them before it is recorded."""

from ._guard import Guard, GuardContext, PolicyGuard, mark_is_valid
from ._policy import (
    Grant,
    Lifecycle,
    MarkOnce,
    MarkRules,
    Permission,
    Policy,
    ReasonRule,
    Transition,
    VisaRequirement,
    Visas,
)
from ._rules._guard import RulesGuard
from ._ruleset import DEFAULT_RULESET, Parameter, RulesetMeta

__all__ = [
    "DEFAULT_RULESET",
    "Grant",
    "Guard",
    "GuardContext",
    "Lifecycle",
    "MarkOnce",
    "MarkRules",
    "Parameter",
    "Permission",
    "Policy",
    "PolicyGuard",
    "ReasonRule",
    "RulesGuard",
    "RulesetMeta",
    "Transition",
    "VisaRequirement",
    "Visas",
    "mark_is_valid",
]
