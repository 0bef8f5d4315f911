"""The journal projection: a journal's mark grid, each control's lifecycle state, its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from ._commands import JOURNAL_EVENT_ACTIONS
from ._events import JournalEvent, payload_of
from ._model import ControlPoint, ExplanatoryNote, JournalSpec
from ._policy import Lifecycle
from ._storage import StoredEvent

# The lifecycle action each journal event performs (derived from the event classes; a read-only
# view kept up to date as they are defined).
EVENT_ACTIONS = JOURNAL_EVENT_ACTIONS


@attrs.define
class ControlState:
    """One control event of a journal: where it is in the lifecycle and what the procedure holds."""

    point: ControlPoint
    state: str
    closed_at: list[datetime] = attrs.field(factory=list)
    reopened_at: list[datetime] = attrs.field(factory=list)
    held_on: date | None = None
    note: ExplanatoryNote | None = None
    note_by: str | None = None
    visas: dict[str, str] = attrs.field(factory=dict)
    sheets: list[tuple[str, datetime]] = attrs.field(factory=list)

    @property
    def reopen_count(self) -> int:
        return len(self.reopened_at)


class JournalState:
    """What one journal's stream says, built by applying its events in order."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        self.spec: JournalSpec | None = None
        self.controls: dict[str, ControlState] = {}
        self.grid: dict[tuple[str, date, str], str] = {}
        # The same cells by (student, control): what grading reads, without scanning the grid.
        self._cells: dict[tuple[str, str], dict[date, str]] = {}
        self.classes: dict[tuple[str, date], str] = {}
        self.history: list[StoredEvent] = []
        self.anomalies: list[str] = []

    @property
    def version(self) -> int:
        return self.history[-1].version if self.history else 0

    @property
    def head(self) -> StoredEvent | None:
        return self.history[-1] if self.history else None

    @property
    def id(self) -> str:
        assert self.spec is not None
        return self.spec.id

    def control(self, control_id: str) -> ControlState:
        return self.controls[control_id]

    def control_for(self, on: date) -> ControlPoint | None:
        """The control whose dates contain ``on`` (the first one, in the journal's order)."""
        for c in self.controls.values():
            if c.point.starts <= on <= c.point.ends:
                return c.point
        return None

    def apply(self, event: StoredEvent, payload: Any = None) -> None:
        """Apply one event of the journal's stream: its typed ``payload`` when the caller has it
        (the gradebook, which built it), else decoded from the event."""
        self.history.append(event)
        if payload is None:
            payload = payload_of(event)
        if isinstance(payload, JournalEvent):
            payload.apply(self, event)
        else:
            self.anomalies.append(f"#{event.version}: {event.type} is not a journal event")

    def open(self, spec: JournalSpec) -> None:
        """The journal's spec; each control starts in the lifecycle's initial state."""
        self.spec = spec
        self.controls = {c.id: ControlState(c, self.lifecycle.initial) for c in spec.controls}

    def step(self, control_id: str, action: str, event: StoredEvent) -> ControlState | None:
        """Perform ``action`` in the lifecycle of the control it concerns (an action the
        lifecycle does not allow there is an anomaly, recorded all the same); None for a
        control the journal does not have."""
        control = self.controls.get(control_id)
        if control is None:
            self.anomalies.append(f"#{event.version}: unknown control {control_id!r}")
            return None
        after = self.lifecycle.next_state(control.state, action)
        if after is None:
            self.anomalies.append(
                f"#{event.version}: {action} in state {control.state!r} is not allowed")
        else:
            control.state = after
        return control

    def set_mark(self, student: str, on: date, control: str, mark: str) -> None:
        self.grid[(student, on, control)] = mark
        self._cells.setdefault((student, control), {})[on] = mark

    def marks_of(self, student: str, control: str) -> list[str]:
        """One student's marks in one control, in date order."""
        cells = self._cells.get((student, control), {})
        return [cells[day] for day in sorted(cells)]

    def marks(self, control: str | None = None) -> dict[tuple[str, date], str]:
        """The mark grid as (student, date) -> mark, for one control or all."""
        return {(s, d): m for (s, d, c), m in self.grid.items() if control in (None, c)}

    def snapshot(self) -> dict[str, Any]:
        """Plain data of the whole state, for comparing projections and for display."""
        return {
            "journal": None if self.spec is None else self.spec.id,
            "version": self.version,
            "controls": {cid: {"state": c.state, "reopened": c.reopen_count,
                               "closed": len(c.closed_at), "visas": dict(sorted(c.visas.items())),
                               "note": c.note is not None, "sheets": [k for k, _ in c.sheets]}
                         for cid, c in self.controls.items()},
            "grid": {f"{s}|{d.isoformat()}|{c}": m for (s, d, c), m in sorted(self.grid.items())},
            "anomalies": list(self.anomalies),
        }
