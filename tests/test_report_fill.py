"""The HTML of a report block filled from a cached template equals the block rendered on its own.

Two references: the whole text rendered by markdown-it and sanitised with no template at
all (what a block with new numbers must look like), and the former fill (one
``str.replace`` per placeholder), kept here as a second implementation.
"""

from __future__ import annotations

import random

import pytest

from grader.text import html
from grader.text.html import _MD, BLOCK_MARK, PREFIX_PLACE, SIGNED, _render, _render_inline, _templated, sanitize


def replaced_one_by_one(text: str, render) -> str:
    """The fill as it was: render the marked text, then replace each placeholder in turn."""
    numbers = SIGNED.findall(text)
    if not numbers:
        return render(text)
    marks = [BLOCK_MARK.format(i) for i in range(1, len(numbers) + 1)]
    pieces = SIGNED.split(text)
    rendered = render("".join(p + m for p, m in zip(pieces, [*marks, ""], strict=True)))
    if any(rendered.count(m) != 1 for m in marks):
        return sanitize(_MD.render(text) if render is _render else _MD.renderInline(text))
    for mark, number in zip(marks, numbers, strict=True):
        if number.startswith("-") and f"<mn>{mark}</mn>" in rendered:
            at = rendered.index(f"<mn>{mark}</mn>")
            form = ' form="prefix"' if PREFIX_PLACE.search(rendered, 0, at) else ""
            rendered = rendered.replace(f"<mn>{mark}</mn>", f"<mo{form}>\u2212</mo><mn>{number[1:]}</mn>")
        else:
            rendered = rendered.replace(mark, number)
    return rendered


SHAPES = (
    "$$w_{1} = w_{0} - \\eta \\mathrm{grad}_{1} = {a} - {b} \\left({c}\\right) = {d}$$\n",
    "$$E = \\frac{\\left({a} - {b}\\right)^{2}}{2} = {c}$$\n",
    "**Given:** $i_{1} = {a}$, $i_{2} = {b}$, $w_{1} = {c}$\n",
    "The step is {a} and then {b}; `q1.w_1 = {c}` was read as {d}.\n",
    "$x = {a}$ and $y={b}$ and {c}{d}\n",
    "- {a}\n- {b} [{c}](x)\n",
    "$${a}{b}$$\n",
    "{a}.{b} and {c}.x\n",
    "$$\\eta_{\\mathrm{max}} = \\frac{2}{x^{2}} = \\frac{2}{{a}^{2}} = {b}$$\n",
    "$$h = {a} + {b} \\cdot \\left({c}\\right) = {d}$$\n",
    "{a}) item $x = {b}$\n",
    "**Run {a} epochs** from $w_0 = {b}$; `x = {c}` is {d}\n",
    "- {a} files\n- $y = {b}$, {c}\n",
)


def numbers(rng: random.Random) -> dict[str, str]:
    def one() -> str:
        whole = rng.choice(["0", "1", "12", "7", "0"])
        text = whole if rng.random() < 0.3 else f"{whole}.{rng.randint(0, 10 ** rng.randint(1, 6))}"
        return ("-" if rng.random() < 0.4 else "") + text
    return {k: one() for k in "abcd"}


@pytest.mark.parametrize("seed", range(40))
def test_a_filled_block_equals_the_former_fill_and_the_block_rendered_on_its_own(seed):
    rng = random.Random(seed)
    for shape in SHAPES:
        text = shape
        for key, value in numbers(rng).items():
            text = text.replace("{" + key + "}", value)
        for render, whole in ((_render, _MD.render), (_render_inline, _MD.renderInline)):
            source = text if render is _render else text.strip()
            filled = _templated(source, render)
            assert filled == replaced_one_by_one(source, render), source
            assert filled == sanitize(whole(source)), source


def test_a_template_whose_placeholder_is_shown_twice_is_rendered_whole():
    def doubled(text: str) -> str:  # a renderer that repeats the text: every placeholder shows twice
        return sanitize(_MD.renderInline(text)) * 2
    text = "values 0.25 and -1.5"
    assert _templated(text, doubled) == sanitize(_MD.renderInline(text))
    assert html._fill_plan("values 7.000000017", 1, doubled) is None
