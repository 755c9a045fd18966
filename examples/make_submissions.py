"""Write the bundled example class's answer sheets (examples/submissions/*.txt) from the answer key.

Each student stands for one case the grader must handle; tests/test_instructor.py reads the
same tables (CASES for the sheets, CODE for the code question q3) to know what every row of
the gradebook must say. Values are the key's rounded to 6 significant figures, as a student
would type them; wrong and carried-forward values are computed here by hand from the
student's own earlier numbers.

The code submissions (examples/submissions/*.py, question q3) are written by hand, not by
this script, which leaves them alone.

    python examples/make_submissions.py
"""

from __future__ import annotations

import math
from pathlib import Path

from grader.core.keys import answer_key
from grader.core.variants import generate
from grader.course.assignment import CodeQuestion, parse_assignment
from grader.course.sheets import answer_sheet

HERE = Path(__file__).parent
OUT = HERE / "submissions"

# student -> (expected status, answers lost to wrong values, answers graded as carried forward)
CASES = {
    "s001": ("graded", set(), set()),  # every answer right
    "s002": ("graded",  # named mistakes, then answers that follow correctly from them
             {"q1.E_1", "q1.w_1", "q1.regime", "q2.o1", "q2.delta_o1_expr"},
             {"q1.pred_2", "q1.E_2", "q1.grad_2", "q1.w_2", "q2.E", "q2.delta_o1", "q2.dE_dw5",
              "q2.w5_new", "q2.delta_h1", "q2.dE_dw1", "q2.w1_new"}),
    "s003": ("graded", {"q1.grad_1", "q1.w_1", "q1.w_2", "q2.dE_dw1"}, set()),  # malformed lines
    "s004": ("missing", None, None),
    "s005": ("empty", None, None),  # the blank sheet handed back
    "s006": ("duplicate", None, None),  # two files
    "s007": ("other_student", None, None),  # a copy of s008's sheet
    "s008": ("graded", {"q2.h1", "q2.h2", "q2.o1", "q2.o2", "q2.E", "q2.delta_o1", "q2.delta_o2",
                        "q2.delta_h1", "q2.dE_dw5", "q2.dE_dw1", "q2.w5_new", "q2.w1_new",
                        "q2.delta_o1_expr"}, set()),  # did question 1 only
    "s009": ("unreadable", None, None),  # a binary file
    "s010": ("graded", {"q1.eta_max"}, set()),  # GB18030 file with Chinese comments
    "s011": ("wrong_assignment", None, None),
}

# q3 (code = "backprop_222"): the exercise's hidden tests and their points, as
# the README section on code exercises lists them.
CODE_TESTS = {"forward_222": 2, "output_deltas": 2, "hidden_deltas": 2, "gradients_222": 2, "updates_222": 2,
              "gradient_fd_222": 1}
# student with a .py file -> {test it fails: (share of the test's points kept, words its message names)};
# every other test passes. Students without a .py file score 0 on q3.
CODE = {
    "s001": {},  # s001.py: a correct forward_222 and backward_222
    "s002": {  # s002.py: the hidden deltas use the updated w5..w8
        "hidden_deltas": (0.0, "hidden deltas use the updated weights"),
        # of the 10 gradients checked against finite differences, the 5 that go through the
        # hidden deltas (w1..w4, b1) are wrong; w5..w8 and b2 are right
        "gradient_fd_222": (0.5, "dE/dw1"),
        # gradients_222 and updates_222 pass: they follow from the student's own (wrong) deltas
    },
    "s003": {  # s003.py: an honest forward_222; backward_222 tries to read the instructor's key
        test: (0.0, "backward_222 tried to read") for test in CODE_TESTS if test != "forward_222"
    },
}


def typed(value: float) -> str:
    """A value as a student types it: 6 significant figures."""
    return f"{value:.6g}"


def key_values(assignment, student: str) -> dict[str, dict[str, str]]:
    """Every answer of a student's key as text (the sheet's questions; code questions have none)."""
    values = {}
    for q in assignment.questions:
        if isinstance(q, CodeQuestion):
            continue
        v = generate(q.family, [assignment.key(student, q)])[0]
        values[q.id] = {k: typed(e.value) if e.kind == "numeric" else str(e.value)
                        for k, e in answer_key(v).items() if q.settings.asks(q.family.answer(k))}
    return values


def sheet(student: str, answers: dict[str, dict[str, str]], assignment_id: str = "hw1", extra: str = "") -> str:
    lines = [f"student: {student}", f"assignment: {assignment_id}", ""]
    for q, given in answers.items():
        lines += [f"{q}.{k} = {v}" for k, v in given.items()]
    return "\n".join(lines) + "\n" + extra


def numbers(assignment, student: str, question: str) -> dict[str, float]:
    q = assignment.question(question)
    v = generate(q.family, [assignment.key(student, q)])[0]
    return {k: float(x) for k, x in v.numbers.items()}


