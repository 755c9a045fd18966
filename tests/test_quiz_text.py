"""Every quiz message and step name exists in English and Chinese with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from grader.core.grading import expectation
from grader.core.variants import canonical
from grader.families import FAMILIES, get_family
from grader.quiz import render
from grader.quiz import session as quiz
from grader.quiz.explain import Worked
from grader.quiz.text import LANGS, MESSAGES, say

HAN = re.compile(r"[\u4e00-\u9fff]")
CHINESE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")  # characters or full-width punctuation


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("table", [MESSAGES, *(f.step_names for f in FAMILIES.values())],
                         ids=["messages", *(f"steps of {name}" for name in FAMILIES)])
def test_every_entry_has_both_languages_with_the_same_placeholders(table):
    for key, texts in table.items():
        assert set(texts) == set(LANGS), key
        assert all(t.strip() for t in texts.values()), key
        assert _fields(texts["en"]) == _fields(texts["zh"]), key
        assert CHINESE.search(texts["zh"]), f"{key}: the Chinese text is not Chinese"


def test_every_step_of_every_family_is_translated():
    for fam in FAMILIES.values():
        for answer in fam.answers:
            assert HAN.search(fam.step_name(answer.step, "zh")), f"{fam.name}: step {answer.step!r} has no translation"
            assert fam.step_name(answer.step, "en") == answer.step


def test_numbered_steps():
    assert get_family("gd_linear").step_name("epoch 2", "zh") == "第 2 轮"
    assert get_family("momentum_linear").step_name("epoch 2", "zh") == "第 2 轮"  # declared: "epoch {k}"
    assert get_family("local_minima").step_name("step 3", "en") == "step 3"
    assert get_family("local_minima").step_name("step 3", "zh") == "第 3 次迭代"
    assert get_family("gd_linear").step_name("something new", "zh") == "something new"


def test_the_same_steps_are_explained_in_both_languages():
    """A hint, a solution, a verdict and the summary exist in each language for the same step."""
    v = canonical(get_family("backprop_222"))
    worked, expected = Worked(v), expectation(v)
    shown = {}
    for lang in LANGS:
        session = quiz.new_session(v, lang)
        session, result = quiz.submit(session, expected, "delta_o1", "0.74137")
        session, h = quiz.use_hint(session, worked, "delta_h1")
        session, s = quiz.show_solution(session, worked, "hidden deltas")
        shown[lang] = (render.verdict_text(result, lang), render.hint_text(h), render.solution_text(s),
                       render.summary_text(quiz.summarize(session, expected), lang))
    for en, zh in zip(shown["en"], shown["zh"], strict=True):
        assert en != zh and HAN.search(zh) and not HAN.search(en)
    # the formulas are the same in both languages
    assert shown["en"][2].splitlines()[1:] == shown["zh"][2].splitlines()[1:]
    assert "可能的错误" in shown["zh"][0] and "Likely mistake" in shown["en"][0]


def test_unknown_language_falls_back_to_english():
    assert say("stopped", "fr") == say("stopped", "en")
