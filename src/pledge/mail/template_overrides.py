"""A company's own mail templates in place of Pledge's (PLEDGE_MAIL_TEMPLATES).

The folder is laid out like the packaged templates/ (en/completion.txt.j2, fr/...): a file
there replaces Pledge's file of the same name, and every other template, the shared macros
included, stays Pledge's. The files are read and checked once, when the settings are built,
so a mistake stops start-up with its file and line rather than failing a mail when it is
due; what was checked is what is used, so an edit takes effect at the next start.

Both mail modules make their Environment here, and `use_mail_templates` points them at the
company's files for the whole process: the mail functions are called deep inside jobs and
requests, where no settings are in reach, and the loader is chosen once rather than per mail.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import NoReturn

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FunctionLoader,
    PackageLoader,
    StrictUndefined,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
    select_autoescape,
)

from pledge.errors import PledgeError

SETTING = "PLEDGE_MAIL_TEMPLATES"
PACKAGED_FOLDER = Path(__file__).with_name("templates")

_PACKAGED = PackageLoader("pledge.mail", "templates")
_COMMON = frozenset(
    {"company", "contact", "reference", "kind", "received", "complaint", "ccpa", "agent", "person"}
)
# What each mail's templates are given (pledge.mail.messages and recipient_messages build it);
# a name outside its set would fail when the mail is due, so start-up refuses it.
MAIL_VARIABLES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "acknowledgement": _COMMON | {"due", "needs_identity"},
        "code": _COMMON | {"code", "valid_minutes", "status_url"},
        "completion": _COMMON
        | {
            "handling",
            "found",
            "by_hand",
            "status_url",
            "download_until",
            "kept",
            "recipients",
            "corrections",
            "activities",
            "partial",
            "outcome",
        },
        "denial": _COMMON | {"reason"},
        "extension": _COMMON | {"new_due", "previous_due", "reason"},
        "restriction_lifted": _COMMON | {"since", "lifted", "reason"},
        "download_code": _COMMON | {"code", "valid_minutes"},
        "recipient_notice": frozenset(
            {
                "company",
                "contact",
                "recipient_name",
                "reference",
                "event",
                "person",
                "categories",
                "corrections",
            }
        ),
        # Macros only: the mails import them without their context, so they see nothing else.
        "_blocks": frozenset(),
    }
)


@dataclass(frozen=True, eq=False)
class MailTemplates:
    """The company's templates as read and checked at start-up: name -> (source, file)."""

    folder: Path
    files: Mapping[str, tuple[str, Path]]

    def load(self, name: str) -> tuple[str, str, Callable[[], bool]] | None:
        found = self.files.get(name)
        if found is None:
            return None
        source, path = found
        return source, str(path), _unchanged


class _MailEnvironment(Environment):
    def handle_exception(self, source: str | None = None) -> NoReturn:
        # A mail failing on, say, an attribute its object lacks names the file and line in
        # the job's error, not only in the log's traceback.
        try:
            super().handle_exception(source)
        except UndefinedError as error:
            place = _innermost_template_line(error.__traceback__)
            if place is None:
                raise
            raise UndefinedError(f"{place}: {error.message}").with_traceback(
                error.__traceback__
            ) from None


_ENVIRONMENTS: list[Environment] = []


def mail_environment(*, trim_blocks: bool = False) -> Environment:
    """The Environment a mail module renders with, loading whatever `use_mail_templates`
    chose last (Pledge's own templates until then)."""
    environment = _MailEnvironment(
        loader=_PACKAGED,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=trim_blocks,
        lstrip_blocks=trim_blocks,
    )
    _ENVIRONMENTS.append(environment)
    return environment


def use_mail_templates(templates: MailTemplates | None) -> None:
    """Render every mail of this process from `templates` first, then Pledge's; None: from
    Pledge's alone."""
    loader: BaseLoader = _PACKAGED
    if templates is not None:
        loader = ChoiceLoader([FunctionLoader(templates.load), _PACKAGED])
    for environment in _ENVIRONMENTS:
        environment.loader = loader
        if environment.cache is not None:
            environment.cache.clear()