def mistaken_s002(assignment) -> dict[str, dict[str, str]]:
    """s002: the 1/2 of the loss forgotten, the step added, then everything after from those."""
    answers = key_values(assignment, "s002")
    p = numbers(assignment, "s002", "q1")
    q1 = answers["q1"]
    grad_1 = p["x"] * (p["w0"] * p["x"] - p["t"])
    q1["E_1"] = typed((p["w0"] * p["x"] - p["t"]) ** 2)  # half forgotten
    w_1 = p["w0"] + p["eta"] * grad_1  # step added
    q1["w_1"] = typed(w_1)
    pred_2 = w_1 * p["x"]
    grad_2 = p["x"] * (pred_2 - p["t"])
    q1["pred_2"], q1["E_2"], q1["grad_2"] = typed(pred_2), typed((pred_2 - p["t"]) ** 2 / 2), typed(grad_2)
    q1["w_2"] = typed(w_1 - p["eta"] * grad_2)
    q1["regime"] = "diverging" if q1["regime"] != "diverging" else "monotone"  # not the key's
    n = numbers(assignment, "s002", "q2")
    q2 = answers["q2"]
    h1, h2 = float(q2["h1"]), float(q2["h2"])
    o1 = 1 / (1 + math.exp(-(n["w5"] * h1 + n["w6"] * h2 + n["b2"]))) + 0.05  # a slip in o1
    o2 = float(q2["o2"])
    q2["o1"] = typed(o1)
    q2["E"] = typed(((o1 - n["t1"]) ** 2 + (o2 - n["t2"]) ** 2) / 2)
    delta_o1 = (o1 - n["t1"]) * o1 * (1 - o1)
    delta_o2 = (o2 - n["t2"]) * o2 * (1 - o2)
    delta_h1 = (delta_o1 * n["w5"] + delta_o2 * n["w7"]) * h1 * (1 - h1)
    q2["delta_o1"], q2["delta_h1"] = typed(delta_o1), typed(delta_h1)
    q2["dE_dw5"], q2["dE_dw1"] = typed(delta_o1 * h1), typed(delta_h1 * n["i1"])
    q2["w5_new"] = typed(n["w5"] - n["eta"] * delta_o1 * h1)
    q2["w1_new"] = typed(n["w1"] - n["eta"] * delta_h1 * n["i1"])
    q2["delta_o1_expr"] = "(o1 - t1)"  # the sigmoid derivative dropped
    return answers


def malformed_s003(assignment) -> str:
    """s003: every way of writing an answer the reader forgives, and four lines it cannot use."""
    a = key_values(assignment, "s003")
    q1, q2 = a["q1"], a["q2"]
    lines = [
        "# Grace's answers", "Student: s003", "assignment: hw1", "",
        f"q1.dE_dw_expr: {q1['dE_dw_expr']}",
        f"q1.pred_1   =   {q1['pred_1']}     # spaces are fine",
        f"Q1.E_1 = {q1['E_1']}",
        "q1.grad_1 = 0.5.5",  # broken value: costs this answer only
        f"q1.w_1 = {q1['w_1']}",
        f"q1.w_1 = {float(q1['w_1']) + 1:.6g}",  # given twice with different values
        f"q1.pred_2 {q1['pred_2']}",  # no separator
        f"q1.E_2 = \"{q1['E_2']}\"",  # quotes
        f"q1.grad_2＝{q1['grad_2']}",  # full-width equals sign
        "q1.w_2 = nan",  # not a number
        f"q1.eta_max = {q1['eta_max']}",
        f"q1.regime = {q1['regime'].upper()}",
        "q1.learning_rate = 0.3",  # not an answer of the assignment: reported, costs nothing
        "I was not sure about the next part",  # not an answer line
        "",
    ]
    for k, v in q2.items():
        if k == "dE_dw1":
            lines.append("q2.dE_dw1 = 0.5.5")
        elif k.endswith("_expr"):
            lines.append(f"q2.{k} = {v}")
        else:
            lines.append(f"{k} = {v}")  # unqualified ids, unique to question 2
    return "\n".join(lines) + "\n"


def main() -> None:
    assignment = parse_assignment((HERE / "hw1.toml").read_text(encoding="utf-8"))
    files: dict[str, str | bytes] = {
        "s001.txt": sheet("s001", key_values(assignment, "s001")),
        "s002.txt": sheet("s002", mistaken_s002(assignment)),
        "s003.txt": malformed_s003(assignment),
        "s005.txt": answer_sheet(assignment, "s005"),
        "s006.txt": sheet("s006", key_values(assignment, "s006")),
        "s006_resubmitted.txt": sheet("s006", key_values(assignment, "s006")),
        "s007.txt": sheet("s008", {"q1": key_values(assignment, "s008")["q1"]}),
        "s008.txt": sheet("s008", {"q1": key_values(assignment, "s008")["q1"]}),
        "s009.txt": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00\x01\x02endobj\n",
        "s011.txt": sheet("s011", key_values(assignment, "s011"), assignment_id="hw0"),
        "x999.txt": sheet("x999", key_values(assignment, "x999")),
    }
    s010 = key_values(assignment, "s010")
    s010["q1"]["eta_max"] = "3"  # wrong
    files["s010.txt"] = ("# 华罗庚的答案(GB18030 编码)\n" + sheet("s010", s010)).encode("gb18030")
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.txt"):  # the answer sheets; the hand-written .py files stay
        old.unlink()
    for name, content in files.items():
        path = OUT / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    print(f"wrote {len(files)} answer sheets to {OUT}")


if __name__ == "__main__":
    main()
