"""YAML reading that remembers where every value came from, so errors can name file and line.

Rulesets, ``rules test`` case files and scenarios come from people and from other systems, so a
file is read within bounds: its size, the nesting depth and the size of the tree once aliases are
expanded (a 520-byte "billion laughs" file would otherwise expand to gigabytes when the loader
walks it), and a key written twice in one mapping is an error naming both lines (YAML's own rule,
which PyYAML does not enforce: a second ``grants:`` would silently replace the first).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ._errors import InvalidInput, Problem

#: The largest YAML file read, in bytes (the bundled ruleset is about 50 KB).
MAX_YAML_BYTES = 2 * 1024 * 1024
#: The deepest nesting of mappings and sequences (the bundled ruleset nests 6 deep).
MAX_YAML_DEPTH = 64
#: The most nodes in the tree once every alias is expanded (the bundled ruleset has ~6,000).
MAX_YAML_NODES = 200_000

try:  # libyaml's parser is ~10 times faster and keeps the same marks
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


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


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _check_tree(root: yaml.Node, file: str) -> None:
    """Refuse a cyclic, too deep or (aliases expanded) too large tree, and duplicate keys.

    Aliases make the node graph a DAG whose expansion can be exponential in the file's size;
    sizes are memoised per node, so this check itself stays linear in the file.
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    active: set[int] = set()

    def fail(message: str, node: yaml.Node) -> InvalidInput:
        return InvalidInput(file, [Problem(message, file=file, line=_line(node))])

    # An explicit stack, not recursion: a hostile file must not reach Python's recursion limit.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            size = 1 + sum(sizes[id(c)] for c in children)
            depth = 1 + max((depths[id(c)] for c in children), default=0)
            if size > MAX_YAML_NODES:
                raise fail(f"too large once aliases are expanded (more than {MAX_YAML_NODES} "
                           "values); aliases may not multiply the file", node)
            if depth > MAX_YAML_DEPTH:
                raise fail(f"nested more than {MAX_YAML_DEPTH} levels deep", node)
            sizes[key], depths[key] = size, depth
            continue
        if key in sizes:
            continue
        if key in active:
            raise fail("an alias refers to a value that contains it (a cycle)", node)
        if len(active) > MAX_YAML_DEPTH:
            raise fail(f"nested more than {MAX_YAML_DEPTH} levels deep", node)
        active.add(key)
        if isinstance(node, yaml.MappingNode):
            _duplicate_keys(node, file)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _duplicate_keys(node: yaml.MappingNode, file: str) -> None:
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.value == "<<":
            continue
        line = _line(key)
        first = seen.get(key.value)
        if first is not None:
            problems.append(Problem(f"key {key.value!r} is written twice in one mapping (lines "
                                    f"{first} and {line}); the second would silently replace "
                                    "the first", file=file, line=line))
        else:
            seen[key.value] = line
    if problems:
        raise InvalidInput(file, problems)


def load_located(text: str, file: str) -> LocatedYaml:
    """Parse YAML text within bounds; a syntax error, a duplicate key or a bound crossed is an
    :class:`InvalidInput` naming file and line."""
    if len(text) > MAX_YAML_BYTES:
        raise InvalidInput(file, [Problem(f"too large: {len(text)} characters, at most "
                                          f"{MAX_YAML_BYTES}", file=file)])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_tree(node, file)
            data = loader.construct_document(node)
        else:
            data = None
    except InvalidInput:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise InvalidInput(file, [Problem(f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                          file=file, line=line)]) from None
    except RecursionError:
        raise InvalidInput(file, [Problem(f"nested more than {MAX_YAML_DEPTH} levels deep",
                                          file=file)]) from None
    except (ValueError, OverflowError) as exc:  # e.g. a timestamp like 2024-13-45
        raise InvalidInput(file, [Problem(f"not valid YAML: {exc}", file=file)]) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _walk(node, "", lines)
    return LocatedYaml(data, lines, file)


def read_located(path: str | Path) -> LocatedYaml:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InvalidInput(str(path), [Problem(f"too large: {size} bytes, at most "
                                                   f"{MAX_YAML_BYTES}", file=str(path))])
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(str(path), [Problem(f"cannot read: {exc.strerror or exc}",
                                               file=str(path))]) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(str(path), [Problem(f"not UTF-8 text (byte {exc.start})",
                                               file=str(path))]) from None
    return load_located(text, str(path))