def read_mail_templates(environ: Mapping[str, str]) -> MailTemplates | None:
    """The folder PLEDGE_MAIL_TEMPLATES names, read and checked; None when it is not set.

    PledgeError listing every problem: a file whose name is none of Pledge's templates, one
    that does not compile, one using a variable its mail does not give, macros missing from
    a replaced `_blocks` file, a reference to a template that does not exist.
    """
    given = environ.get(SETTING, "").strip()
    if not given:
        return None
    folder = Path(given).expanduser()
    if not folder.exists():
        raise PledgeError(f"{SETTING}: {folder} does not exist", _FOLDER_HINT)
    if not folder.is_dir():
        raise PledgeError(f"{SETTING}: {folder} is not a folder", _FOLDER_HINT)
    known = frozenset(_PACKAGED.list_templates())
    files: dict[str, tuple[str, Path]] = {}
    problems: list[str] = []
    for name, path in _files(folder):
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            guess = f"; did you mean {close[0]}?" if close else ""
            problems.append(f"{path}: not the name of one of Pledge's mail templates{guess}")
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{path}: cannot be read as UTF-8 text ({error})")
            continue
        files[name] = (source, path)
        problems.extend(_template_problems(name, source, path, known))
    if problems:
        heading = f"{SETTING}: " + (
            problems[0] if len(problems) == 1 else f"{len(problems)} problems in {folder}:"
        )
        lines = [] if len(problems) == 1 else [f"  {problem}" for problem in problems]
        raise PledgeError("\n".join([heading, *lines]), _NAMES_HINT)
    return MailTemplates(folder=folder, files=MappingProxyType(files))


_FOLDER_HINT = (
    "set it to a folder laid out like Pledge's own templates (en/completion.txt.j2,"
    " fr/completion.txt.j2, ...), or unset it to use Pledge's"
)
_NAMES_HINT = (
    f"the template names and what each is given are listed in docs/requests.md (Mails);"
    f" Pledge's own files, to start from, are in {PACKAGED_FOLDER}"
)


def _files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(template name, file) under `folder`, leaving out hidden ones (.git, .DS_Store)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield relative.as_posix(), path


def _template_problems(name: str, source: str, path: Path, known: frozenset[str]) -> list[str]:
    checker = Environment()
    try:
        tree = checker.parse(source, name, str(path))
        checker.compile(tree, name, str(path))
    except TemplateSyntaxError as error:
        return [f"{path}:{error.lineno}: {error.message}"]
    mail = Path(name).name.split(".", 1)[0]
    given = MAIL_VARIABLES.get(mail, frozenset())
    offer = f"they get {', '.join(sorted(given))}" if given else "macros see only their arguments"
    unknown = meta.find_undeclared_variables(tree) - given - set(checker.globals)
    problems = []
    for variable in sorted(unknown, key=lambda v: (_first_use(tree, v), v)):
        close = difflib.get_close_matches(variable, sorted(given), n=1)
        problems.append(
            f"{path}:{_first_use(tree, variable)}: `{variable}` is not given to the {mail}"
            f" templates; {f'did you mean `{close[0]}`?' if close else offer}"
        )
    for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        assert isinstance(node, (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport))
        target = node.template
        if isinstance(target, nodes.Const) and target.value not in known:
            problems.append(f"{path}:{node.lineno}: there is no template {target.value!r}")
    if mail == "_blocks":
        missing = sorted(_macros(_packaged_source(name)) - _macros(tree))
        if missing:
            problems.append(
                f"{path}: does not define {', '.join(missing)}, which Pledge's mails call;"
                " keep every macro of Pledge's file, with the same arguments"
            )
    return problems


def _first_use(tree: nodes.Template, variable: str) -> int:
    return min(
        (name.lineno for name in tree.find_all(nodes.Name) if name.name == variable), default=1
    )


def _macros(tree: nodes.Template) -> set[str]:
    return {macro.name for macro in tree.find_all(nodes.Macro)}


def _packaged_source(name: str) -> nodes.Template:
    checker = Environment()
    source, _, _ = _PACKAGED.get_source(checker, name)
    return checker.parse(source)


def _innermost_template_line(trace: TracebackType | None) -> str | None:
    """Where the template frame nearest the error is, as file:line: Jinja rewrites each
    template's frame to carry its file name and the template's line."""
    place = None
    while trace is not None:
        if "__jinja_exception__" in trace.tb_frame.f_globals:
            place = f"{trace.tb_frame.f_code.co_filename}:{trace.tb_lineno}"
        trace = trace.tb_next
    return place


def _unchanged() -> bool:
    return True
