"""Answer sheets: the forgiving reader line by line, decoding, and the blank sheet round trip."""

from __future__ import annotations

import codecs
import re
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.course.assignment import parse_assignment
from grader.course.sheets import (
    CONTROLS,
    MAX_BYTES,
    MAX_VALUE,
    MESSAGES,
    answer_sheet,
    asked_ids,
    decode,
    parse_sheet,
)

QUESTIONS = {"q1": ["w_1", "E_1", "dE_dw_expr", "regime"], "q2": ["w_1", "h1", "o1"]}
HW = parse_assignment("""
id = "hw9"
title = "T"
[[questions]]
id = "q1"
family = "gd_linear"
[[questions]]
id = "q2"
family = "backprop_222"
answers = ["h1", "o1", "delta_o1_expr"]
""")


def answers(text: str) -> dict:
    return {q: dict(a) for q, a in parse_sheet(text, QUESTIONS).answers.items() if a}


@pytest.mark.parametrize("line, expected", [
    ("q1.E_1 = 0.5", "0.5"),
    ("q1.E_1: 0.5", "0.5"),
    ("q1.E_1=0.5", "0.5"),
    ("  q1.E_1   =   0.5   ", "0.5"),
    ("q1.E_1 = 0.5  # my comment", "0.5"),
    ("Q1.e_1 = 0.5", "0.5"),
    ("q1 . E_1 = 0.5", "0.5"),
    ("E_1 = 0.5", "0.5"),
    ("q1.E_1：0.5", "0.5"),
    ("q1.E_1 ＝ 0.5", "0.5"),
    ("ｑ１.E_1 = 0.5", "0.5"),
    ('q1.E_1 = "0.5"', "0.5"),
    ("q1.E_1 = `1/2`", "1/2"),
    ("q1.E_1 0.5", "0.5"),
    ("q1.E_1 == 0.5", "0.5"),
    ("q1.E_1 := 0.5", "0.5"),
    ("**q1.E_1** = 0.5", "0.5"),
    ("q1.E_1 = 1/2 * (0.5 - 1)^2", "1/2 * (0.5 - 1)^2"),
    ("q1.E_1 = 0,5", "0,5"),
])
def test_ways_of_writing_one_answer(line, expected):
    assert answers(line) == {"q1": {"E_1": expected}}


def test_formulas_and_choices_need_no_quoting():
    text = "q1.dE_dw_expr = x*(w*x - t)\nq1.regime = oscillating"
    assert answers(text) == {"q1": {"dE_dw_expr": "x*(w*x - t)", "regime": "oscillating"}}


def test_comments_blank_lines_and_blank_answers_are_ignored():
    sheet = parse_sheet("# a comment\n\n   \nq1.E_1 = \nq1.w_1 =   # left blank\n", QUESTIONS)
    assert not any(sheet.answers.values()) and sheet.problems == () and sheet.empty


def test_headers_are_read_anywhere_and_a_second_differing_one_is_reported():
    sheet = parse_sheet("q1.E_1 = 1\nStudent : s001\nassignment: hw1\nstudent: s002\n", QUESTIONS)
    assert (sheet.student, sheet.assignment) == ("s001", "hw1")
    assert [p.line for p in sheet.problems] == [4] and "s002" in sheet.problems[0].text()


def test_a_broken_line_costs_nothing_else_and_is_reported_with_its_line():
    text = "student: s1\nq1.E_1 = 0.5\nthis is not an answer\nq1.w_1 = 0.75\n"
    sheet = parse_sheet(text, QUESTIONS)
    assert dict(sheet.answers["q1"]) == {"E_1": "0.5", "w_1": "0.75"}
    assert [(p.line, p.key) for p in sheet.problems] == [(3, "not_understood")]
    assert "line 3" in sheet.problems[0].text("en") and "第 3 行" in sheet.problems[0].text("zh")


def test_unknown_ids_are_reported_with_a_suggestion_and_cost_nothing():
    sheet = parse_sheet("q1.w1 = 0.75\nq1.E_1 = 1\nq3.zzz = 2\n", QUESTIONS)
    assert dict(sheet.answers["q1"]) == {"E_1": "1"}
    texts = [p.text() for p in sheet.problems]
    assert "`q1.w_1`" in texts[0] and "line 1" in texts[0]
    assert "q3.zzz" in texts[1] and "mean" not in texts[1]
    assert not sheet.invalid


