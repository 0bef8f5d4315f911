"""The only module that touches durable_rules: compiles rule conditions into one host per ruleset
and evaluates facts in small sessions.

The measured defects of durable_rules 2.0.28 and how each is contained here:

- A fact that matches no rule raises ``MessageNotHandledException`` and is not stored. Facts are
  asserted one at a time, so "not handled" is the engine's deliberate answer "no condition
  holds for this fact" (``_assert`` returns False for it instead of building that exception,
  whose constructor serialises the fact again; counted in ``stats["unmatched"]``); a fact that
  is handled fires at least one condition inside the same call (the host runs actions
  synchronously). Every fact is accounted for: one that neither was refused nor fired is an
  error. (A catch-all rule firing for every fact would prove the same at twice the cost: every
  action is a round trip through Python and JSON.) Measured here as well: a session that
  received only unmatched facts is a half-made state: deleting it aborts the process
  (``free(): invalid pointer``) and not deleting it leaks until ``MemoryError`` (about 200,000
  sessions). So every session is opened with an anchor fact that a rule of its own always
  handles (``_session``), and only then receives facts.
- An identical fact asserted twice raises ``MessageObservedException``, and fact identity is a
  32-bit hash that collides in big sessions: every fact carries an explicit unique id, sessions
  hold at most ``SESSION_LIMIT`` facts (callers use one per journal or person), facts are asserted
  one at a time, and a fact refused as "observed" (a collision, since ids are unique) is evaluated
  again alone in a fresh session. ``stats`` counts such retries.
- A condition with ``$or`` fires once for every alternative that holds (a reopening without the
  note, the visas and the review fired the approval rule three times): ``evaluate`` keeps one
  firing per fact, rule and outcome.
- A ``Host`` is not thread-safe: one lock per host serialises every call.
- Exceptions in actions are swallowed into the session state: actions only record what fired, and
  the state is checked for an ``exception`` after every session.
- Its timers and its background dispatch threads run on the wall clock: the host subclass starts
  neither; every action runs synchronously inside our own call. Deadlines are computed on event
  time against an explicit ``as_of`` elsewhere.
- A rule over session state (``$s``) whose action does not falsify it fires forever: every
  condition also requires our fact marker ``t``, which the session state never has.
- Malformed rules (``$gt`` against a string) are accepted silently: conditions are validated
  against a small grammar before compiling.
- A registered ruleset cannot be changed: one host per ruleset content hash.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import attrs
import orjson

from journal_rules._errors import JournalRulesError

FACT_MARK = "journal-rules-fact"
SESSION_MARK = "journal-rules-session"
SESSION_LIMIT = 2000
_COMPARE = frozenset({"$gt", "$gte", "$lt", "$lte"})
_NAMES = itertools.count(1)
_SESSIONS = itertools.count(1)


class RulesEngineError(JournalRulesError):
    """The rules engine failed: a rule that cannot be compiled, or a failure inside an evaluation
    (an action's exception, a fact the engine did not see)."""


@attrs.frozen
class Firing:
    """One rule condition that held for one fact: ``name`` is ``<rule id>#<outcome>``."""

    rule_id: str
    outcome: str
    fact_id: str


@functools.cache
def _durable_rules() -> tuple[Any, Any, type[Any]]:
    """durable_rules' Python module, its native module and the quiet host class, loaded on the
    first compilation (the first audit or rules guard), so ``import journal_rules`` stays cheap."""
    import durable.engine as durable  # type: ignore[import-untyped]  # noqa: PLC0415
    import durable_rules_engine as native  # type: ignore[import-not-found]  # noqa: PLC0415

    class QuietHost(durable.Host):  # type: ignore[misc]
        """A host that starts no background dispatch or timer threads (wall-clock driven)."""

        def _run(self) -> None:
            return None

    return durable, native, QuietHost


def validate_condition(condition: Any, path: str = "") -> list[str]:
    """What is wrong with a condition under our grammar: ``{"$and"|"$or": [conds]}``,
    ``{"$gt"|"$gte"|"$lt"|"$lte": {field: number}}`` or ``{field: text|number}``."""
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return [f"{path or 'condition'}: a condition is a mapping with one key"]
    (key, value), = condition.items()
    where = f"{path}.{key}" if path else str(key)
    if key in ("$and", "$or"):
        if not isinstance(value, list) or not value:
            return [f"{where}: needs a non-empty list"]
        out: list[str] = []
        for i, sub in enumerate(value):
            out += validate_condition(sub, f"{where}[{i}]")
        return out
    if key in _COMPARE:
        if not isinstance(value, Mapping) or len(value) != 1:
            return [f"{where}: compares one field"]
        (field, operand), = value.items()
        if not _is_field(field):
            return [f"{where}: bad field name {field!r}"]
        if isinstance(operand, bool) or not isinstance(operand, int | float):
            return [f"{where}.{field}: compares with a number, not {operand!r}"]
        return []
    if isinstance(key, str) and key.startswith("$"):
        return [f"{where}: unknown operator {key!r}"]
    if not _is_field(key):
        return [f"{where}: bad field name {key!r}"]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return [f"{where}: equals text or a number, not {value!r}"]
    return []


def _is_field(name: Any) -> bool:
    return isinstance(name, str) and name.replace("_", "").isalnum() and name not in ("t", "sid")


class _Sessions:
    """What both hosts share: registering the definitions, opening an anchored session,
    asserting one fact through the native call, checking a session's state for an action's
    exception."""

    name: str
    stats: dict[str, int]
    _host: Any
    _rules: Any
    _opened: set[str]
    _durable: Any
    _native: Any

    def _register(self, definitions: dict[str, Any]) -> None:
        self._durable, self._native, quiet_host = _durable_rules()
        self._host = quiet_host()
        try:
            self._host.register_rulesets({self.name: definitions})
        except Exception as exc:  # durable_rules raises bare Exceptions on bad definitions
            raise RulesEngineError(f"durable_rules refused the ruleset: {exc}") from exc
        self._rules = self._host.get_ruleset(self.name)

    def _open(self) -> str:
        """A new session, made a whole state by its anchor fact before any fact is posted."""
        self.stats["sessions"] += 1
        sid = f"s{next(_SESSIONS)}"
        try:
            self._host.assert_fact(self.name, {"id": f"{sid}-session", "t": SESSION_MARK,
                                               "sid": sid})
        except Exception as exc:  # durable_rules raises bare Exceptions
            raise RulesEngineError(f"cannot open an engine session: {exc}") from exc
        if sid not in self._opened:
            try:
                self._check(sid)
                raise RulesEngineError("the engine did not open its session")
            finally:
                self._host.delete_state(self.name, sid)
        self._opened.discard(sid)
        return sid

    def _assert(self, message: dict[str, Any]) -> bool:
        """``Host.assert_fact``, the same native call and the same action loop, answering False
        where it would raise ``MessageNotHandledException`` (no condition holds): that
        exception's constructor serialises the whole fact again, for a text nobody reads, and
        most facts take that path."""
        rules = self._rules
        result = self._native.assert_fact(rules._handle, orjson.dumps(message).decode())
        code = result[0]
        if code == 1:
            return False
        if code == 2:
            raise self._durable.MessageObservedException(message)
        errors: list[BaseException] = []

        def done(error: BaseException | None, _state: Any) -> None:
            if error:
                errors.append(error)

        rules.do_actions(0 if code == 3 else result[1], done)
        if errors:
            raise errors[0]
        return True

    def _check(self, sid: str) -> None:
        state = self._host.get_state(self.name, sid)
        if isinstance(state, Mapping) and "exception" in state:
            raise RulesEngineError(f"a rule action failed: {str(state['exception'])[:300]}")


class CompiledRules(_Sessions):
    """A set of named conditions registered in one isolated durable_rules host.

    ``conditions`` maps ``(rule id, outcome)`` to a condition over one fact. Evaluate facts (plain
    dicts with a unique ``id`` and a ``rule``) with :meth:`evaluate`; it is safe from any thread.
    ``action_hook`` (for tests) runs inside every action the engine runs, with the rule id
    (``_session`` for a session's anchor) and the fact id.
    """

    def __init__(self, conditions: Mapping[tuple[str, str], Mapping[str, Any]], *,
                 action_hook: Callable[[str, str], None] | None = None) -> None:
        problems = [p for (rule_id, outcome), cond in conditions.items()
                    for p in validate_condition(cond, f"{rule_id}#{outcome}")]
        if problems:
            raise RulesEngineError("cannot compile: " + "; ".join(problems))
        self.name = f"journal_rules_{next(_NAMES)}"
        self._lock = threading.Lock()
        self._fired: list[Firing] = []
        self._hook = action_hook
        self.stats = {"sessions": 0, "facts": 0, "firings": 0, "collisions": 0,
                      "unmatched": 0}
        self._opened: set[str] = set()
        definitions: dict[str, Any] = {
            "_session": {"all": [{"m": {"t": SESSION_MARK}}], "run": self._anchored},
        }
        for n, ((rule_id, outcome), cond) in enumerate(sorted(conditions.items())):
            definitions[f"r{n}"] = {
                "all": [{"m": {"$and": [{"t": FACT_MARK}, dict(cond)]}}],
                "run": self._action(rule_id, outcome),
            }
        self._register(definitions)

    def _action(self, rule_id: str, outcome: str) -> Callable[[Any], None]:
        def record(c: Any) -> None:
            fact_id = str(c.m["id"])
            if self._hook is not None:
                self._hook(rule_id, fact_id)
            self._fired.append(Firing(rule_id, outcome, fact_id))
        return record

    def _anchored(self, c: Any) -> None:
        if self._hook is not None:
            self._hook("_session", str(c.m["id"]))
        self._opened.add(str(c.m["sid"]))

    def evaluate(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        """Every condition that holds for each fact, in the facts' order."""
        ids = [str(f["id"]) for f in facts]
        if len(set(ids)) != len(ids):
            raise RulesEngineError("fact ids must be unique within one evaluation")
        out: list[Firing] = []
        with self._lock:
            for start in range(0, len(facts), SESSION_LIMIT):
                out.extend(self._session(facts[start:start + SESSION_LIMIT]))
        order = {fid: i for i, fid in enumerate(ids)}
        out = list(dict.fromkeys(out))  # one firing per alternative of an $or: keep one
        out.sort(key=lambda f: (order[f.fact_id], f.rule_id, f.outcome))
        return out

    def _session(self, facts: Sequence[Mapping[str, Any]]) -> list[Firing]:
        self._fired = []
        unmatched: list[str] = []
        silent: list[str] = []
        sid = self._open()
        retry: list[Mapping[str, Any]] = []
        try:
            for fact in facts:
                before = len(self._fired)
                try:
                    handled = self._assert(self._message(fact, sid))
                except self._durable.MessageObservedException:
                    retry.append(fact)  # an identity collision: ids are unique by contract
                    continue
                if not handled:
                    unmatched.append(str(fact["id"]))  # no condition holds for it
                elif len(self._fired) == before:
                    silent.append(str(fact["id"]))
            self._check(sid)
        finally:
            self._host.delete_state(self.name, sid)
        for fact in retry:
            self.stats["collisions"] += 1
            lone = self._open()
            before = len(self._fired)
            try:
                handled = self._assert(self._message(fact, lone))
                self._check(lone)
                if not handled:
                    unmatched.append(str(fact["id"]))
                elif len(self._fired) == before:
                    silent.append(str(fact["id"]))
            finally:
                self._host.delete_state(self.name, lone)
        if silent:
            raise RulesEngineError(f"{len(silent)} fact(s) were taken by the engine but neither "
                                   f"fired nor were refused: {sorted(silent)[:5]}")
        self.stats["facts"] += len(facts)
        self.stats["unmatched"] += len(unmatched)
        self.stats["firings"] += len(self._fired)
        return list(self._fired)

    def _message(self, fact: Mapping[str, Any], sid: str) -> dict[str, Any]:
        return {**fact, "t": FACT_MARK, "sid": sid, "id": str(fact["id"])}


_H = TypeVar("_H")
_compiled: dict[str, CompiledRules] = {}
_compiled_lock = threading.Lock()


def compiled_for(key: str, build: Callable[[], Mapping[tuple[str, str], Mapping[str, Any]]]
                 ) -> CompiledRules:
    """The host for a ruleset content hash, compiled once (a changed ruleset is a new host)."""
    return _once(_compiled, key, lambda: CompiledRules(build()))


def _once(cache: dict[str, _H], key: str, make: Callable[[], _H]) -> _H:
    with _compiled_lock:
        found = cache.get(key)
        if found is None:
            found = cache[key] = make()
        return found


class Conditioned(Protocol):
    """What the engine compiles: a rule with an id and its conditions by outcome."""

    @property
    def id(self) -> str: ...

    def decisions(self) -> dict[str, dict[str, Any]]: ...


def engine_for(key: str, rules: Sequence[Conditioned]) -> CompiledRules:
    """The compiled host of a ruleset's rules, ``key`` its content hash (compiled once)."""
    def build() -> dict[tuple[str, str], Any]:
        return {(rule.id, outcome): cond for rule in rules
                for outcome, cond in rule.decisions().items()}
    return compiled_for(key, build)


# --- joins: condition rules ----------------------------------------------------------------------

TODAY_MARK = "journal-rules-today"


@attrs.frozen
class Match:
    """One frame a condition rule's patterns matched: the rule and, per alias key, the fact id."""

    rule_id: str
    facts: tuple[tuple[str, str], ...]


class JoinRules(_Sessions):
    """Condition rules (multi-fact patterns joined in the engine, with ``none`` absences) in one
    isolated durable_rules host.

    ``rules`` maps a rule id to its patterns: ``(alias key, condition)`` pairs in the order the
    engine joins them; every rule's patterns include the ``today`` fact (``TODAY_MARK``), which
    :meth:`evaluate` posts after every other fact of a session, and its absences come after it:
    durable_rules judges a ``none`` when the frame reaches it and does not take back a firing
    when a matching fact arrives later, so absences are judged only once every fact is in.
    Unlike :class:`CompiledRules`, a fact here may be taken without firing (it waits for a join).
    """

    def __init__(self, rules: Mapping[str, Sequence[tuple[str, Mapping[str, Any]]]]) -> None:
        self.name = f"journal_rules_joins_{next(_NAMES)}"
        self._lock = threading.Lock()
        self._matches: list[Match] = []
        self._opened: set[str] = set()
        self.stats = {"sessions": 0, "facts": 0, "matches": 0, "collisions": 0}
        definitions: dict[str, Any] = {
            "_session": {"all": [{"m": {"t": SESSION_MARK}}], "run": self._anchored},
        }
        for n, (rule_id, patterns) in enumerate(sorted(rules.items())):
            keys = tuple(k for k, _ in patterns if not k.endswith("$not"))
            definitions[f"j{n}"] = {"all": [{k: dict(c)} for k, c in patterns],
                                    "run": self._action(rule_id, keys)}
        self._register(definitions)

    def _action(self, rule_id: str, keys: tuple[str, ...]) -> Callable[[Any], None]:
        def record(c: Any) -> None:
            self._matches.append(Match(rule_id, tuple((k, str(getattr(c, k)["id"]))
                                                      for k in keys)))
        return record

    def _anchored(self, c: Any) -> None:
        self._opened.add(str(c.m["sid"]))

    def evaluate(self, facts: Sequence[Mapping[str, Any]], today: Mapping[str, Any]
                 ) -> list[Match]:
        """Every frame of facts (then ``today``) that a rule matches, in a stable order."""
        if len(facts) + 1 > SESSION_LIMIT * 50:
            raise RulesEngineError(f"a condition session holds at most {SESSION_LIMIT * 50} "
                                   "facts")
        with self._lock:
            self._matches = []
            sid = self._open()
            try:
                for fact in facts:
                    self._post({**fact, "t": FACT_MARK, "sid": sid})
                self._post({**today, "t": TODAY_MARK, "sid": sid})
                self._check(sid)
            finally:
                self._host.delete_state(self.name, sid)
            self.stats["facts"] += len(facts)
            self.stats["matches"] += len(self._matches)
            return sorted(set(self._matches), key=lambda m: (m.rule_id, m.facts))

    def _post(self, message: dict[str, Any]) -> None:
        """Assert one fact; a fact refused as already seen (durable_rules' 32-bit identity hash
        collided: ids are unique) is posted again under a salted id, which changes its hash."""
        for salt in range(4):
            if salt:
                self.stats["collisions"] += 1
                message = {**message, "id": f"{message['id']}~{salt}"}
            try:
                self._assert(message)
                return
            except self._durable.MessageObservedException:
                continue
        raise RulesEngineError(f"the engine refused fact {message['id']!r} as already seen")


_joins: dict[str, JoinRules] = {}


def joins_for(key: str, build: Callable[[], Mapping[str, Sequence[tuple[str, Mapping[str, Any]]]]]
              ) -> JoinRules:
    """The condition-rule host for a ruleset content hash, compiled once."""
    return _once(_joins, key, lambda: JoinRules(build()))
