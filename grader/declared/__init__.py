"""Exercise families declared as data: an instructor writes the network, the package derives the rest.

A declaration is a TOML file (see docs/authoring-families.md). :func:`loads` validates it and
returns the same :class:`~grader.family.Family` a hand-written module defines; :func:`bundled`
gives the declarations shipped in ``grader/declared/families/``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from grader.declared.build import family
from grader.declared.spec import Declaration, DeclarationError, parse
from grader.family import Family

__all__ = ["Declaration", "DeclarationError", "bundled", "load", "loads", "parse"]


def loads(text: str, source: str = "<declaration>") -> Family:
    """The family of a declaration's TOML text; raises :class:`DeclarationError` naming the line."""
    return family(parse(text, source))


def load(path: str | Path) -> Family:
    """The family declared in a TOML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DeclarationError(str(path), None, _unreadable(error)) from None
    return loads(text, str(path))


def _unreadable(error: Exception):
    from grader.declared.spec import say

    return say("toml", detail=str(error))


@cache
def bundled() -> tuple[Family, ...]:
    """The declared families shipped with the package, in file-name order."""
    folder = resources.files("grader.declared") / "families"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return tuple(loads(f.read_text(encoding="utf-8"), f"grader/declared/families/{f.name}") for f in files)