def test_a_key_means_what_each_sheets_questions_say_it_means():
    # the reader remembers keys between sheets: the same key read against other questions is looked up again
    assert parse_sheet("w_1 = 1\n", {"q1": ["w_1"]}).answers == {"q1": {"w_1": "1"}}
    assert parse_sheet("w_1 = 1\n", {"q2": ["w_1"]}).answers == {"q2": {"w_1": "1"}}
    assert parse_sheet("w_1 = 1\n", QUESTIONS).problems[0].key == "ambiguous_id"
    assert parse_sheet("w_1 = 1\n", {"q1": ["w_1"]}).answers == {"q1": {"w_1": "1"}}


def test_an_id_asked_in_two_questions_must_be_qualified():
    sheet = parse_sheet("w_1 = 0.75\n", QUESTIONS)
    assert sheet.problems[0].key == "ambiguous_id" and "q1.w_1" in sheet.problems[0].text()
    assert not any(sheet.answers.values())


def test_an_answer_given_twice_with_different_values_is_invalid_not_guessed():
    sheet = parse_sheet("q1.E_1 = 0.5\nq1.w_1 = 1\nq1.E_1 = 0.25\n", QUESTIONS)
    assert dict(sheet.answers["q1"]) == {"w_1": "1"}
    problem = sheet.invalid["q1", "E_1"]
    assert problem.answer == ("q1", "E_1") and "lines 1, 3" in problem.text()


def test_an_answer_repeated_with_the_same_value_is_fine():
    sheet = parse_sheet("q1.E_1 = 0.5\nq1.E_1 = 0.5\n", QUESTIONS)
    assert dict(sheet.answers["q1"]) == {"E_1": "0.5"} and not sheet.problems


def test_an_over_long_answer_is_invalid():
    sheet = parse_sheet("q1.E_1 = " + "1+" * MAX_VALUE + "1\n", QUESTIONS)
    assert sheet.invalid["q1", "E_1"].key == "too_long" and not sheet.answers["q1"]


def test_line_numbers_of_answers_are_kept():
    sheet = parse_sheet("\n# c\nq1.E_1 = 0.5\n\nq2.h1 = 3\n", QUESTIONS)
    assert sheet.lines == {("q1", "E_1"): 3, ("q2", "h1"): 5}


def test_windows_and_old_mac_line_endings_and_a_bom():
    assert answers("\ufeffq1.E_1 = 0.5\r\nq1.w_1 = 1\rq2.h1 = 2") == {
        "q1": {"E_1": "0.5", "w_1": "1"}, "q2": {"h1": "2"}}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_the_reader_never_raises(text):
    parse_sheet(text, QUESTIONS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["q1.E_1", "q1.w_1", "q2.h1", "q1.regime"]),
                          st.text(alphabet=string.digits + ".-/ e", min_size=1, max_size=12).map(str.strip)
                          .filter(lambda v: v and "#" not in v)), max_size=6, unique_by=lambda p: p[0]))
def test_what_is_written_is_what_is_read(pairs):
    text = "\n".join(f"{k} = {v}" for k, v in pairs)
    got = {f"{q}.{a}": v for q, answers_ in parse_sheet(text, QUESTIONS).answers.items() for a, v in answers_.items()}
    assert got == dict(pairs)


# --- decoding ---------------------------------------------------------------------------

TEXT = "# 答案\nq1.E_1 = 0.5\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT.encode("utf-16"),
    TEXT.encode("utf-32"), TEXT.encode("gb18030"),
])
def test_encodings_students_save_in_are_read(data):
    decoded = decode(data)
    assert decoded.text is not None and parse_sheet(decoded.text, QUESTIONS).answers["q1"] == {"E_1": "0.5"}


def test_gb18030_is_read_with_a_note_to_use_utf8():
    decoded = decode(TEXT.encode("gb18030"))
    assert decoded.note.key == "encoding_gb18030" and "UTF-8" in decoded.note.text("en")


def test_other_bytes_are_replaced_and_the_line_is_named():
    decoded = decode("q1.E_1 = 0.5\n# café crème\n".encode("latin-1"))
    assert decoded.text.startswith("q1.E_1 = 0.5") and decoded.note.key == "encoding_replaced"
    assert "line 2" in decoded.note.text("en")


