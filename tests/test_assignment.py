"""Assignment files: what they set, and every refusal naming the question and key at fault."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader.core.compare import Tolerance
from grader.course.assignment import (
    AssignmentError,
    CodeQuestion,
    FamilyQuestion,
    family_questions,
    parse_assignment,
)

GOOD = """
id = "hw3"
salt = "fall"
carried_forward_credit = 0.5
tolerance = { mode = "sigfigs", value = 3 }

[[questions]]
id = "q1"
family = "gd_linear"
answers = ["w_1", "w_2"]
points = { w_2 = 3 }
tolerances = { w_1 = { mode = "absolute", value = 0.001 } }

[[questions]]
id = "q2"
code = "sigmoid"
"""


def test_a_full_assignment():
    a = parse_assignment(GOOD)
    q1, q2 = a.questions
    assert (a.id, a.salt, a.lang) == ("hw3", "fall", "en")
    assert q1.settings.selected == ("w_1", "w_2") and q1.settings.points == {"w_2": 3.0}
    assert q1.settings.tolerance_for("w_1") == Tolerance("absolute", 0.001)
    assert q1.settings.tolerance_for("w_2") == Tolerance("sigfigs", 3)
    assert q1.settings.carried_forward_credit == 0.5
    assert isinstance(q1, FamilyQuestion) and isinstance(q2, CodeQuestion) and q2.exercise == "sigmoid"
    assert a.key("s1", q1).assignment == "fall/hw3" and a.key("s1", q1).question == "q1"


def test_family_questions_leave_out_code_questions_in_order():
    a = parse_assignment('id = "a"\n[[questions]]\nid = "c1"\ncode = "sigmoid"\n'
                         '[[questions]]\nid = "f1"\nfamily = "gd_linear"\n'
                         '[[questions]]\nid = "c2"\ncode = "sigmoid"\n'
                         '[[questions]]\nid = "f2"\nfamily = "chain_rule"\n')
    assert [q.id for q in family_questions(a)] == ["f1", "f2"]


@pytest.mark.parametrize("text, words", [
    ("id = ", "not valid TOML"),
    ('title = "x"\n[[questions]]\nfamily = "gd_linear"', "needs a non-empty text 'id'"),
    ('id = "a"', "at least one [[questions]]"),
    ('id = "a"\nlang = "fr"\n[[questions]]\nfamily = "gd_linear"', "lang must be 'en' or 'zh'"),
    ('id = "a"\ncolour = 1\n[[questions]]\nfamily = "gd_linear"', "unknown key(s) colour"),
    ('id = "a"\ncarried_forward_credit = 2\n[[questions]]\nfamily = "gd_linear"', "between 0 and 1"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_lineer"', "question 'q1': unknown family 'gd_lineer'"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\nanswers = ["w_9"]', "w_9 not answers"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\npoints = { w_1 = -1 }', "non-negative"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\ntolerances = { w_1 = { mode = "roughly", value = 1 } }',
     "unknown tolerance mode 'roughly'"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\ntolerance = { mode = "relative", value = -1 }',
     "positive number"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"',
     "repeated: q1"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\ncode = "sigmoid"', "either 'family' or 'code'"),
    ('id = "a"\n[[questions]]\nid = "q1"\ncode = "fft"', "unknown code exercise 'fft'"),
    ('id = "a"\n[[questions]]\nid = "q1"\ncode = "sigmoid"\npoints = { a = 1 }', "takes only id, code and hidden"),
    ('id = "a"\n[[questions]]\nid = "q1"\nfamily = "gd_linear"\nhidden = "yes"', "hidden must be true or false"),
])
def test_every_refusal_says_where_and_why(text, words):
    with pytest.raises(AssignmentError) as error:
        parse_assignment(text)
    assert words in str(error.value)


def test_an_nbgrader_kernel_grading_a_family_question_never_loads_the_code_sandbox():
    """The notebook runtime imports the assignment; only a code question may pull in grader.code."""
    script = (
        "import sys\n"
        "from grader.nbgrader import runtime\n"
        "from grader.course.assignment import parse_assignment\n"
        "parse_assignment('id = \"a\"\\n[[questions]]\\nid = \"q1\"\\nfamily = \"gd_linear\"\\n')\n"
        "print(sorted(m for m in sys.modules if m.startswith('grader.code')))\n"
        "parse_assignment('id = \"a\"\\n[[questions]]\\nid = \"q1\"\\ncode = \"sigmoid\"\\n')\n"
        "print('grader.code.sandbox' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "True"]
