"""grade_code_file, the entry point of the instructor workflow: typed results, bad files, languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.code import CodeResult, Limits, UnknownExercise, grade_code_file, grade_code_source
from grader.core.variants import VariantKey

ROOT = Path(__file__).resolve().parents[1]
FAST = Limits(time=2.0)


def test_result_is_typed_and_serialisable():
    result = grade_code_file(ROOT / "solutions" / "chain.py", "chain", "en", key=VariantKey("hw", "s1", "q"))
    assert isinstance(result, CodeResult) and result.exercise == "chain"
    assert result.score == result.max == sum(t.max for t in result.tests)
    assert all(t.status == "passed" and t.message == "All checks passed." for t in result.tests)
    data = json.loads(json.dumps(result.to_json()))
    assert data["score"] == result.score and len(data["tests"]) == len(result.tests)
    assert set(data["tests"][0]) == {"name", "title", "status", "score", "max", "message"}


def test_stubs_score_zero_with_not_implemented():
    result = grade_code_file(ROOT / "exercises" / "mlp.py", "mlp")
    assert result.score == 0
    assert all(t.status == "error" for t in result.tests)
    assert "forward_backward_mlp is not implemented yet" in result.tests[0].message


def test_partial_credit_is_a_share_of_the_checks():
    source = (ROOT / "solutions" / "backprop_222.py").read_text(encoding="utf-8")
    source = source.replace('g["dE_dw5"] = g["delta_o1"] * f["h1"]', 'g["dE_dw5"] = -g["delta_o1"] * f["h1"]')
    result = grade_code_source(source, "backprop_222")
    gradients = next(t for t in result.tests if t.name == "gradients_222")
    assert gradients.status == "partial"
    assert gradients.score == pytest.approx(gradients.max * 27 / 30)
    assert "Your dE/dw5 has the wrong sign." in gradients.message
    updates = next(t for t in result.tests if t.name == "updates_222")
    assert updates.status == "passed"  # w5_new follows from the student's own dE/dw5: carried forward


def test_variants_depend_on_the_student_key():
    from grader.code.exercises import hidden_tests

    a = hidden_tests("backprop_222", VariantKey("hw", "s1", "q"))
    b = hidden_tests("backprop_222", VariantKey("hw", "s2", "q"))
    assert a[0].cases[0].calls != b[0].cases[0].calls
    assert hidden_tests("backprop_222", VariantKey("hw", "s1", "q"))[0].cases[0].calls == a[0].cases[0].calls


@pytest.mark.parametrize("content, words", [
    (None, "could not be read"),
    (b"\xff\xfe\x00binary", "not UTF-8"),
    (b"#" * (2 << 20), "larger than"),
])
def test_bad_files_are_reported_not_raised(tmp_path, content, words):
    path = tmp_path / "submission.py"
    if content is not None:
        path.write_bytes(content)
    result = grade_code_file(path, "sigmoid", limits=FAST)
    assert result.score == 0 and all(t.status == "error" for t in result.tests)
    assert words in result.tests[0].message


def test_empty_file_has_no_functions():
    result = grade_code_source("", "gradient_check", limits=FAST)
    assert result.score == 0
    assert "Your file has no function gradient_check." in result.tests[0].message


def test_unknown_exercise_is_the_course_error():
    with pytest.raises(UnknownExercise, match="unknown code exercise 'nope'; known: sigmoid"):
        grade_code_source("", "nope")


def test_chinese_feedback():
    result = grade_code_file(ROOT / "exercises" / "sigmoid.py", "sigmoid", "zh", limits=FAST)
    assert result.tests[0].title == "sigmoid:数值"
    assert "sigmoid 还没有实现" in result.tests[0].message


def test_bundled_examples():
    folder = ROOT / "examples" / "submissions"
    correct = grade_code_file(folder / "s001.py", "backprop_222")
    broken = grade_code_file(folder / "s002.py", "backprop_222")
    hostile = grade_code_file(folder / "s003.py", "backprop_222", limits=FAST)
    assert correct.score == correct.max
    assert 0 < broken.score < broken.max
    assert any("updated weights" in t.message for t in broken.tests)
    assert hostile.score < hostile.max
    assert any("tried to read" in t.message for t in hostile.tests)


def test_cli_lists_and_checks():
    from click.testing import CliRunner

    from grader.cli import main

    runner = CliRunner()
    listed = runner.invoke(main, ["code", "list", "--json"])
    assert listed.exit_code == 0 and set(json.loads(listed.output)) == {
        "sigmoid", "gd_linear", "backprop_222", "chain", "mlp", "gradient_check"}
    checked = runner.invoke(main, ["code", "check", str(ROOT / "examples" / "submissions" / "s002.py"),
                                   "--exercise", "backprop_222", "--assignment", "hw1", "--json"])
    assert checked.exit_code == 0, checked.output
    (result,) = json.loads(checked.output).values()
    assert 0 < result["score"] < result["max"]
    bad = runner.invoke(main, ["code", "check", "x.py", "--exercise", "nope"])
    assert bad.exit_code == 2 and "unknown code exercise 'nope'" in bad.output


def test_cli_check_reports_a_function_left_unimplemented_beside_one_that_returns_arrays(tmp_path):
    """Issue 12, item 9: sigmoid returns arrays and sigmoid_prime raises NotImplementedError."""
    path = tmp_path / "honest.py"
    path.write_text("import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n"
                    "def sigmoid_prime(z):\n    raise NotImplementedError\n", encoding="utf-8")
    from click.testing import CliRunner

    from grader.cli import main

    run = CliRunner().invoke(main, ["code", "check", str(path), "--exercise", "sigmoid", "--json"])
    assert run.exit_code == 0, run.output
    tests = {t["name"]: t for t in json.loads(run.output)[str(path)]["tests"]}
    assert tests["sigmoid_shapes"]["status"] == "passed"
    assert tests["sigmoid_prime_values"]["status"] == "error"
    assert "sigmoid_prime is not implemented yet" in tests["sigmoid_prime_values"]["message"]


@pytest.mark.parametrize("filesystem, warned", [("mount-namespace", False), ("audit-hook", True)])
def test_cli_check_warns_when_only_the_audit_hook_protects_the_files(monkeypatch, filesystem, warned):
    from dataclasses import replace

    from click.testing import CliRunner

    import grader.cli.code as code_cli
    from grader.cli import main

    def graded(*args, **kwargs):
        result = grade_code_file(*args, **kwargs)
        return replace(result, containment={**result.containment, "filesystem": filesystem})

    monkeypatch.setattr(code_cli, "grade_code_file", graded)
    for lang, words in (("en", "only an audit hook"), ("zh", "只有审计钩子")):
        run = CliRunner().invoke(main, ["code", "check", str(ROOT / "solutions" / "sigmoid.py"), "--exercise",
                                        "sigmoid", "--json", "--lang", lang])
        assert run.exit_code == 0, run.output
        assert (words in run.stderr) is warned
        assert json.loads(run.stdout)  # the warning never mixes into the JSON
