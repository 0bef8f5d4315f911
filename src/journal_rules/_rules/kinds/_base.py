"""What every rule kind is: :class:`RuleBase`, the interface the audit and the rules guard call.

See the package docstring (:mod:`journal_rules._rules.kinds`) for the interface as a whole; this
module holds the base class, the load-time context, the condition builders and the load checks
shared by several kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs

from journal_rules._actions import COMMAND_SCOPES
from journal_rules._decision import Messages, Names, Phrase, RulesetRef
from journal_rules._errors import Problem, suggest
from journal_rules._guard import GuardContext
from journal_rules._policy import Policy
from journal_rules._report import Finding, Sanction
from journal_rules._rules._facts import Fact, JournalView, World
from journal_rules._rules.conditions._single import condition_text, when_conditions

if TYPE_CHECKING:  # the engine is only named in a signature: kinds never run it themselves
    from journal_rules._rules._engine import CompiledRules

Outcome = Literal["violation", "pending", "register"]
SEVERITIES = frozenset({"info", "warning", "error"})
CONTROL_KINDS = frozenset({"current", "milestone", "intermediate", "final"})

#: Bounds on a rule's numbers: a deadline of ten years, a count of a hundred thousand; beyond them
#: a value is a typo or an attack (``days: 1e18`` would make the day counting run for ever).
MAX_DAYS = 3660
MAX_COUNT = 100_000

#: What every refusal by the guard carries besides the rule's own facts (see GuardContext.facts).
GUARD_FIELDS = frozenset({"actor", "action", "on", "at", "actor_roles", "journal", "control",
                          "state", "rule"})


@attrs.frozen
class Responsible:
    """Who answers for a rule: holders of ``role`` narrowed by ``scope`` (as in permissions)."""

    role: str
    scope: str = "any"


@attrs.frozen
class RuleContext:
    """What a rule's load-time checks may consult: the ruleset's roles, scopes and rule ids."""

    roles: frozenset[str]
    scopes: frozenset[str]
    rule_ids: frozenset[str]
    actions: frozenset[str]


@attrs.frozen
class GuardAsk:
    """What a kind judging a command at guard time sees: the guard's context, the policy, and,
    when the command acts on a control of a journal, that journal's log as facts see it
    (``view``) in a world of the registry as it stands now (``world``); ``today`` is the local
    day of the command."""

    context: GuardContext
    policy: Policy
    today: date
    view: JournalView | None = None
    world: World | None = None


@attrs.frozen
class Verdicts:
    """What a kind that judges the audit's findings (a ladder) may use: the ruleset's compiled
    conditions and what its sanctions carry (the ruleset's reference and names)."""

    engine: CompiledRules
    ref: RulesetRef
    names: Names


def eq(field: str, value: Any) -> dict[str, Any]:
    """Condition: ``field`` equals ``value``."""
    return {field: value}


def op(operator: str, field: str, value: int) -> dict[str, Any]:
    """Condition: ``field`` compared (``$gt``, ``$gte``, ``$lt``, ``$lte``) with ``value``."""
    return {operator: {field: value}}


def all_of(*conds: dict[str, Any]) -> dict[str, Any]:
    return {"$and": list(conds)}


def any_of(*conds: dict[str, Any]) -> dict[str, Any]:
    return {"$or": list(conds)}


@attrs.frozen(kw_only=True)
class RuleBase:
    """What every rule has: id, SOP clauses, who answers, severity, and messages in ru/kk/en.

    ``messages`` explain a violation; ``pending`` (where the kind has obligations still due)
    explains an obligation that is not yet broken. A kind subclasses this with its own fields
    (its schema) and overrides the hooks below that it needs; the defaults do nothing.
    """

    kind_name: ClassVar[str] = ""
    #: The facts this kind's findings (and refusals) carry: the only ``{fields}`` its messages
    #: may name (checked at load). A kind that shows a new fact adds its name here; ``None``
    #: (a kind that declares nothing) checks only the placeholders' form.
    message_fields: ClassVar[frozenset[str] | None] = None

    id: str
    clauses: tuple[str, ...]
    responsible: tuple[Responsible, ...] = ()
    severity: str = "warning"
    description: str = ""
    messages: Messages
    pending: Messages | None = None
    # How the messages word a fact: a date that never came reads «не закрыт», not «закрыт —».
    phrases: Mapping[str, Phrase] = attrs.field(factory=dict)
    # The ruleset's own decision for some outcomes, in the condition language over the fields
    # the kind's conditions test (``elapsed > 4``): replaces the kind's condition for them.
    when: Mapping[str, str] = attrs.field(factory=dict)

    # --- load --------------------------------------------------------------------------------

    def problems(self, context: RuleContext) -> list[Problem]:
        """The kind's own load checks (``path`` relative to the rule; the loader adds the file
        and line)."""
        return []

    def fields(self) -> frozenset[str] | None:
        """The facts this rule's findings carry (its kind's ``message_fields``, or more where
        its settings add facts)."""
        return type(self).message_fields

    def parameters(self) -> dict[str, Any]:
        """The rule's own settings, as shown by ``rules explain``."""
        skip = {"id", "clauses", "responsible", "severity", "description", "messages", "pending",
                "kind", "phrases", "when"}
        return {a.name: getattr(self, a.name) for a in attrs.fields(type(self))
                if a.name not in skip}

    # --- conditions --------------------------------------------------------------------------

    def conditions(self) -> dict[str, dict[str, Any]]:
        """The engine conditions by outcome (``violation``, ``pending``, ``register``, or a
        ladder's ``stepN``) over this rule's facts (each fact carries ``rule``: this id)."""
        raise NotImplementedError

    def decisions(self) -> dict[str, dict[str, Any]]:
        """What the engine compiles for this rule: ``conditions()``, each outcome the ruleset's
        ``when`` names replaced by its text compiled (checked at load by ``rule_problems``)."""
        if not self.when:
            return self.conditions()
        found = when_conditions(self.id, self.conditions(), self.when)
        if isinstance(found, list):  # pragma: no cover - the loader refuses such a rule
            raise ValueError("; ".join(p.message for p in found))
        return {outcome: dict(cond) for outcome, cond in found.items()}

    def decision_texts(self) -> dict[str, str]:
        """The engine's condition of each outcome, as the condition language writes it."""
        return {outcome: condition_text(cond) for outcome, cond in self.decisions().items()}

    # --- audit -------------------------------------------------------------------------------

    def journal_facts(self, view: JournalView, world: World, policy: Policy) -> list[Fact]:
        """The facts of one journal (posted in that journal's engine session)."""
        return []

    def registry_facts(self, world: World) -> list[Fact]:
        """The facts over the registry and the whole world (posted in a session of their own)."""
        return []

    def sanctions(self, verdicts: Verdicts, world: World,
                  findings: Sequence[Finding]) -> list[Sanction]:
        """Sanctions drawn from the audit's findings (after every rule's findings are known)."""
        return []

    # --- guard -------------------------------------------------------------------------------

    def at_guard(self) -> bool:
        """Whether the guard asks this rule before a change (otherwise: audit only)."""
        return False

    def asks(self, action: str) -> bool:
        """Whether this rule has something to say at guard time about ``action``."""
        return False

    def guard_facts(self, ask: GuardAsk) -> list[Fact]:
        """The facts as they would stand with the command done (asked only where ``asks``)."""
        return []

    def refusal_messages(self) -> Messages:
        """What a refusal by this rule says (a kind may word the present tense apart)."""
        return self.messages

    def supersedes(self, policy: Policy) -> tuple[str, ...]:
        """Ids of the policy's refusals that this rule's refusal says all of already."""
        return ()


def choice(value: str, valid: frozenset[str] | set[str], what: str, path: str) -> list[Problem]:
    """A name that must be one of ``valid``: the problem, with the nearest valid name."""
    if value in valid:
        return []
    return [Problem(f"unknown {what} {value!r}; one of: {', '.join(sorted(valid))}", path=path,
                    suggestion=suggest(value, set(valid)))]


def never(event: str, valid: Set[str], what: str) -> list[Problem]:
    """A rule over an event no command records could never fire: say so, with the nearest."""
    if event in valid:
        return []
    return [Problem(f"event {event!r} is no {what}: this rule could never fire; one of: "
                    f"{', '.join(sorted(valid))}", path="event", suggestion=suggest(event, valid))]


def controls(kinds: tuple[str, ...]) -> list[Problem]:
    """Control kinds (``control_kinds``) that must be known."""
    out: list[Problem] = []
    for i, k in enumerate(kinds):
        out += choice(k, CONTROL_KINDS, "control kind", f"control_kinds[{i}]")
    return out


def rule_problems(rule: RuleBase, context: RuleContext) -> list[Problem]:
    """Load-time checks common to every rule, then the kind's own."""
    out: list[Problem] = []
    if rule.severity not in SEVERITIES:
        out.append(Problem(f"unknown severity {rule.severity!r}", path="severity",
                           suggestion=suggest(rule.severity, SEVERITIES)))
    if not rule.clauses:
        out.append(Problem("a rule names at least one SOP clause", path="clauses"))
    for i, r in enumerate(rule.responsible):
        if r.role not in context.roles:
            out.append(Problem(f"unknown role {r.role!r}", path=f"responsible[{i}].role",
                               suggestion=suggest(r.role, context.roles)))
        if r.scope not in context.scopes:
            out.append(Problem(f"unknown scope {r.scope!r}", path=f"responsible[{i}].scope",
                               suggestion=suggest(r.scope, context.scopes)))
        elif r.scope in COMMAND_SCOPES:
            usable = context.scopes - COMMAND_SCOPES
            out.append(Problem(f"scope {r.scope!r} looks at a command, not at a finding: it "
                               "would name nobody responsible", path=f"responsible[{i}].scope",
                               suggestion=suggest(r.scope, usable) or "journal_department"))
    if rule.when:
        found = when_conditions(rule.id, rule.conditions(), rule.when)
        if isinstance(found, list):
            out += found
    return out + rule.problems(context)
