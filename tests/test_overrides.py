"""Overrides: merged when grading, shown in the gradebook and the report, kept across re-grades."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.core.grading import AnswerResult, Result
from grader.course.assignment import parse_assignment
from grader.course.overrides import (
    MESSAGES,
    Override,
    OverrideError,
    apply_overrides,
    parse_overrides,
    with_report_section,
)
from grader.course.roster import Student
from grader.course.rows import Row

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER = "student,question,answer,points,reason\n"


def run(*args, ok: bool = True):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, result.output
    return result


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> dict:
    """The bundled class graded without overrides: each student's JSON row."""
    out = tmp_path_factory.mktemp("plain")
    run("grade", EXAMPLES / "hw1.toml", EXAMPLES / "submissions", "--out", out)
    return {s["id"]: s for s in json.loads((out / "gradebook.json").read_text(encoding="utf-8"))["students"]}


def course(tmp_path: Path, overrides: str | None) -> Path:
    folder = tmp_path / "course"
    folder.mkdir(exist_ok=True)
    for name in ("hw1.toml", "roster.csv"):
        shutil.copy(EXAMPLES / name, folder / name)
    if overrides is not None:
        (folder / "overrides.csv").write_text(HEADER + overrides, encoding="utf-8")
    return folder / "hw1.toml"


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as handle:
        return {r["student_id"]: r for r in csv.DictReader(handle)}


OVERRIDES = ('s002,q1,w_2,1,"slip copying w_1, checked by hand"\n'
             "s003,q3,total,6,sandbox time-out on a loaded machine\n"
             "s004,q1,total,5,paper copy\n")


def test_overrides_survive_grading_again_and_show_in_gradebook_report_and_audit(plain, tmp_path):
    assignment = course(tmp_path, OVERRIDES)
    out = tmp_path / "out"
    first = run("grade", assignment, EXAMPLES / "submissions", "--out", out).output
    before = gradebook(out)
    second = run("grade", assignment, EXAMPLES / "submissions", "--out", out).output
    assert gradebook(out) == before  # graded again: the overrides are applied again
    for output in (first, second):
        assert "3 overrides from" in output and "line 4: s004 is not graded" in output
    s002, s003 = plain["s002"], plain["s003"]
    w2 = s002["questions"]["q1"]["answers"]["w_2"]["score"]
    assert w2 < 1  # the override changes something
    q1 = s002["questions"]["q1"]["score"] - w2 + 1
    assert float(before["s002"]["q1"]) == pytest.approx(q1)
    assert float(before["s002"]["total"]) == pytest.approx(s002["score"] - w2 + 1)
    assert float(before["s003"]["q3"]) == 6 and float(before["s003"]["total"]) == pytest.approx(s003["score"] - 2 + 6)
    assert "checked by hand" in before["s002"]["reason"] and "sandbox time-out" in before["s003"]["reason"]
    assert before["s004"]["total"] == "" and before["s004"]["status"] == "missing"
    report = (out / "reports" / "s002.md").read_text(encoding="utf-8")
    assert "## Changes by your teacher" in report and "Changed by your teacher to 1" in report
    assert report.index("Changes by your teacher") < report.index("## Question q1")
    assert "**Score: " + before["s002"]["total"] + " / 40**" in report
    assert "sandbox time-out" in (out / "reports" / "s003.html").read_text(encoding="utf-8")
    audit = list(csv.DictReader((out / "overrides_audit.csv").open(encoding="utf-8")))
    assert [(a["student"], a["graded"], a["override"], a["applied"]) for a in audit] == [
        ("s002", f"{w2:g}", "1", "yes"), ("s003", "2", "6", "yes"), ("s004", "", "5", "no: not graded")]
    (assignment.parent / "overrides.csv").unlink()  # a run without them says so and reverts
    third = run("grade", assignment, EXAMPLES / "submissions", "--out", out).output
    assert "the previous grading applied overrides" in third
    assert float(gradebook(out)["s003"]["q3"]) == 2 and (out / "overrides_audit.previous.csv").is_file()


