"""Rulesets: YAML files of policy, loaded into typed data and validated eagerly.

A ruleset carries its metadata (id, edition, approving order, dates in force), the core policy
(roles, permissions, lifecycle, visas, mark rules) and, through later sections, the rules the
engine evaluates. Every error is reported at once with file, line, field and a suggestion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from ._convert import converter, problems_of, register_aliases
from ._decision import Messages, RulesetRef
from ._errors import InvalidInput, Problem
from ._grading._policy import Grading
from ._policy import Lifecycle, MarkRules, Permission, Policy, ReasonRule, Transition, Visas
from ._storage import canonical_json
from ._yaml import LocatedYaml, load_located, read_located

register_aliases(Transition, source="from", target="to")


@attrs.frozen
class ApprovingOrder:
    number: str
    date: date
    by: str | None = None


@attrs.frozen
class InForce:
    starts: date
    ends: date | None = None


@attrs.frozen
class RulesetMeta:
    id: str
    title: Messages
    edition: str
    approved_by: ApprovingOrder
    in_force: InForce
    extends: str | None = None


@attrs.frozen
class RulesetDocument:
    """The file format: one attribute per top-level section."""

    ruleset: RulesetMeta
    roles: Mapping[str, Messages]
    permissions: tuple[Permission, ...]
    lifecycle: Lifecycle
    visas: Visas
    marks: MarkRules
    reasons: ReasonRule
    unknown_actor: Messages
    grading: Grading | None = None


@attrs.frozen
class Ruleset:
    """A loaded, validated ruleset."""

    meta: RulesetMeta
    policy: Policy
    content_hash: str
    source: str
    grading: Grading | None = None

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def ref(self) -> RulesetRef:
        return RulesetRef(self.meta.id, self.meta.edition, self.content_hash)


def _policy_of(doc: RulesetDocument) -> Policy:
    return Policy(roles=doc.roles, permissions=doc.permissions, lifecycle=doc.lifecycle,
                  visas=doc.visas, marks=doc.marks, reasons=doc.reasons,
                  unknown_actor=doc.unknown_actor)


def ruleset_from_located(located: LocatedYaml) -> Ruleset:
    """Structure and validate parsed YAML; every problem at once, each with its line."""
    data = located.data
    if not isinstance(data, dict):
        raise InvalidInput(located.file, located.locate([Problem("a ruleset is a mapping")]))
    try:
        doc = converter.structure(data, RulesetDocument)
    except Exception as exc:
        raise InvalidInput(located.file, located.locate(problems_of(exc))) from None
    policy = _policy_of(doc)
    problems = policy.problems()
    if doc.grading is not None:
        problems += doc.grading.problems(doc.roles, doc.marks.codes)
    if problems:
        raise InvalidInput(located.file, located.locate(problems))
    digest = hashlib.sha256(canonical_json(_jsonable(data)).encode("utf-8")).hexdigest()
    return Ruleset(doc.ruleset, policy, digest, located.file, grading=doc.grading)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_ruleset(path: str | Path) -> Ruleset:
    """Load a ruleset file; raise :class:`InvalidInput` with every problem, file and line."""
    return ruleset_from_located(read_located(path))


def loads_ruleset(text: str, name: str = "<ruleset>") -> Ruleset:
    return ruleset_from_located(load_located(text, name))


def bundled_rulesets() -> dict[str, Path]:
    """The rulesets shipped with the library, by id (file name without ``.yaml``)."""
    found: dict[str, Path] = {}
    candidates: list[Path] = []
    packaged = resources.files("journal_rules").joinpath("_bundled_rulesets")
    if packaged.is_dir():
        candidates.append(Path(str(packaged)))
    source_tree = Path(__file__).resolve().parents[2] / "rulesets"
    if source_tree.is_dir():  # an editable install or a checkout
        candidates.append(source_tree)
    for folder in candidates:
        for file in sorted(folder.glob("*.yaml")):
            found.setdefault(file.stem, file)
    return found


DEFAULT_RULESET = "kaznmu-sop-2021"


def default_ruleset() -> Ruleset:
    """The KazNMU SOP edition 1 ruleset shipped with the library."""
    path = bundled_rulesets().get(DEFAULT_RULESET)
    if path is None:
        raise InvalidInput(DEFAULT_RULESET, [Problem("the bundled ruleset is missing from this "
                                                     "installation")])
    return load_ruleset(path)
