"""Every message of the shipped ruleset reads as a Kazakh university would send it, in each of
its three languages: the ruleset's names for roles, actions and states (never raw ids), a missing
date worded («не закрыт», not «закрыт —»), clause ids in one script, «дисциплина» / «пән» for a
course unit, and Kazakh dates in the right case before a postposition."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

import pytest

import journal_rules as jr
from journal_rules._actions import ACTIONS
from journal_rules.model import LANGUAGES, Language, Messages, Names

RULESET = jr.default_ruleset()
POLICY = RULESET.policy
STATES = tuple(POLICY.lifecycle.states)
ROLES = tuple(POLICY.roles)
IDS = set(ACTIONS) | set(ROLES) | set(STATES)

# Facts that may have no value (a deadline never met, a note never submitted).
NULLABLE = ("done_on", "entered_on", "note_by", "by_department", "by", "order", "named_text")
DATE_FACTS = ("due", "start", "on", "done_on", "day", "entered_on")
SAMPLES: dict[str, Any] = {
    "actor": "t-bio", "action": "enter_mark", "journal": "anat/101/2025-1", "control": "current-1",
    "due": "2025-10-25", "start": "2025-10-22", "on": "2025-10-28", "done_on": "2025-10-27",
    "day": "2025-10-20", "entered_on": "2025-10-21", "elapsed": 5, "days": 3,
    "roles": list(ROLES), "required": list(ROLES[:3]), "given": list(ROLES[:1]),
    "missing": list(ROLES[1:3]), "state": STATES[0], "allowed_in": list(STATES),
    "cells": "s10101: 120", "points": "0-100", "codes": "н/б, О", "term": "2025-1",
    "year": "2025-2026", "unit": "anat", "person": "t-anat", "finishing": "dep-phys",
    "by_department": "dep-anat", "by": "t-anat", "note_by": "t-anat", "department": "dep-anat",
    "has_note_text": "+", "approved_text": "−", "month": "2025-09", "count": 2,
    "at_least": 1, "subject": "t-anat", "period": "2025-2026", "course_days": 5,
    "lag_days": 0, "students": ["s10101", "s10102"], "order": "123",
    "out_of_order": list(ROLES[3:4]), "roles_gained": list(ROLES[:2]),
    "units_gained": ["dep-anat"], "shared": ["head-dean"], "named_text": "Асанов А.А.",
}


def _messages() -> Iterator[tuple[str, Messages, Names]]:
    names = RULESET.names()
    for perm in POLICY.permissions:
        yield perm.id, perm.messages, names
    life = POLICY.lifecycle
    yield life.id, life.messages, names
    yield POLICY.visas.id, POLICY.visas.messages, names
    yield POLICY.marks.id, POLICY.marks.messages, names
    yield POLICY.reasons.id, POLICY.reasons.messages, names
    yield "unknown-actor", POLICY.unknown_actor, names
    for rule in RULESET.rules:
        with_phrases = names.with_phrases(rule.phrases)
        yield rule.id, rule.messages, with_phrases
        if rule.pending is not None:
            yield f"{rule.id} (pending)", rule.pending, with_phrases
        for step in getattr(rule, "steps", ()):
            yield f"{rule.id} ({step.sanction})", step.messages, with_phrases


MESSAGES = list(_messages())


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _renderings(messages: Messages, names: Names, lang: Language) -> Iterator[str]:
    """The message with every action in turn, and with its nullable facts present and absent."""
    fields = _fields(messages.get(lang))
    facts = dict(SAMPLES)
    for variant in ("present", "absent"):
        if variant == "absent":
            if not fields & set(NULLABLE):
                continue
            facts = {**facts, **dict.fromkeys(NULLABLE)}
        for action in sorted(ACTIONS) if "action" in fields else [None]:
            yield messages.render(lang, {**facts, "action": action} if action else facts, names)


@pytest.mark.parametrize(("where", "messages", "names"), MESSAGES,
                         ids=[m[0] for m in MESSAGES])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_renders_with_names_and_no_gaps(where: str, messages: Messages,
                                                      names: Names, lang: Language) -> None:
    template = messages.get(lang)
    assert _fields(template) <= set(SAMPLES), f"{where}: a field without a sample"
    count = 0
    for text in _renderings(messages, names, lang):
        count += 1
        assert "{" not in text, (where, text)
        assert not re.search(r"\w*_\w*", text), (where, "a raw id", text)
        # A fact with no value shows as a dash: a rule words it with a phrase instead.
        assert text.count("—") == template.count("—"), (where, "a dash for a missing fact", text)
        if lang != "en":
            raw = set(re.findall(r"[a-z][a-z_]*", text)) & IDS
            assert not raw, (where, raw, text)
    assert count


@pytest.mark.parametrize(("where", "messages", "names"), MESSAGES,
                         ids=[m[0] for m in MESSAGES])
def test_wording_of_ru_and_kk_templates(where: str, messages: Messages,
                                        names: Names) -> None:
    for lang in ("ru", "kk"):
        template = messages.get(lang)
        # Clause ids are the SOP digest's Latin ones (T11, P1, R2) in every language.
        assert not re.search(r"\b[ТПРСФ]-?\d", template), (where, lang, template)
        # A course unit is a discipline (дисциплина / пән), never a «курс».
        assert not re.search(r"(?i)\bкурс", template), (where, lang, template)
    kk = messages.get("kk")
    assert "ведомост" not in kk, (where, "тізімдеме", kk)
    assert not re.search(r"(?i)\bжаса", kk) or "тізімдеме" not in kk, (where, "қалыптастыру", kk)
    dated = "|".join(DATE_FACTS)
    assert not re.search(r"\{(" + dated + r")\} (дейін|бастап|кейін)", kk), (where, kk)


def test_a_missing_date_reads_as_not_done() -> None:
    close = RULESET.rule("close-deadline")
    names = RULESET.names().with_phrases(close.phrases)
    facts = {**SAMPLES, "done_on": None}
    assert "не закрыт" in close.messages.render("ru", facts, names)
    assert "жабылмаған" in close.messages.render("kk", facts, names)
    assert "not closed" in close.messages.render("en", facts, names)
    done = close.messages.render("ru", SAMPLES, names)
    assert "закрыт 2025-10-27" in done
    assert "не закрыт" not in done.split(":", 1)[1]


def test_every_action_has_a_name_in_every_language() -> None:
    assert set(POLICY.actions) == set(ACTIONS)
    for name in POLICY.actions.values():
        assert all(name.get(lang) for lang in LANGUAGES)


def test_every_parameter_is_documented_in_every_language() -> None:
    for name, param in RULESET.parameters.items():
        docs = {lang: param.doc_in(lang) for lang in LANGUAGES}
        assert isinstance(param.doc, Messages), f"{name}: doc in one language only"
        assert len(set(docs.values())) == 3, name


def test_an_unknown_action_name_is_a_load_error() -> None:
    text = jr.bundled_rulesets()["kaznmu-sop-2021"].read_text("utf-8").replace(
        "  enter_mark: {ru:", "  enter_marks: {ru:", 1)
    with pytest.raises(jr.InvalidInput) as caught:
        jr.loads_ruleset(text, "x.yaml")
    (problem,) = caught.value.problems
    assert problem.path == "actions.enter_marks"
    assert problem.suggestion == "enter_mark"
    assert problem.line is not None
