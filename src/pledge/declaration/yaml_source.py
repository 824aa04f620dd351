"""Reading YAML while remembering where every key and value stood.

Pydantic reports errors by path (`activities.marketing.retention`); people need
`pledge.yaml:14:7`. We parse with ruamel.yaml's round-trip loader, which keeps line and
column marks, turn the tree into plain Python data, and keep a table path -> position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from pledge.errors import InvalidDeclaration, PledgeError, Position, Problem, display_path

PathKey = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Plain data from a YAML file, plus where each path was written."""

    file: str
    data: Any
    key_positions: dict[PathKey, Position] = field(default_factory=dict)
    value_positions: dict[PathKey, Position] = field(default_factory=dict)

    def where(self, path: Sequence[str | int], *, key: bool = False) -> Position:
        """The position of `path`, or of its nearest written ancestor."""
        path = tuple(path)
        table = self.key_positions if key else self.value_positions
        while path:
            if path in table:
                return table[path]
            if path in self.key_positions:
                return self.key_positions[path]
            path = path[:-1]
        return Position(self.file, 1, 1)


def load_yaml_file(path: Path) -> YamlDocument:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PledgeError(f"{shown}: no such file", "give the path to a pledge.yaml") from None
    except UnicodeDecodeError as exc:
        raise PledgeError(
            f"{shown}: the file is not UTF-8 (byte {exc.start})", "save it as UTF-8"
        ) from None
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, file: str) -> YamlDocument:
    yaml = YAML(typ="rt")
    try:
        tree = yaml.load(text)
    except DuplicateKeyError as exc:
        raise _syntax_problem(file, exc, "a key appears twice in the same mapping") from None
    except MarkedYAMLError as exc:
        raise _syntax_problem(file, exc, str(exc.problem or "invalid YAML")) from None
    doc = YamlDocument(file=file, data=None)
    doc.data = _plain(tree, (), doc)
    return doc


def _syntax_problem(file: str, exc: MarkedYAMLError, message: str) -> InvalidDeclaration:
    mark = exc.problem_mark or exc.context_mark
    where = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
    hint = "check the indentation and that every 'key: value' has a space after the colon"
    if isinstance(exc, DuplicateKeyError):
        hint = "each id may be declared once; rename or merge the two entries"
        message = f"{message}: {exc.problem}".replace('found duplicate key "', "'").replace(
            '" with value', "' with value"
        )
    return InvalidDeclaration([Problem(where, message, hint)])


def _plain(node: Any, path: PathKey, doc: YamlDocument) -> Any:
    if isinstance(node, CommentedMap):
        result: dict[Any, Any] = {}
        for key, value in node.items():
            key_line, key_col = node.lc.key(key)
            value_line, value_col = node.lc.value(key)
            child = (*path, _plain_key(key))
            doc.key_positions[child] = Position(doc.file, key_line + 1, key_col + 1)
            doc.value_positions[child] = Position(doc.file, value_line + 1, value_col + 1)
            result[_plain_key(key)] = _plain(value, child, doc)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            child = (*path, index)
            doc.value_positions[child] = Position(doc.file, line + 1, col + 1)
            items.append(_plain(value, child, doc))
        return items
    # ruamel's scalar subclasses carry formatting; the model wants plain values.
    if isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def _plain_key(key: Any) -> str | int:
    return key if isinstance(key, int) and not isinstance(key, bool) else str(key)