@pytest.mark.parametrize("data", [
    bytes(range(256)), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00\x06\x00",
    "q1.E_1 = 0.5".encode("utf-16-le"),
])
def test_binary_files_are_recognised(data):
    assert decode(data) == decode(data) and decode(data).reason == "binary"


def test_a_file_larger_than_the_limit_is_refused_without_reading_it_all():
    assert decode(b"q1.E_1 = 1\n" * 10, size=MAX_BYTES + 1).reason == "too_large"
    assert decode(b"x" * (MAX_BYTES + 1)).reason == "too_large"


def test_the_control_characters_counted_are_unicodes_except_tab_and_line_breaks():
    # oracle: unicodedata's category over every code point, not the pattern's ranges
    expected = {chr(c) for c in range(0x110000)
                if unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\t\n\r\f"}
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert set(CONTROLS.findall(text)) == expected and len(CONTROLS.findall(text)) == len(expected)


@pytest.mark.parametrize("controls, binary", [(5, False), (6, True)])
def test_text_with_more_than_5_percent_control_characters_is_binary(controls, binary):
    text = "\x85" * controls + "a" * (100 - controls)  # NEXT LINE (U+0085) is a control character, not ASCII
    assert (decode(text.encode("utf-8")).reason == "binary") is binary


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_decoding_never_raises(data):
    decoded = decode(data)
    assert (decoded.text is None) != (decoded.reason is None)


# --- the blank sheet --------------------------------------------------------------------

def test_the_blank_sheet_lists_every_asked_answer_and_reads_back_empty():
    text = answer_sheet(HW, "s042")
    sheet = parse_sheet(text, asked_ids(HW))
    assert (sheet.student, sheet.assignment, sheet.empty, sheet.problems) == ("s042", "hw9", True, ())
    ids = re.findall(r"^(q\d\.\w+) = $", text, flags=re.M)
    assert ids == [f"{q}.{a}" for q, answers_ in asked_ids(HW).items() for a in answers_]
    assert "q2.delta_o1_expr" in ids and "q2.o2" not in ids


def test_a_filled_in_blank_sheet_reads_back_every_answer():
    text = answer_sheet(HW, "s042", "zh")
    filled = re.sub(r"^(q\d\.(\w+)) = $", lambda m: f"{m.group(1)} = {len(m.group(2))}", text, flags=re.M)
    sheet = parse_sheet(filled, asked_ids(HW))
    assert not sheet.problems
    assert {a: v for a, v in sheet.answers["q2"].items()} == {"h1": "2", "o1": "2", "delta_o1_expr": "13"}


def test_the_blank_sheet_names_formula_symbols_and_options():
    text = answer_sheet(HW, "s1")
    assert "dE_dw_expr: a formula in x, w, t" in text
    assert "regime: one of monotone, one-step, oscillating, bounded, diverging" in text


def test_every_sheet_message_exists_in_both_languages_with_the_same_fields():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "zh"}, key
        fields = [sorted(re.findall(r"{(\w+)}", texts[lang])) for lang in ("en", "zh")]
        assert fields[0] == fields[1], key


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_statement_names_the_answers_its_question_asks_when_it_asks_only_some(lang):
    """hw1's q2 lists every quantity of the family but asks the 13 of its ``answers``: the statement
    says which; q1 asks all of its family's answers and needs no such line."""
    from pathlib import Path

    import tomllib

    from grader.core.grading import expectation
    from grader.core.variants import generate
    from grader.course.sheets import problem_statement

    path = Path(__file__).resolve().parents[1] / "examples" / "hw1.toml"
    assignment = parse_assignment(path.read_text(encoding="utf-8"))
    declared = tomllib.loads(path.read_text(encoding="utf-8"))["questions"][1]["answers"]
    q1, q2 = assignment.question("q1"), assignment.question("q2")
    statements = {q.id: problem_statement(q, expectation(generate(q.family, [assignment.key("s001", q)])[0]), lang)
                  for q in (q1, q2)}
    marker = "**Asked in this assignment**" if lang == "en" else "**本次作业要求作答**"
    line = next(line for line in statements["q2"].splitlines() if line.startswith(marker))
    named = re.findall(r"`([^`]+)`", line)
    assert sorted(named) == sorted(declared) and len(set(named)) == len(named)
    assert marker not in statements["q1"]
