"""Loading a declaration: YAML with positions, shapes, then cross-references."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pledge.declaration.model import Declaration
from pledge.declaration.pydantic_problems import problems_from
from pledge.declaration.references import ReferenceChecker
from pledge.declaration.yaml_source import YamlDocument, load_yaml_file, load_yaml_text
from pledge.errors import InvalidDeclaration, Problem


@dataclass(frozen=True)
class LoadedDeclaration:
    declaration: Declaration
    document: YamlDocument


def load_declaration(path: Path) -> LoadedDeclaration:
    """The declaration in `path`, or InvalidDeclaration listing every error in it."""
    return _validate(load_yaml_file(path))


def parse_declaration(text: str, file: str = "pledge.yaml") -> LoadedDeclaration:
    return _validate(load_yaml_text(text, file))


def _validate(doc: YamlDocument) -> LoadedDeclaration:
    if not isinstance(doc.data, dict):
        raise InvalidDeclaration(
            [
                Problem(
                    doc.where(()),
                    "the declaration must be a mapping of sections",
                    "start with 'pledge: 1' then 'organisation:' and the other sections",
                )
            ]
        )
    try:
        declaration = Declaration.model_validate(doc.data)
    except ValidationError as exc:
        raise InvalidDeclaration(problems_from(exc, doc, Declaration)) from None
    problems = ReferenceChecker(declaration, doc).check()
    if problems:
        raise InvalidDeclaration(problems)
    return LoadedDeclaration(declaration, doc)
