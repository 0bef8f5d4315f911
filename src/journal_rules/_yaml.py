"""YAML reading that remembers where every value came from, so errors can name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ._errors import InvalidInput, Problem


class LocatedYaml:
    """Parsed YAML data plus a map from each value's path (``a.b[2].c``) to its line."""

    def __init__(self, data: Any, lines: dict[str, int], file: str) -> None:
        self.data = data
        self.lines = lines
        self.file = file

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.lines.get("")

    def locate(self, problems: list[Problem]) -> list[Problem]:
        """The problems with this file's name and the lines of their paths filled in."""
        return [Problem(p.message, path=p.path, file=self.file,
                        line=p.line if p.line is not None else self.line_of(p.path),
                        row=p.row, column=p.column, suggestion=p.suggestion) for p in problems]


def _walk(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = f"{path}.{key.value}" if path else str(key.value)
            lines[sub] = key.start_mark.line + 1
            _walk(value, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", lines)


def load_located(text: str, file: str) -> LocatedYaml:
    """Parse YAML text; a syntax error is an :class:`InvalidInput` naming file and line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise InvalidInput(file, [Problem(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                          file=file, line=line)]) from None
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines)
    return LocatedYaml(data, lines, file)


def read_located(path: str | Path) -> LocatedYaml:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(str(path), [Problem(f"cannot read: {exc.strerror}",
                                               file=str(path))]) from None
    except UnicodeDecodeError:
        raise InvalidInput(str(path), [Problem("not UTF-8 text", file=str(path))]) from None
    return load_located(text, str(path))
