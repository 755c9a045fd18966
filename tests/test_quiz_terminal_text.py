"""The terminal quiz reads like text: no raw Markdown or LaTeX, in every family and both languages.

Driven through a real pseudo-terminal (pexpect): at every answer the student asks for each
hint, then the worked solution, so every statement, hint and solution text is shown once.
Also: a stopped quiz resumes with the same command, and ``n`` gives another one like this.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from grader.core.keys import answer_key
from grader.families import FAMILIES, get_family
from grader.quiz.plain import math_text, to_text
from grader.quiz.session import quiz_variant

pexpect = pytest.importorskip("pexpect")

COMMAND = [sys.executable, "-c", "from grader.cli import main; main()"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
RAW = ("$", "\\frac", "\\left", "\\tfrac", "\\dfrac", "\\mathrm", "**", "\\delta", "\\eta", "^{", "_{")


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADER_")}
    env.update({"GRADER_DATA_DIR": str(data_dir), "TERM": "xterm", "PYTHONIOENCODING": "utf-8"})
    return env


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_everything_shown_in_the_terminal_is_text(tmp_path, family, lang):
    seed = 3
    answers = list(answer_key(quiz_variant(get_family(family), seed)))
    child = pexpect.spawn(COMMAND[0], [*COMMAND[1:], "quiz", "--topic", family, "--seed", str(seed), "--lang", lang,
                                       "--no-save"], env=_env(tmp_path), encoding="utf-8", timeout=60,
                          dimensions=(50, 200))
    child.delaybeforesend = None
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    for answer_id in answers:
        child.expect_exact(f"\n{answer_id}")
        child.expect_exact(" > ")
        for _ in range(3):
            child.sendline("?")
            child.expect_exact(" > ")
        child.sendline("s")
    child.expect(pexpect.EOF)
    shown = ANSI.sub("", "".join(transcript))
    for raw in RAW:
        assert raw not in shown, (raw, shown[max(0, shown.find(raw) - 200): shown.find(raw) + 200])
    assert "Traceback" not in shown
    heading = "详细解答(" if lang == "zh" else "Worked solution ("
    assert shown.count(heading) == len(answers), "s reveals each answer once, one at a time"


class _Collect:
    """A file-like sink for pexpect's log."""

    def __init__(self, parts: list[str]) -> None:
        self.parts = parts

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass


def test_latex_reads_as_unicode():
    assert math_text(r"h_{1,\mathrm{in}}") == "h₁,ᵢₙ"
    assert math_text(r"\tfrac12 \left(w^2 - 1\right)^2 + 0.3\,w") == "1/2 (w² - 1)² + 0.3 w"
    assert math_text(r"\frac{\partial E}{\partial w_{5}}") == "∂E/∂w₅"
    assert math_text(r"w \leftarrow w - \eta\,\dfrac{dL}{dw}") == "w ← w - η dL/dw"
    assert math_text(r"\delta^{(l)} = \delta^{(l+1)} w^{(l+1)}") == "δ⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ w⁽ˡ⁺¹⁾"
    assert math_text(r"\frac{a + b}{2}") == "(a + b)/2"
    assert math_text(r"\Delta w = -\eta\,g") == "Δw = -η g"
    assert math_text(r"z_{\mathrm{new}}") == "z_(new)", "no subscript w exists in Unicode: spelled out"
    assert to_text("**Bold** `w_1` and $x_0 = 1$,中文 $$E = \\tfrac12 e^2$$") == "Bold w_1 and x₀ = 1,中文 E = 1/2 e²"


def _pipe(args, text, data_dir):
    return subprocess.run([*COMMAND, "quiz", *args], input=text, capture_output=True, text=True,
                          encoding="utf-8", env=_env(data_dir), timeout=120)


def test_after_q_the_same_command_resumes(tmp_path):
    first = _pipe(["--topic", "gd_linear", "--seed", "8"], "x*(w*x - t)\n?\nq\n", tmp_path)
    assert first.returncode == 0, first.stderr
    assert "the same command resumes it" in first.stdout
    again = _pipe(["--topic", "gd_linear"], "q\n", tmp_path)  # no seed: the stopped one, not a fresh one
    assert again.returncode == 0, again.stderr
    assert "Resuming your stopped quiz (seed 8): 1 of 11 answers done." in again.stdout
    assert "(seed 8;" in again.stdout
    assert "dE_dw_expr > " not in again.stdout and "pred_1 > " in again.stdout
    fresh = _pipe(["--topic", "gd_linear", "--new", "--seed", "9"], "q\n", tmp_path)
    assert "Resuming" not in fresh.stdout and "dE_dw_expr > " in fresh.stdout
    stored = json.loads((tmp_path / "unfinished.json").read_text(encoding="utf-8"))["quizzes"]["gd_linear"]
    assert stored["seed"] == 9, "the latest stopped quiz is the one kept"


def test_a_finished_quiz_is_not_resumed(tmp_path):
    v = quiz_variant(get_family("gradient_meaning"), 4)
    typed = "\n".join(f"{e.value:.6g}" if e.kind == "numeric" else e.exact if e.kind == "symbolic" else e.value
                      for e in answer_key(v).values())
    _pipe(["--topic", "gradient_meaning", "--seed", "4"], "q\n", tmp_path)
    done = _pipe(["--topic", "gradient_meaning"], typed + "\n", tmp_path)
    assert "Resuming" in done.stdout and "All steps done." in done.stdout
    assert "gradient_meaning" not in json.loads((tmp_path / "unfinished.json").read_text())["quizzes"]


@pytest.mark.parametrize("garbage", ["{", '{"version": 1, "quizzes": {"gd_linear": {"seed": -3, "lang": "en"}}}',
                                     '{"version": 1, "quizzes": {"../x": {}}}',
                                     '{"version": 1, "quizzes": {"gd_linear": {"seed": 1, "lang": "en", "steps": null,'
                                     ' "answers": [{"id": "w_1", "given": [' + '"1",' * 200 + '"1"]}]}}}'])
def test_a_damaged_resume_file_is_explained_and_a_fresh_quiz_starts(tmp_path, garbage):
    (tmp_path / "unfinished.json").write_text(garbage, encoding="utf-8")
    run = _pipe(["--topic", "gd_linear", "--seed", "1"], "q\n", tmp_path)
    assert run.returncode == 0 and "Traceback" not in run.stderr
    assert "could not be read" in run.stderr and "Resuming" not in run.stdout


def test_n_gives_another_one_like_the_solved_step(tmp_path):
    run = _pipe(["--topic", "gd_linear", "--canonical", "--no-save"], "n\nx*(w*x - t)\nn\nq\nq\n", tmp_path)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Solve a step first" in out, "before any step is solved there is nothing to repeat"
    assert "Step done. Type n for another one like this" in out
    title = re.search(r"Another one like this: gd_linear, step 'derivative' \(seed (\d+)\)", out)
    assert title, out
    practice = out[title.end():out.index("Back to the quiz.")]
    assert "Step 1/1: derivative" in practice and "pred_1 > " not in practice
    assert "dE_dw_expr > " in practice
    assert out.index("Back to the quiz.") < out.rindex("pred_1 > ")