def test_overrides_in_chinese_report(tmp_path):
    assignment = course(tmp_path, "s001,q1,regime,0,判断错误\n")
    run("grade", assignment, EXAMPLES / "submissions", "--out", tmp_path / "out", "--lang", "zh")
    report = (tmp_path / "out" / "reports" / "s001.md").read_text(encoding="utf-8")
    assert "## 老师的改动" in report and "判断错误" in report and "**得分:38 / 40**" in report


@pytest.mark.parametrize("line, words", [
    ("s999,q1,w_2,1,x", "line 2: student 's999' is not on the roster"),
    ("s001,q9,w_2,1,x", "line 2: question 'q9' is not in the assignment"),
    ("s001,q1,w_9,1,x", "line 2: question q1 has no answer 'w_9'"),
    ("s001,q1,w_2,1.5,x", "line 2: points '1.5' must be a number from 0 to 1"),
    ("s001,q1,total,-1,x", "must be a number from 0 to 13"),
    ("s001,q1,total,nan,x", "points 'nan'"),
    ("s001,q3,hidden_deltas,3,x", "from 0 to 2"),
    ("s001,q1,w_2,1,", "line 2: the reason is blank"),
    ("s001,q1,w_2,1,x\ns001,q1,w_2,0,y", "line 3: s001 q1 w_2 is already overridden on line 2"),
])
def test_a_bad_overrides_file_stops_the_run_with_each_line_named(tmp_path, line, words):
    assignment = course(tmp_path, line + "\n")
    result = run("grade", assignment, EXAMPLES / "submissions", "--out", tmp_path / "out", ok=False)
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "gradebook.csv").exists()


def test_every_problem_is_listed_and_the_header_is_checked():
    assignment = parse_assignment((EXAMPLES / "hw1.toml").read_text(encoding="utf-8"))
    with pytest.raises(OverrideError) as error:
        parse_overrides(HEADER + "s9,q1,w_2,1,x\ns001,q1,w_2,9,x\n", assignment, ["s001"])
    assert "line 2" in str(error.value) and "line 3" in str(error.value)
    hostile = parse_overrides(HEADER + 's001,q1,w_2,1,"fine\n## Score: 40 / 40"\n', assignment, ["s001"])
    assert hostile[0].reason == "fine ## Score: 40 / 40"  # one line: no heading injected in the report
    with pytest.raises(OverrideError, match="must have the columns student, question, answer, points, reason"):
        parse_overrides("student,points\ns001,1\n", assignment, ["s001"])


def test_apply_overrides_by_hand():
    answers = (AnswerResult("a", "incorrect", 0.0, 2.0, "no"), AnswerResult("b", "correct", 1.0, 1.0, "yes"))
    row = Row(Student("s1"), "graded", results=(("q1", Result(answers)), ("q2", Result(answers))),
              maxima=(("q1", 3.0), ("q2", 3.0)))
    changed = apply_overrides(row, [Override(2, "s1", "q1", "a", 1.5, "partly right"),
                                    Override(3, "s1", "q2", "total", 2.5, "re-marked")])
    q1, q2 = (r for _, r in changed.results)
    assert (q1.score, q2.score, changed.score) == (2.5, 2.5, 5.0)  # 1.5 + 1; set to 2.5
    assert q1.answer("a").status == "incorrect" and q1.answer("a").feedback.startswith("Changed by your teacher")
    assert [a.score for a in q2.answers] == [0.0, 1.0]  # the answers stay as graded
    markdown = with_report_section("# T\n\n**Score: 5 / 6**\n\n## Question q1\n", changed)
    assert markdown.index("partly right") < markdown.index("## Question q1") and "re-marked" in markdown
    assert apply_overrides(row, []) is row


def test_messages_in_both_languages():
    for key, entry in MESSAGES.items():
        assert set(entry) == {"en", "zh"}, key
