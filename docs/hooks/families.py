"""mkdocs hook: the families page's reference part, generated from the registry at build time.

``docs/families.md`` holds the line ``<!-- families: generated -->``; this hook replaces it with
one section per registered family (``grader.families.FAMILIES``, in the registry's order): its
summary, version, source file, module docstring or declaration comment (the conditioning
rules), parameters, canonical numbers and answers. So the page cannot drift from the code.
"""

from __future__ import annotations

import inspect
import sys
from importlib import resources

MARKER = "<!-- families: generated -->"


def source_of(family) -> tuple[str, str]:
    """Where a family is defined, and its own description: a module docstring or a declaration's comments."""
    for module in list(sys.modules.values()):
        if getattr(module, "FAMILY", None) is family:
            path = module.__name__.replace(".", "/") + ".py"
            return path, inspect.getdoc(module) or ""
    declaration = resources.files("grader.declared") / "families" / f"{family.name}.toml"
    comments = []
    for line in declaration.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("# "))
    return f"grader/declared/families/{family.name}.toml", "\n".join(comments)


def section(family) -> str:
    """One family's reference section in Markdown."""
    path, description = source_of(family)
    kind = "declared as data (TOML)" if path.endswith(".toml") else "a Python module"
    rows = "\n".join(f"| `{a.id}` | {a.kind} | {a.points:g} | {a.step} |" for a in family.answers)
    canonical = ", ".join(f"{name} = {value}" for name, value in family.canonical.items())
    return (f"## `{family.name}` {{#{family.name}}}\n\n{family.summary['en']}\n\n"
            f"Version {family.version}, {kind}: `{path}`. "
            f"Parameters: {', '.join(f'`{p}`' for p in family.params)}.\n\n"
            f"Canonical variant (`grader show {family.name} --canonical`): {canonical}.\n\n"
            f"```text\n{description}\n```\n\n"
            f"| answer | kind | points | step |\n|---|---|---|---|\n{rows}\n")


def overview(families) -> str:
    """A table of every family: name, how it is written, summary."""
    rows = "\n".join(f"| [`{f.name}`](#{f.name}) | {'declared' if source_of(f)[0].endswith('.toml') else 'module'} "
                     f"| {f.summary['en']} |" for f in families)
    return f"| family | written as | what the student computes |\n|---|---|---|\n{rows}\n"


def reference() -> str:
    """The overview table, then every registered family's section."""
    from grader.families import FAMILIES

    return "\n".join([overview(FAMILIES.values()), *(section(family) for family in FAMILIES.values())])


def on_page_markdown(markdown: str, page, config, files) -> str:
    """Fill in the families page; other pages pass through unchanged."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, reference())
