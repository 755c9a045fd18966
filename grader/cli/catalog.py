"""The families' names, versions and summaries, read without building any family.

``grader --help`` and ``grader list`` use this, so that they start at once: building a family
imports sympy and derives its model. The hand-written families are listed here and the
declared ones are read from the three fields at the top of their TOML files; a test checks
that the result matches :data:`grader.families.FAMILIES`, in order.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DECLARED = Path(__file__).resolve().parents[1] / "declared" / "families"


@dataclass(frozen=True)
class Entry:
    """What ``grader list`` shows of a family."""

    name: str
    version: int
    summary: Mapping[str, str]


# The registry's order: these first (a declared family among them in the place its module had), then
# the other declared families in file-name order.
LEADING = ("gd_linear", "backprop_222", "chain_rule", "deep_chain", "local_minima", "gradient_meaning")

BUILT_IN = (
    Entry("gd_linear", 2, {
        "en": "Gradient descent on f(x)=wx with E=1/2(wx-t)^2: epochs, derivative, learning-rate regimes",
        "zh": "在 f(x)=wx、E=1/2(wx-t)^2 上做梯度下降:逐轮计算、导数、学习率的几种情形"}),
    Entry("chain_rule", 2, {
        "en": "The chain rule h'(x) = f'(g(x)) g'(x) on a random two- or three-layer composition",
        "zh": "链式法则 h'(x) = f'(g(x)) g'(x):随机的两层或三层复合函数"}),
    Entry("deep_chain", 2, {
        "en": "Backpropagation through a chain of one-neuron sigmoid layers: deltas, gradients, updates",
        "zh": "每层一个神经元的 Sigmoid 网络的反向传播:误差项递推、梯度与参数更新"}),
    Entry("local_minima", 2, {
        "en": "Gradient descent on a tilted double well: first steps, and which minimum it ends in",
        "zh": "在倾斜的双势阱损失上做梯度下降:前几步迭代,以及最终停在哪个极小值"}),
    Entry("gradient_meaning", 2, {
        "en": "What a gradient means: sign and size, sensitivity, loss versus gradient, blame from the last layer back",
        "zh": "梯度的含义:符号与大小、敏感程度、损失与梯度的区别、从最后一层往前追查责任"}),
)


def catalog() -> tuple[Entry, ...]:
    """Every family's entry, in the order of :data:`grader.families.FAMILIES`."""
    declared = []
    for path in sorted(DECLARED.glob("*.toml"), key=lambda p: p.name):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        declared.append(Entry(data["name"], data.get("version", 1), data["summary"]))
    entries = {entry.name: entry for entry in (*BUILT_IN, *declared)}
    return (*(entries[name] for name in LEADING), *(e for e in declared if e.name not in LEADING))
