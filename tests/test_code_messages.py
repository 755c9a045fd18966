"""The code grader's messages: every one in English and Chinese with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from grader.code.checks import Note, Tally
from grader.code.exercises import EXERCISES
from grader.code.grade_code import failure_note, render
from grader.code.messages import LANGS, MESSAGES, message, names_text
from grader.code.sandbox import Failure


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_both_languages_and_the_same_placeholders(key):
    table = MESSAGES[key]
    assert set(LANGS) <= set(table)
    assert placeholders(table["en"]) == placeholders(table["zh"])
    for lang in LANGS:
        if f"{lang}_plural" in table:
            assert placeholders(table[f"{lang}_plural"]) <= placeholders(table[lang])
    assert not re.search(r"[\u4e00-\u9fff]", table["en"])
    assert re.search(r"[\u4e00-\u9fff]", table["zh"])


def test_every_exercise_and_test_has_a_title_in_both_languages():
    for exercise in EXERCISES.values():
        assert set(exercise.title) == set(LANGS)
        for title in exercise.tests.values():
            assert set(title) == set(LANGS) and all(title.values())


def test_names_are_joined_and_plural_forms_chosen():
    assert names_text(["a"], "en") == "a"
    assert names_text(["a", "b", "c"], "en") == "a, b and c"
    assert names_text(["a", "b"], "zh") == "a、b"
    assert message("wrong_sign", "en", ["dE/dw5"]) == "Your dE/dw5 has the wrong sign."
    assert message("wrong_sign", "en", ["dE/dw5", "dE/dw7"]) == "Your dE/dw5 and dE/dw7 have the wrong sign."
    assert message("wrong_sign", "zh", ["dE/dw5"]) == "你的 dE/dw5 符号反了。"


def test_notes_about_values_merge_into_one_sentence():
    tally = Tally()
    tally.check(Note("wrong_value", ("a",), (("given", "1"),)))
    tally.check(Note("wrong_value", ("b",), (("given", "2"),)))
    tally.check(None)
    assert render(tally, "en") == "Your a and b are not the expected values. 1 of 3 checks passed."
    assert render(tally, "zh") == "你的 a、b 不是正确的值。 3 项检查中通过 1 项。"


@pytest.mark.parametrize("failure, words", [
    (Failure("timeout", "time limit of 2 s"), "did not finish within 2 s"),
    (Failure("blocked", "read: /etc/passwd"), "tried to read /etc/passwd"),
    (Failure("blocked", "network: socket.__new__"), "tried to use the network"),
    (Failure("blocked", "process: os.fork"), "(os.fork)"),
    (Failure("exception", "ZeroDivisionError: division by zero", line=7),
     "raised ZeroDivisionError: division by zero at line 7"),
    (Failure("not_implemented", "NotImplementedError: x"), "is not implemented yet"),
    (Failure("missing", "f"), "Your file has no function f"),
    (Failure("crash", "killed by signal SIGSEGV"), "Python crashed while running f (killed by signal SIGSEGV)"),
    (Failure("output", "more than 1048576 bytes of output"), "printed too much (more than 1048576 bytes"),
    (Failure("something new", "?"), "not your fault"),
])
def test_failures_become_sentences(failure, words):
    tally = Tally()
    tally.check(failure_note(failure, "f"))
    assert words in render(tally, "en")
    assert render(tally, "zh")
