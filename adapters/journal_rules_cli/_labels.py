"""The CLI's own words in ru, kk and en (from ``labels.yaml`` beside this file), in the
ruleset's declared language unless the user asks for another with ``--lang``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

import journal_rules as jr

from ._options import Lang


def language(option: Lang | None, ruleset: jr.Ruleset) -> jr.model.Language:
    """The language asked for, else the one the ruleset declares."""
    if option is None:
        return ruleset.language
    lang: jr.model.Language = "ru" if option is Lang.ru else "kk" if option is Lang.kk else "en"
    return lang


@cache
def _labels() -> dict[str, dict[str, str]]:
    text = resources.files(__package__).joinpath("labels.yaml").read_text("utf-8")
    data: dict[str, dict[str, str]] = yaml.safe_load(text)
    return data


def label(key: str, lang: jr.model.Language, **values: Any) -> str:
    """The CLI's word or sentence ``key`` in ``lang``, with ``values`` filled in."""
    text = _labels()[key][lang]
    return text.format(**values) if values else text


def kind(word: str, lang: jr.model.Language) -> str:
    """A finding's kind (violation, pending), severity or subject kind in ``lang``."""
    return label(word, lang) if word in _labels() else word
