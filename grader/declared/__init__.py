"""Exercise families declared as data: an instructor writes the network, the package derives the rest.

A declaration is a TOML file (see docs/authoring-families.md). :func:`loads` validates it and
returns the same :class:`~grader.core.family.Family` a hand-written module defines; :func:`bundled`
gives the declarations shipped in ``grader/declared/families/``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from grader.core.family import Family
from grader.declared.build import family
from grader.declared.spec import Declaration, DeclarationError, parse, say

__all__ = ["Declaration", "DeclarationError", "bundled", "load", "loads", "parse", "read"]


def loads(text: str, source: str = "<declaration>") -> Family:
    """The family of a declaration's TOML text; raises :class:`DeclarationError` naming the line."""
    return family(parse(text, source))


def read(path: str | Path) -> str:
    """A declaration file's text; an unreadable file is a :class:`DeclarationError` naming it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeclarationError(str(path), None, say("unreadable", detail=str(error))) from None


def load(path: str | Path) -> Family:
    """The family declared in a TOML file."""
    return loads(read(path), str(path))


@cache
def bundled() -> tuple[Family, ...]:
    """The declared families shipped with the package, in file-name order."""
    folder = resources.files("grader.declared") / "families"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return tuple(loads(f.read_text(encoding="utf-8"), f"grader/declared/families/{f.name}") for f in files)
