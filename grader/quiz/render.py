"""Quiz objects as plain text (terminal, ``__str__``) and as HTML with LaTeX (Jupyter).

One function per object and medium; the notebook's MathJax typesets ``$...$`` in HTML.
"""

from __future__ import annotations

import html
import re

from grader.core.grading import AnswerResult
from grader.quiz.explain import Hint, Line, StepSolution
from grader.quiz.session import Summary
from grader.quiz.text import say
from grader.text.messages import message

MARKS = {"correct": "✓", "incorrect": "✗", "invalid": "?", "missing": "·"}
COLOURS = {"correct": "#1a7f37", "incorrect": "#cf222e", "invalid": "#9a6700", "missing": "#57606a"}


def _feedback(result: AnswerResult, lang: str) -> str:
    """The grader's feedback without a closing sentence that only repeats the verdict ('right. Correct.');
    a formula keeps how it was read ('right. Read as …')."""
    correct = message("correct", lang)
    return result.feedback.removesuffix(correct).rstrip() if result.status == "correct" else result.feedback


def verdict_text(result: AnswerResult, lang: str = "en") -> str:
    """'✓ delta_o1 = 0.1385: right.' or '✗ delta_o1 = 0.7414: wrong. Likely mistake: …'"""
    return say("verdict_line", lang, mark=MARKS[result.status], answer=result.id,
               given=f" = {result.given}" if result.given else "", verdict=say("verdict_" + result.status, lang),
               feedback=_feedback(result, lang)).rstrip()


def hint_text(h: Hint) -> str:
    """The hint as indented lines."""
    return "\n".join(
        [f"{h.heading} {h.lead}", *(f"    {line.text}" for line in h.lines), *(f"    {note}" for note in h.notes)]
    )


def solution_text(s: StepSolution) -> str:
    """The worked solution as indented lines."""
    return "\n".join([s.heading, *(f"    {line.text}" for line in s.lines)])


def summary_text(summary: Summary, lang: str = "en") -> str:
    """The closing summary: score, outcome counts, each step, the named mistakes, hints."""
    lines = [
        f"== {say('summary_heading', lang)} ==",
        say("summary_score", lang, score=summary.score, max=summary.max, asked=summary.asked),
        say(
            "summary_counts",
            lang,
            first=summary.count("first"),
            later=summary.count("later"),
            wrong=summary.count("wrong"),
            shown=summary.count("shown"),
            open=summary.count("open"),
        ),
        *(
            "    " + say("summary_step", lang, step=summary.family.step_name(t.step, lang), right=t.right,
                        total=t.total)
            for t in summary.steps
        ),
    ]
    if summary.mistakes:
        lines.append(say("summary_mistakes", lang))
        lines.extend(f"    {answer_id}: {feedback}" for answer_id, feedback in summary.mistakes)
    lines.append(say("summary_hints", lang, count=summary.hints))
    return "\n".join(lines)


def _math(line: Line, display: bool = False) -> str:
    """A line for MathJax: a formula in dollars, or a sentence whose ``$...$`` MathJax typesets."""
    escaped = html.escape(line.tex, quote=False)
    if line.prose:
        return re.sub(r"`([^`]*)`", r"<code>\1</code>", escaped)
    return f"$${escaped}$$" if display else f"${escaped}$"


def verdict_html(result: AnswerResult, lang: str = "en") -> str:
    """A coloured verdict box."""
    colour = COLOURS[result.status]
    given = f" = <code>{html.escape(result.given)}</code>" if result.given else ""
    return (
        f'<div style="border-left:4px solid {colour};padding:4px 10px;margin:4px 0">'
        f'<b style="color:{colour}">{MARKS[result.status]} {html.escape(say("verdict_" + result.status, lang))}</b>'
        f" <code>{html.escape(result.id)}</code>{given}: {html.escape(_feedback(result, lang))}</div>"
    )


def hint_html(h: Hint) -> str:
    """The hint with its formulas typeset."""
    items = "".join(f"<li>{_math(line)}</li>" for line in h.lines)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in h.notes)
    return (
        f'<div style="border-left:4px solid #0969da;padding:4px 10px;margin:4px 0">'
        f"<b>{html.escape(h.heading)}</b> {html.escape(h.lead)}<ul>{items}{notes}</ul></div>"
    )


def solution_html(s: StepSolution) -> str:
    """The worked solution of one step, one displayed formula per line."""
    body = "".join(f"<div>{_math(line, display=True)}</div>" for line in s.lines)
    return f"<h4>{html.escape(s.heading)}</h4>{body}"


def summary_html(summary: Summary, lang: str = "en") -> str:
    """The summary as a short HTML block."""
    lines = summary_text(summary, lang).splitlines()
    return "<div><b>{}</b><br>{}</div>".format(
        html.escape(lines[0].strip("= ")), "<br>".join(html.escape(x.strip()) for x in lines[1:])
    )
