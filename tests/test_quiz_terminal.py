"""`grader quiz` end to end: through a real pseudo-terminal (pexpect) and through a pipe.

The answers typed come from the core answer key (grader.core.keys.answer_key), not from the quiz
code; the wrong answer is the seed's delta formula with sigma' dropped, worked out here by hand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.core.grading import expectation
from grader.core.keys import answer_key
from grader.families import FAMILIES, get_family
from grader.quiz import terminal
from grader.quiz.session import new_session, quiz_variant

pexpect = pytest.importorskip("pexpect")

SEED = 11
COMMAND = [sys.executable, "-c", "from grader.cli import main; main()"]


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update({"GRADER_DATA_DIR": str(data_dir), "TERM": "xterm", "PYTHONIOENCODING": "utf-8"})
    return env


def _typed(entry) -> str:
    return f"{entry.value:.6g}" if entry.kind == "numeric" else entry.exact


def _progress(data_dir) -> dict:
    return json.loads((data_dir / "progress.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def key():
    return answer_key(quiz_variant(get_family("backprop_222"), SEED))


def test_whole_backprop_variant_in_a_pseudo_terminal(tmp_path, key):
    child = pexpect.spawn(COMMAND[0], [*COMMAND[1:], "quiz", "--topic", "backprop_222", "--seed", str(SEED)],
                          env=_env(tmp_path), encoding="utf-8", timeout=60, dimensions=(50, 200))
    transcript = []
    child.logfile_read = _Collect(transcript)
    child.expect_exact(f"Self-quiz: backprop_222 (seed {SEED}")
    for answer_id, entry in key.items():
        child.expect_exact(f"{answer_id} > ")
        if answer_id == "delta_o1":
            without_sigma_prime = key["o1"].value - float(quiz_variant(get_family("backprop_222"), SEED).params["t1"])
            child.sendline(f"{without_sigma_prime:.6g}")
            child.expect_exact("Likely mistake: the activation derivative σ′ = a(1 − a) is missing")
            child.expect_exact("Try again")
            child.expect_exact("delta_o1 > ")
        if answer_id == "delta_h1":  # hints come one at a time: the idea, then the formula
            child.sendline("?")
            child.expect_exact("Hint 1/3 for delta_h1: delta_h1 is computed from delta_o1, delta_o2, h1, w5, w7.")
            child.expect_exact("delta_h1 > ")
            child.sendline("?")
            child.expect_exact("Hint 2/3 for delta_h1:")
            child.expect_exact("delta_h1 = h1*(1 - h1)*(delta_o1*w5 + delta_o2*w7)")
            child.expect_exact("delta_h1 > ")
        if answer_id.endswith("_new"):  # s reveals this answer only; the next one is still asked
            child.sendline("s")
            child.expect_exact(f"Worked solution (updates): {answer_id}")
            if answer_id == "w1_new":
                child.expect_exact("w1_new = w1 - dE_dw1*eta = ")
                child.expect_exact(f"{key['w1_new'].value:.6g}")
            child.expect_exact(f"Picture: grader plot network --seed {SEED}")
            continue
        child.sendline(_typed(entry))
        child.expect_exact(f"✓ {answer_id} = ")
    child.expect_exact("All steps done.")
    child.expect_exact("Summary")
    child.expect_exact("Score 31 of 41 (37 answers asked).")
    child.expect_exact("26 right at the first try, 1 right after another try, 0 left wrong, 10 from the shown solution")
    child.expect_exact("updates: 0/10 right")
    child.expect_exact("Mistakes to watch:")
    child.expect_exact("    delta_o1: Likely mistake: the activation derivative σ′")
    child.expect_exact("Hints used: 2.")
    child.expect_exact("Progress saved to")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "\x1b[32m" in "".join(transcript), "a terminal gets colour"

    progress = _progress(tmp_path)["families"]["backprop_222"]
    assert progress["sessions"] == 1
    answers = progress["answers"]
    assert answers["h1_in"] == {"right": 1, "wrong": 0, "hints": 0}
    assert answers["delta_o1"] == {"right": 0, "wrong": 1, "hints": 0}
    assert answers["delta_h1"] == {"right": 1, "wrong": 0, "hints": 2}
    assert all(answers[a] == {"right": 0, "wrong": 1, "hints": 0} for a in key if a.endswith("_new"))
    assert progress["mistakes"] == {"activation_derivative_dropped": 1}
    assert len(answers) == len(key)

    # A second, shorter quiz through a pipe adds to the same record.
    first = f"{key['h1_in'].value:.6g}\n0.123\n\nq\n"
    run = subprocess.run([*COMMAND, "quiz", "--topic", "backprop_222", "--seed", str(SEED)], input=first,
                         capture_output=True, text=True, encoding="utf-8", env=_env(tmp_path), timeout=120)
    assert run.returncode == 0, run.stderr
    again = _progress(tmp_path)["families"]["backprop_222"]
    assert again["sessions"] == 2
    assert again["answers"]["h1_in"] == {"right": 2, "wrong": 0, "hints": 0}
    assert again["answers"]["h2_in"] == {"right": 1, "wrong": 1, "hints": 0}
    assert again["answers"]["h1"] == answers["h1"], "an answer not reached is not recorded"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.json", "unfinished.json"], "no temporary files"
    stopped = json.loads((tmp_path / "unfinished.json").read_text(encoding="utf-8"))["quizzes"]["backprop_222"]
    assert stopped["seed"] == SEED and [a["given"] for a in stopped["answers"][:2]] == [[first.split()[0]], ["0.123"]]


class _Collect:
    """A file-like sink for pexpect's log."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass


