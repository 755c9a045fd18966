"""The hostile corpus graded as one class: the run finishes, every roster student has exactly one
row, and nothing a student or a roster wrote is executed (issue 12, "must show").

The class (``tests/hostile_corpus.py``) holds more than a hundred hostile answer sheets, roster
rows and code files. The run goes through ``grader grade`` in this process, so sentinels (an
audit hook and a wrapped ``sympify``) see every compile, exec, os.system and process start,
and every string sympy is asked to read: none may carry a student's text or payload. Every
payload aims at a canary folder, which must stay empty. The worst time per student is printed
by ``benchmarks/bench_hostile.py``.
"""

from __future__ import annotations

import csv
import json
import os
import sys

import pytest
from click.testing import CliRunner

from grader.cli import main
from tests.hostile_corpus import build, hostile_answers

SYMPIFY_MODULE = sys.modules["sympy.core.sympify"]


WATCHING: list[list[str]] = []  # the audit hook records into the innermost list while a run is watched
MARKERS = ("touch", "canary", "__import__", "alert(", "HYPERLINK", "DROP TABLE")


def _audit(event: str, args: tuple) -> None:
    if not WATCHING:
        return
    if event in ("compile", "exec", "os.system", "os.exec", "os.posix_spawn", "subprocess.Popen", "os.spawn"):
        text = repr(args)
        if any(m in text for m in MARKERS):
            WATCHING[-1].append(f"{event}: {text[:120]}")


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one is idle unless WATCHING


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-corpus")
    canary = root / "canary"
    corpus = build(root / "class", canary)
    answers = set(hostile_answers(canary))
    seen: list[str] = []
    real_sympify = SYMPIFY_MODULE.sympify

    def watched_sympify(a, *args, **kwargs):
        if isinstance(a, str) and (a in answers or any(m in a for m in MARKERS)):
            seen.append(f"sympify: {a[:80]}")
        return real_sympify(a, *args, **kwargs)

    WATCHING.append(seen)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(SYMPIFY_MODULE, "sympify", watched_sympify)
            result = CliRunner().invoke(main, ["grade", str(corpus.assignment), str(corpus.submissions),
                                               "--roster", str(corpus.roster), "--out", str(root / "out")])
    finally:
        WATCHING.pop()
    return corpus, root, canary, result, seen


def test_the_sentinels_see_what_they_guard(tmp_path):
    seen: list[str] = []
    WATCHING.append(seen)
    try:
        eval(compile("'touch'", "<test>", "eval"))  # noqa: S307 - the sentinel's own test
        os.system("true # canary")  # noqa: S605
    finally:
        WATCHING.pop()
    assert [s.split(":")[0] for s in seen] == ["compile", "os.system"]  # exec sees a code object, compile its source


def test_the_corpus_is_large_enough(graded):
    corpus = graded[0]
    assert corpus.sheets + corpus.roster_rows + corpus.code_files >= 100
    assert corpus.sheets >= 70 and corpus.roster_rows >= 30 and corpus.code_files >= 10


def test_the_run_finishes_and_writes_the_gradebook(graded):
    corpus, root, _, result, _ = graded
    assert result.exit_code == 0, result.output
    assert result.exception is None
    for name in ("gradebook.csv", "gradebook.json", "summary.html"):
        assert (root / "out" / name).is_file()


def test_every_roster_student_has_exactly_one_row(graded):
    corpus, root, *_ = graded
    with (root / "out" / "gradebook.csv").open(encoding="utf-8", newline="") as handle:
        book = list(csv.DictReader(handle))
    ids = [r["student_id"] for r in book]
    neutral = [s if not s.startswith(("=", "+", "-", "@")) else "'" + s for s in corpus.students]
    assert ids == neutral
    rows = json.loads((root / "out" / "gradebook.json").read_text(encoding="utf-8"))["students"]
    assert [r["id"] for r in rows] == corpus.students
    reports = list((root / "out" / "reports").glob("*.md"))
    assert len(reports) == len(corpus.students)


def test_every_row_is_graded_or_says_why(graded):
    _, root, *_ = graded
    rows = json.loads((root / "out" / "gradebook.json").read_text(encoding="utf-8"))["students"]
    for row in rows:
        assert row["status"] == "graded" or row["reason"], row
        assert row["status"] != "grading_error", row  # no grader bug, no stall


def test_the_attacks_on_reading_are_flagged_for_their_students(graded):
    _, root, *_ = graded
    rows = {r["id"]: r for r in json.loads((root / "out" / "gradebook.json").read_text(encoding="utf-8"))["students"]}
    expected = {"sp_binary": "unreadable", "sp_huge": "unreadable", "sp_empty": "empty", "sp_nul": "unreadable",
                "sp_other": "other_student", "sp_dup": "duplicate", "sp_link": "unreadable", "sp_pipe": "unreadable"}
    assert {sid: rows[sid]["status"] for sid in expected} == expected
    for sid in ("bomb0", "bomb1", "bomb2", "bomb3"):
        assert rows[sid]["status"] == "graded"
        assert rows[sid]["questions"]["q2"]["answers"]["delta_o1_expr"]["status"] in ("incorrect", "invalid")


def test_nothing_executed(graded):
    _, _, canary, result, seen = graded
    assert list(canary.iterdir()) == []
    assert seen == []
    assert "\x1b" not in result.output
