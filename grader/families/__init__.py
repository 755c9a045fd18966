"""The registry of exercise families, one module each."""

from __future__ import annotations

from grader.declared import bundled
from grader.families import (
    backprop_222,
    chain_rule,
    deep_chain,
    gd_linear,
    gradient_meaning,
    local_minima,
)
from grader.family import Family

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        gd_linear.FAMILY,
        backprop_222.FAMILY,
        chain_rule.FAMILY,
        deep_chain.FAMILY,
        local_minima.FAMILY,
        gradient_meaning.FAMILY,
        *bundled(),  # declared as data in grader/declared/families/*.toml
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
