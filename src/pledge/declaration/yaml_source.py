"""Reading YAML while remembering where every key and value stood.

Pydantic reports errors by path (`activities.marketing.retention`); people need
`pledge.yaml:14:7`. We parse with ruamel.yaml's round-trip loader, which keeps line and
column marks, turn the tree into plain Python data, and keep a table path -> position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from pledge.errors import InvalidDeclaration, PledgeError, Position, Problem, display_path

PathKey = tuple[str | int, ...]

START_HINT = "start with 'pledge: 1' then 'organisation:' and the other sections"


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


class _Constructor(RoundTripConstructor):
    """Round-trip construction that never raises a bare Python error.

    Dates stay text, so the model parses them and an impossible date ("2026-02-30") becomes
    a positioned error rather than a crash; a value a tag cannot build (`!!int abc`) is
    reported at its node.
    """

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise ConstructorError(
                None, None, f"cannot read this value ({exc})", node.start_mark
            ) from None


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def load_yaml_file(path: Path) -> YamlDocument:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PledgeError(f"{shown}: no such file", "give the path to a pledge.yaml") from None
    except IsADirectoryError:
        raise PledgeError(f"{shown} is a directory", "give the path to a pledge.yaml") from None
    except UnicodeDecodeError as exc:
        raise PledgeError(
            f"{shown}: the file is not UTF-8 (byte {exc.start})", "save it as UTF-8"
        ) from None
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, file: str) -> YamlDocument:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        tree = yaml.load(text)
    except DuplicateKeyError as exc:
        raise _duplicate_problem(file, exc) from None
    except MarkedYAMLError as exc:
        raise _syntax_problem(file, exc) from None
    except RecursionError:
        message = "the YAML nests too deeply to read"
        hint = "a declaration needs only a few levels of indentation"
        raise InvalidDeclaration([Problem(Position(file, 1, 1), message, hint)]) from None
    if tree is None:
        raise InvalidDeclaration([Problem(Position(file, 1, 1), "the file is empty", START_HINT)])
    doc = YamlDocument(file=file, data=None)
    problems: list[Problem] = []
    doc.data = _plain(tree, (), doc, problems)
    if problems:
        raise InvalidDeclaration(problems)
    return doc


_DEFAULT_HINT = "check the indentation and that every 'key: value' has a space after the colon"
_INDENT_HINT = "keys of one mapping, and items of one list, must start in the same column"

# ruamel's wording -> what it means for someone editing a declaration.
_SYNTAX: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"mapping values are not allowed here"),
        "unexpected ':' here",
        "if the line above has no ': ' after its key, add it; otherwise check this line's "
        "indentation, and put values that contain ': ' in quotes",
    ),
    (
        re.compile(r"expected <block end>, but found"),
        "this line does not line up with the lines above it",
        _INDENT_HINT + "; a list ('- item') and 'key: value' lines cannot be mixed",
    ),
    (
        re.compile(r"found character '\\t' that cannot start any token"),
        "a tab character: YAML indents with spaces only",
        "replace the tab with spaces",
    ),
    (
        re.compile(r"found character '(.)' that cannot start any token"),
        "a value cannot start with '{0}'",
        "put the value in quotes",
    ),
    (
        re.compile(r"found unknown escape character '(.)'"),
        "unknown escape '\\{0}' in double-quoted text",
        "use single quotes, or write '\\\\' for a backslash",
    ),
    (
        re.compile(r"but found another document"),
        "a second YAML document starts here",
        "a declaration is one document: remove the '---' line",
    ),
    (
        re.compile(r"found undefined alias '(.+)'"),
        "'*{0}' refers to an anchor that is not defined",
        "define '&{0}' on an earlier value, or write the value out",
    ),
    (
        re.compile(r"^(cannot read this value .*)$"),
        "{0}",
        "write the value without a '!!' tag",
    ),
    (
        re.compile(r"could not find expected ':'"),
        "a key without ':' after it",
        "write 'key: value', with a space after the colon",
    ),
]

# Errors best shown where the construct began (the opening quote or bracket), not where the
# parser gave up, which may be many lines later.
_OPENED: list[tuple[str, str, str]] = [
    ("quoted scalar", "this quoted text is never closed", "add the closing quote"),
    ("flow sequence", "this '[' list is never closed", "close it with ']' on the same line"),
    ("flow mapping", "this '{' mapping is never closed", "close it with '}' on the same line"),
]


def _syntax_problem(file: str, exc: MarkedYAMLError) -> InvalidDeclaration:
    problem = str(exc.problem or "invalid YAML")
    context = str(exc.context or "")
    mark = exc.problem_mark or exc.context_mark
    message, hint = problem, _DEFAULT_HINT
    for construct, opened_message, opened_hint in _OPENED:
        if construct in context and exc.context_mark is not None:
            mark, message, hint = exc.context_mark, opened_message, opened_hint
            break
    else:
        for pattern, wording, advice in _SYNTAX:
            if found := pattern.search(problem):
                message, hint = wording.format(*found.groups()), advice.format(*found.groups())
                break
    where = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
    return InvalidDeclaration([Problem(where, message, hint)])


def _duplicate_problem(file: str, exc: DuplicateKeyError) -> InvalidDeclaration:
    mark = exc.problem_mark
    where = Position(file, mark.line + 1, mark.column + 1) if mark else Position(file)
    found = re.search(r'duplicate key "(.*?)" with value', str(exc.problem))
    key = found.group(1) if found else "?"
    message = f"'{key}' appears twice in the same mapping"
    hint = "each key may be written once; rename or merge the two entries"
    return InvalidDeclaration([Problem(where, message, hint)])


def _plain(node: Any, path: PathKey, doc: YamlDocument, problems: list[Problem]) -> Any:
    if isinstance(node, CommentedMap):
        result: dict[Any, Any] = {}
        fallback = doc.value_positions.get(path, Position(doc.file, 1, 1))
        for key, value in node.items():
            child = (*path, _plain_key(key))
            # Keys merged in with '<<: *anchor' have no mark of their own.
            doc.key_positions[child] = _mark(node.lc.key, key, doc.file) or fallback
            doc.value_positions[child] = _mark(node.lc.value, key, doc.file) or fallback
            result[_plain_key(key)] = _plain(value, child, doc, problems)
        return result
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            doc.value_positions[child] = _mark(node.lc.item, index, doc.file) or Position(doc.file)
            items.append(_plain(value, child, doc, problems))
        return items
    if isinstance(node, TaggedScalar):
        tag = str(node.tag.value if hasattr(node.tag, "value") else node.tag)
        where = doc.value_positions.get(path, Position(doc.file, 1, 1))
        problems.append(Problem(where, f"the tag '{tag}' is not supported", "remove it"))
        return None
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


def _mark(lookup: Any, key: Any, file: str) -> Position | None:
    try:
        line, column = lookup(key)
    except (KeyError, TypeError, IndexError):
        return None
    return Position(file, line + 1, column + 1)


def _plain_key(key: Any) -> str | int:
    return key if isinstance(key, int) and not isinstance(key, bool) else str(key)
