"""Input boxes for the quiz in Jupyter: type an answer, see at once how it is read, check it.

:func:`read_as` is pure: how the grader reads a typed answer (the number, the formula in
LaTeX, the option) or why it cannot. :func:`boxes` builds the ipywidgets form of one step,
one row per answer: a text box, a live "read as …" line under it and the verdict after
Check. The ``q.check(...)`` calls stay for scripts.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import sympy

from grader.core.family import Answer
from grader.core.variants import Variant
from grader.quiz import render
from grader.quiz.text import say
from grader.reading.parser import ParseError, explain, parse, parse_number, to_sympy
from grader.text.messages import OPTION_GLOSSES


def read_as(variant: Variant, answer: Answer, typed: str, lang: str = "en") -> tuple[bool, str]:
    """(readable, what it is read as): a number, a formula in ``$...$`` LaTeX, an option, or the reason.

    >>> from grader.families import get_family
    >>> from grader.core.variants import canonical
    >>> v = canonical(get_family("gd_linear"))
    >>> read_as(v, v.family.answer("w_1"), "1/2")
    (True, '0.5')
    >>> read_as(v, v.family.answer("dE_dw_expr"), "x(wx-t)")
    (True, '$x \\\\left(- t + w x\\\\right)$')
    """
    if not typed.strip():
        return False, ""
    try:
        return READERS[answer.kind](variant, answer, typed, lang)
    except ParseError as error:
        return False, explain(error, lang)


def _read_number(variant: Variant, answer: Answer, typed: str, lang: str) -> tuple[bool, str]:
    return True, f"{parse_number(typed):.6g}"


def _read_formula(variant: Variant, answer: Answer, typed: str, lang: str) -> tuple[bool, str]:
    symbols = variant.family.derivation().symbolic[answer.id].symbols
    formula = to_sympy(parse(typed, symbols), {n: sympy.Symbol(n) for n in symbols})
    return True, f"${sympy.latex(formula)}$"


def _read_option(variant: Variant, answer: Answer, typed: str, lang: str) -> tuple[bool, str]:
    chosen = typed.strip()
    options = {o.lower(): o for o in answer.options}
    options |= {gloss: o for gloss, o in OPTION_GLOSSES.items() if o in answer.options}
    if chosen.lower() in options:
        return True, options[chosen.lower()]
    return False, say("not_an_option", lang, value=chosen[:40], options=", ".join(answer.options))


# How the quiz shows what a typed answer is read as, by answer kind name (a ParseError is the reason
# it cannot be read).
READERS: dict[str, Callable[[Variant, Answer, str, str], tuple[bool, str]]] = {
    "numeric": _read_number, "symbolic": _read_formula, "choice": _read_option,
}


def boxes(quiz, step: str | None = None):
    """The ipywidgets form of one step of ``quiz`` (default: the current one)."""
    session = quiz.session
    step = step or session.step_of(session.current or session.asked[-1])
    rows = [_row(quiz, answer_id) for answer_id in dict(session.steps)[step]]
    names = [s for s, _ in session.steps]
    heading = say("step_heading", quiz.lang, number=names.index(step) + 1, total=len(names),
                  step=session.family.step_name(step, quiz.lang))
    title = widgets.HTML(f"<b>{html.escape(heading)}</b>")
    return widgets.VBox([title, *rows])


def _row(quiz, answer_id: str):
    answer = quiz.session.answer(answer_id)
    box = widgets.Text(description=answer_id, placeholder="/".join(answer.options),
                       continuous_update=True, style={"description_width": "initial"})
    preview = widgets.HTMLMath()
    verdict = widgets.HTMLMath()
    button = widgets.Button(description=say("check_button", quiz.lang))
    box.observe(_previewer(quiz, answer, preview), names="value")

    def check(_=None) -> None:
        verdict.value = render.verdict_html(quiz.check(answer_id, box.value).result, quiz.lang)

    button.on_click(check)
    return widgets.VBox([widgets.HBox([box, button]), preview, verdict])


def _previewer(quiz, answer: Answer, preview) -> Callable:
    def update(change) -> None:
        readable, shown = read_as(quiz.variant, answer, change["new"], quiz.lang)
        if not shown:
            preview.value = ""
        elif readable:
            preview.value = html.escape(say("read_as", quiz.lang, value=shown), quote=False)
        else:
            preview.value = f'<pre style="color:#9a6700;margin:0">{html.escape(shown)}</pre>'

    return update
