"""The gradebook: the command API that embedding software calls.

``execute`` validates a command (its own checks; bad data: :class:`InvalidInput`; unknown ids:
:class:`UnknownEntity`), asks every guard (a refusal: :class:`CommandRefused`), has the command
build its event, appends it atomically with the stream's expected version and applies that typed
event to the projection. Whatever fails, nothing is written. State is a projection of the log,
kept in memory and rebuilt from the store on demand.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from ._buffered import BufferedStore
from ._clock import Clock, ManualClock, SystemClock
from ._commands import Command, JournalCommand
from ._decision import Decision
from ._directory import Directory
from ._errors import (
    ClockWentBack,
    CommandRefused,
    InvalidInput,
    Problem,
    StoreBusy,
    UnknownEntity,
    VersionConflict,
    suggest,
)
from ._events import (
    JOURNAL_PREFIX,
    Event,
    JournalOpened,
    Stream,
    journal_stream,
    payload_data,
    payload_of,
)
from ._guard import Guard, GuardContext, PolicyGuard
from ._journal import JournalState
from ._policy import Policy
from ._rules._guard import RulesGuard
from ._ruleset import Ruleset
from ._storage import NewEvent, Storage, StoredEvent, chain
from ._validation import validate

_RETRIES = 8
_BACKOFF_BASE = 0.005
_BACKOFF_CAP = 0.25


def backoff(attempt: int) -> None:
    """Sleep before retry ``attempt`` (0-based): "full jitter", a random time up to an
    exponentially growing cap, so that writers who collided do not collide again in step."""
    time.sleep(random.uniform(0.0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** attempt)))


class Gradebook:
    """Commands and queries over one store, under one policy.

    ``guards`` are consulted after the policy's own guard (the rules engine plugs in here). The
    clock stamps recorded times; pass a :class:`ManualClock` to replay or test.

    Time only moves forward: a command whose clock reads earlier than the head of the journal
    it writes to is a :class:`ClockWentBack` and nothing is written, whatever the clock. With
    ``monotonic`` (the default for every clock but a :class:`ManualClock`) the same holds
    against the latest event this gradebook has seen in any stream; a real clock that goes back
    is a broken or tampered clock. A ManualClock is for scripts, replays and generators, which
    may write one journal's whole term and then the next one's; pass ``monotonic=True`` to hold
    it to the gradebook-wide rule too.
    """

    def __init__(self, store: Storage, policy: Policy, *, clock: Clock | None = None,
                 guards: Sequence[Guard] = (), policy_guard: PolicyGuard | None = None,
                 monotonic: bool | None = None) -> None:
        self.store = store
        self.policy = policy
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._policy_guard = policy_guard or PolicyGuard(policy)
        self.guards: list[Guard] = [self._policy_guard, *guards]
        self._lock = threading.RLock()
        self._directory = Directory()
        self._registry_heads: dict[str, StoredEvent | None] = {}
        self._journals: dict[str, JournalState] = {}
        self.monotonic = (not isinstance(self.clock, ManualClock) if monotonic is None
                          else monotonic)
        self._latest: datetime | None = None
        self._stream_latest: dict[str, datetime] = {}
        self.refresh()

    @classmethod
    def for_ruleset(cls, store: Storage, ruleset: Ruleset, *, clock: Clock | None = None,
                    guards: Sequence[Guard] = (), monotonic: bool | None = None) -> Gradebook:
        """A gradebook guarded by everything a ruleset says: its core policy and its rules
        (the rules engine's guard), with every refusal naming the ruleset's id, edition and
        content hash. This is what embedding software normally wants."""
        return cls(store, ruleset.policy, clock=clock,
                   guards=[RulesGuard(ruleset), *guards],
                   policy_guard=PolicyGuard(ruleset.policy, ruleset.ref), monotonic=monotonic)

    # --- queries --------------------------------------------------------------------------------

    def today(self) -> date:
        """Today in the ruleset's time zone (``calendar.utc_offset``), whatever zone the clock
        reports: the day every guard decision and deadline counts from."""
        return self.clock.now().astimezone(self.policy.tz).date()

    @property
    def directory(self) -> Directory:
        return self._directory

    def journal(self, journal_id: str) -> JournalState:
        """The journal's current state (its stream replayed; cached and kept up to date)."""
        with self._lock:
            state = self._journals.get(journal_id)
            if state is None:
                if journal_id not in self._directory.journals:
                    raise UnknownEntity("journal", journal_id,
                                        suggest(journal_id, set(self._directory.journals)))
                events = list(self.store.read(journal_stream(journal_id)))
                state = replay_journal(events, self.policy)
                self._journals[journal_id] = state
                for event in events:
                    self._saw(event)
            return state

    def journals(self) -> list[str]:
        return sorted(self._directory.journals)

    def forget(self, journal_id: str) -> None:
        """Drop the kept projection of a journal (the next look replays its stream): for a bulk
        writer that goes journal by journal and need not hold them all."""
        with self._lock:
            self._journals.pop(journal_id, None)

    def refresh(self) -> None:
        """Read what other writers appended since this gradebook last looked."""
        with self._lock:
            for stream in Stream.ALL:
                head = self._registry_heads.get(stream)
                for event in self.store.read(stream, 1 if head is None else head.version + 1):
                    self._directory.apply(event)
                    self._saw(event)
                    head = event
                self._registry_heads[stream] = head
            for info in self.store.streams():
                if not info.name.startswith(JOURNAL_PREFIX):
                    continue
                journal_id = info.name[len(JOURNAL_PREFIX):]
                state = self._journals.get(journal_id)
                if state is not None:
                    for event in self.store.read(info.name, state.version + 1):
                        state.apply(event)
                        self._saw(event)
                elif journal_id not in self._directory.journals:
                    first = next(self.store.read(info.name), None)
                    if first is not None and first.type == JournalOpened.type:
                        spec = payload_of(first).spec
                        self._directory.journals[spec.id] = spec

    # --- commands -------------------------------------------------------------------------------

    def check(self, actor: str, command: Command) -> Decision:
        """The guard's answer without doing anything (bad data still raises)."""
        with self._lock:
            context = self._context(actor, command)
            return Decision(type(command).__name__, tuple(self._refusals(context)))

    def execute(self, actor: str, command: Command) -> list[StoredEvent]:
        """Do the command: validate, guard, append its events; return them. All or nothing."""
        with self._lock:
            for attempt in range(_RETRIES):
                context = self._context(actor, command)
                self._forward_only(context)
                refusals = self._refusals(context)
                if refusals:
                    raise CommandRefused(type(command).__name__, refusals)
                stream, head, payload, new = self._plan(context)
                stored = chain(stream, head, [new])
                try:
                    self.store.append(stream, 0 if head is None else head.version, stored)
                except VersionConflict as exc:
                    if attempt == _RETRIES - 1:
                        raise StoreBusy(exc.stream, exc.expected, exc.actual, _RETRIES) from exc
                    backoff(attempt)
                    self.refresh()  # another writer got there first: look again, re-check
                    continue
                self._absorb(stream, stored, [payload])
                return stored
        raise AssertionError("unreachable")

    def execute_many(self, actor: str, commands: Iterable[Command]) -> list[StoredEvent]:
        """Do several commands as ONE atomic step: each is validated and guarded in turn against
        the state the ones before it leave, then every event of every stream is appended at
        once (the store's ``append_all``). A refusal, bad data, a crash or a failed write
        leaves nothing; a conflict with another writer re-plans the whole step (with jittered
        backoff) and, if it keeps happening, is a :class:`StoreBusy`."""
        todo = list(commands)
        with self._lock:
            for attempt in range(_RETRIES):
                staging = BufferedStore(self.store)
                stage = Gradebook(staging, self.policy, clock=self.clock,
                                  guards=self.guards[1:], policy_guard=self._policy_guard,
                                  monotonic=self.monotonic)
                out: list[StoredEvent] = []
                for command in todo:
                    out.extend(stage.execute(actor, command))
                try:
                    staging.commit()
                except VersionConflict as exc:
                    if attempt == _RETRIES - 1:
                        raise StoreBusy(exc.stream, exc.expected, exc.actual, _RETRIES) from exc
                    backoff(attempt)
                    continue
                self.refresh()
                return out
        raise AssertionError("unreachable")

    # --- internals ------------------------------------------------------------------------------

    def _refusals(self, context: GuardContext) -> list[Any]:
        refusals: list[Any] = []
        for guard in self.guards:
            refusals.extend(guard.check(context))
        superseded = {rule for r in refusals for rule in getattr(r, "supersedes", ())}
        return [r for r in refusals if r.rule_id not in superseded]

    def _context(self, actor: str, command: Command) -> GuardContext:
        now = self.clock.now()
        directory = self._directory
        problems = validate(command, directory)
        journal = control = None
        on = _concerned_date(command, now.astimezone(self.policy.tz).date())
        if isinstance(command, JournalCommand):
            journal_id = command.journal
            journal = self.journal(journal_id)
            control_id = getattr(command, "control", None)
            if control_id is None and hasattr(command, "on"):
                point = journal.control_for(command.on)
                if point is None:
                    problems.append(Problem(f"no control of journal {journal_id!r} covers "
                                            f"{command.on.isoformat()}", path="on"))
                else:
                    control_id = point.id
            if control_id is not None:
                control = journal.controls.get(control_id)
                if control is None:
                    problems.append(Problem(f"unknown control {control_id!r}", path="control",
                                            suggestion=suggest(control_id,
                                                               set(journal.controls))))
            if journal.spec is not None:
                group = journal.spec.group
                for student in command.students():
                    known = directory.students.get(student)
                    if known is None or known.group != group:
                        problems.append(Problem(
                            f"student {student!r} is not in group {group!r}", path="student",
                            suggestion=suggest(student, {s.id for s in
                                                         directory.students_of(group)})))
        if problems:
            raise InvalidInput(type(command).__name__, problems)
        # Judged against the registry as it stands at the command's moment: what the audit will
        # judge the recorded event against, whatever is recorded later (or, with a clock set
        # back, was recorded after it).
        registry = directory.at(now)
        return GuardContext(actor, registry.people.get(actor), command, command.action, on, now,
                            registry, journal, control)

    def _plan(self, context: GuardContext) -> tuple[str, StoredEvent | None, Event, NewEvent]:
        """The stream, its head, the command's typed event and that event as a new record."""
        command = context.command
        payload = command.to_event(context)
        # The rules are checked at load against what commands declare they record.
        assert type(payload) is command.records, (command, payload)
        new = NewEvent(payload.type, context.actor_id, context.now, context.on,
                       getattr(command, "reason", None), payload_data(payload))
        if context.journal is not None:
            return journal_stream(context.journal.id), context.journal.head, payload, new
        if isinstance(payload, JournalOpened):
            return journal_stream(payload.spec.id), None, payload, new
        stream = getattr(payload, "stream", None)
        if not isinstance(stream, str):
            raise TypeError(f"{type(payload).__name__} names no stream")
        return stream, self._registry_heads.get(stream), payload, new

    def _forward_only(self, context: GuardContext) -> None:
        """Refuse a clock that reads before the journal's head (whatever the clock: a journal's
        time only moves forward) or, when monotonic, before the latest event seen anywhere."""
        journal = context.journal
        if journal is not None and journal.spec is not None:
            latest = self._stream_latest.get(journal_stream(journal.spec.id))
            if latest is not None and context.now < latest:
                raise ClockWentBack(f"journal {journal.spec.id!r}", latest, context.now)
        if self.monotonic and self._latest is not None and context.now < self._latest:
            raise ClockWentBack("this gradebook", self._latest, context.now)

    def _saw(self, event: StoredEvent | None) -> None:
        """Remember the latest recorded time, of the gradebook and of the event's stream."""
        if event is None:
            return
        at = event.recorded_at
        if self._latest is None or at > self._latest:
            self._latest = at
        known = self._stream_latest.get(event.stream)
        if known is None or at > known:
            self._stream_latest[event.stream] = at

    def _absorb(self, stream: str, events: list[StoredEvent],
                payloads: Sequence[Event | None]) -> None:
        """Apply what was just appended: the typed events built for it (None: decode)."""
        for event in events:
            self._saw(event)
        if stream.startswith(JOURNAL_PREFIX):
            journal_id = stream[len(JOURNAL_PREFIX):]
            state = self._journals.get(journal_id)
            if state is None:
                state = self._journals[journal_id] = JournalState(self.policy.lifecycle)
            for event, payload in zip(events, payloads, strict=True):
                state.apply(event, payload)
            if state.spec is not None:
                self._directory.journals[state.spec.id] = state.spec
            return
        for event, payload in zip(events, payloads, strict=True):
            self._directory.apply(event, payload)
        self._registry_heads[stream] = events[-1]


def replay_journal(events: Iterable[StoredEvent], policy: Policy) -> JournalState:
    """Rebuild a journal's state from its events (what a projection is)."""
    state = JournalState(policy.lifecycle)
    for event in events:
        state.apply(event)
    return state


def _concerned_date(command: Command, today: date) -> date:
    """The date an event is about: the class day for marks, else the day it is recorded."""
    on = getattr(command, "on", None)
    return on if isinstance(on, date) else today