def _pipe(args, text, data_dir):
    return subprocess.run([*COMMAND, "quiz", *args], input=text, capture_output=True, text=True,
                          encoding="utf-8", env=_env(data_dir), timeout=120)


def test_a_pipe_gets_no_colour_and_end_of_input_stops(tmp_path):
    run = _pipe(["--topic", "gd_linear", "--canonical"], "x*(w*x - t)\n0\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "\x1b[" not in run.stdout
    assert "✓ dE_dw_expr" in run.stdout and "✓ pred_1 = 0" in run.stdout
    assert "Stopped." in run.stdout and "Summary" in run.stdout
    assert "Score 3 of 12" in run.stdout


def test_chinese_quiz(tmp_path):
    run = _pipe(["--topic", "gd_linear", "--canonical", "--lang", "zh"], "?\n0.5\ns\nq\n", tmp_path)
    assert run.returncode == 0, run.stderr
    for text in ("第 1/4 步:求导", "dE_dw_expr 的提示 1/2:", "详细解答(求导):dE_dw_expr", "错误", "小结",
                 "进度已保存到"):
        assert text in run.stdout


def test_review_asks_the_step_most_often_wrong(tmp_path):
    record = {"version": 1, "families": {
        "backprop_222": {"sessions": 3, "answers": {
            "delta_h1": {"right": 0, "wrong": 3, "hints": 2}, "delta_h2": {"right": 1, "wrong": 2, "hints": 0},
            "o1": {"right": 3, "wrong": 1, "hints": 0}}, "mistakes": {}},
        "gd_linear": {"sessions": 1, "answers": {"w_1": {"right": 0, "wrong": 2, "hints": 0}}, "mistakes": {}}}}
    (tmp_path / "progress.json").write_text(json.dumps(record), encoding="utf-8")
    run = _pipe(["--review", "--seed", "5"], "q\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Review: backprop_222, step 'hidden deltas' (5 wrong of 6 so far)." in run.stdout
    assert "Given from the earlier steps:" in run.stdout and "    delta_o2 = " in run.stdout
    assert "Step 1/1: hidden deltas" in run.stdout and "delta_h1 > " in run.stdout
    assert _progress(tmp_path)["families"]["backprop_222"]["sessions"] == 4


def test_review_with_nothing_recorded_starts_a_normal_quiz(tmp_path):
    run = _pipe(["--review", "--seed", "5"], "", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Nothing to review yet" in run.stdout and "Step 1/7: forward pass" in run.stdout


def test_unreadable_progress_file_is_kept_aside(tmp_path):
    (tmp_path / "progress.json").write_text("{not json", encoding="utf-8")
    run = _pipe(["--topic", "gd_linear", "--canonical"], "q\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "could not be read" in run.stderr and "Traceback" not in run.stderr
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("progress.json.unreadable-")]
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{not json"
    assert _progress(tmp_path)["families"]["gd_linear"]["sessions"] == 1


def test_garbage_answers_are_explained_not_crashing(tmp_path):
    run = _pipe(["--topic", "backprop_222", "--canonical", "--no-save"], "1/0\nabc\n)(\n\nq\n", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stdout.count("not readable") == 3
    assert not (tmp_path / "progress.json").exists()


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_can_be_finished_with_full_marks(family):
    """The terminal loop in-process, fed the key: every answer is accepted and the score is full."""
    chosen = quiz_variant(get_family(family), 2)
    typed = iter([_typed(entry) for entry in answer_key(chosen).values()])
    written: list[str] = []
    console = terminal.Console(lambda: next(typed, None), lambda text, style: written.append(text))
    final = terminal.run(new_session(chosen), expectation(chosen), console, "title")
    output = "".join(written)
    assert final.finished and not final.stopped, output
    assert all(s.outcome == "first" for s in final.states), output
    points = sum(a.points for a in chosen.family.answers)
    assert f"Score {points:g} of {points:g}" in output


def test_ctrl_c_at_the_prompt_stops_with_a_summary(tmp_path):
    child = pexpect.spawn(COMMAND[0], [*COMMAND[1:], "quiz", "--topic", "gd_linear", "--canonical"],
                          env=_env(tmp_path), encoding="utf-8", timeout=60)
    child.expect_exact("dE_dw_expr > ")
    child.sendintr()
    child.expect_exact("Stopped.")
    child.expect_exact("Summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in child.before
