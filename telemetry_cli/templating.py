"""The Jinja environment of the templates: options, filters and where compiled templates live.

The wheel carries the templates compiled to Python modules at build time (``hatch_build.py``
runs :func:`compile_into`), so an installed tool never runs Jinja's compiler; from a checkout or
an editable install the source templates are compiled in memory, once per process. Nothing is
cached on disk between runs: no per-user cache whose bytecode another user could plant.

This module imports only the standard library and Jinja: the build hook loads it by path, in an
environment where the package's other dependencies are not installed. Jinja itself is imported
only when a template is rendered or compiled: a ``generate --check`` that finds every output as
this version wrote it renders nothing, and Jinja's import is a tenth of its run.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

# Where the wheel carries the compiled templates, inside the package, and the Jinja version
# that compiled them: compiled code is only valid for the Jinja that made it.
COMPILED_DIR = "_compiled_templates"
COMPILED_MARKER = "jinja-version.txt"

# What may not stand bare in Markdown text: CommonMark's inline syntax and GitHub's extensions
# (tables, strikethrough, math), and "{", which opens template syntax ("{{", "{%") for the site
# generators that run Markdown through Jinja. "_" is handled apart: between two letters it is
# plain text.
_MARKDOWN_ACTIVE = re.compile(r"[\\`*\[\]<>#!|~&${]")
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_BACKTICKS = re.compile(r"`+")


def markdown_code(text: str, *, table: bool = False) -> str:
    """``text`` as one Markdown code span that shows it exactly, backquotes included.

    Args:
        text: the literal text (one line).
        table: the span stands in a table cell, where ``|`` must be escaped even in code.

    Returns:
        The span with its delimiters, e.g. ```` ``a`b`` ````.
    """
    # CommonMark: the delimiter is a backtick run of a length that does not occur inside, and
    # one space of padding on each side is removed, so pad when the text starts or ends with a
    # backtick or a space that must survive.
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    padded = text
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        padded = f" {text} "
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if table else span


def markdown_text(text: str) -> str:
    """``text`` escaped for Markdown prose: every character that could start syntax is inert."""
    escaped = _MARKDOWN_ACTIVE.sub(lambda match: "\\" + match.group(0), text)
    return _LONE_UNDERSCORE.sub(r"\\_", escaped)


def shell_word(text: str) -> str:
    """``text`` as one word of a POSIX shell command line (quoted only when it must be)."""
    return shlex.quote(text)


def code_fence(*texts: str) -> str:
    """A code fence longer than any backtick run in ``texts``, so none of them can close it."""
    longest = max((len(run) for text in texts for run in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """The environment every template is rendered (and compiled) with."""
    import jinja2

    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(code=markdown_code, md=markdown_text, sh=shell_word)
    return env


def compile_into(template_folder: Path, target: Path) -> list[str]:
    """Compile every template under ``template_folder`` into modules in ``target``.

    Returns:
        The names of the templates compiled.

    Raises:
        jinja2.TemplateSyntaxError: a template does not compile (the build must fail then).
    """
    import jinja2

    env = environment(jinja2.FileSystemLoader(template_folder))
    names = env.list_templates(extensions=["jinja"])
    target.mkdir(parents=True, exist_ok=True)
    env.compile_templates(str(target), zip=None, ignore_errors=False)
    (target / COMPILED_MARKER).write_text(jinja2.__version__ + "\n", encoding="utf-8")
    return names


def is_installed_build(package_folder: Path) -> bool:
    """Whether ``package_folder`` is a built package: it carries compiled templates.

    Its templates are then the ones of its version, unlike a checkout's, which change under
    the same version number. Reads one marker file; costs no import of Jinja.
    """
    return (package_folder / COMPILED_DIR / COMPILED_MARKER).is_file()


def compiled_loader(package_folder: Path) -> jinja2.BaseLoader | None:
    """The loader of the templates compiled into the wheel, or None when there are none.

    None also when they were compiled by another Jinja version than the one installed (its
    compiled code is not compatible across versions); the sources are compiled in memory then.
    """
    import jinja2

    folder = package_folder / COMPILED_DIR
    try:
        built_with = (folder / COMPILED_MARKER).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if built_with != jinja2.__version__:
        return None
    return jinja2.ModuleLoader(str(folder))
