"""The registry of exercise families: hand-written modules and declarations (grader/declared/families/)."""

from __future__ import annotations

from grader.core.family import Family
from grader.declared import bundled
from grader.families import (
    chain_rule,
    deep_chain,
    gd_linear,
    gradient_meaning,
    local_minima,
)

DECLARED = {f.name: f for f in bundled()}  # declared as data in grader/declared/families/*.toml
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        gd_linear.FAMILY,
        DECLARED["backprop_222"],  # in the place its hand-written module had
        chain_rule.FAMILY,
        deep_chain.FAMILY,
        local_minima.FAMILY,
        gradient_meaning.FAMILY,
        *DECLARED.values(),
    )
}


class UnknownFamily(KeyError):
    """A family name that is not in the registry."""

    def __str__(self) -> str:
        return f"unknown family {self.args[0]!r}; known: {', '.join(FAMILIES)}"


def get_family(name: str) -> Family:
    """The family registered under ``name``."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise UnknownFamily(name) from None
