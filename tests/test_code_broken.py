"""Hidden tests of the code exercises: the reference solutions pass every test, and each
deliberately broken implementation (tests/data/code/) fails exactly the tests it should, with
a message that names its fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.code import EXERCISES, grade_code_file
from grader.variants import VariantKey

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "data" / "code"
STUDENT = VariantKey("hw-code", "s042", "q3")

# file -> (exercise, {failing test: words its message must contain}); every other test passes.
CASES = {
    # the six faults the issue asks for
    "bp222_wrong_sign.py": ("backprop_222", {
        "output_deltas": "Your delta_o1 has the wrong sign",
        "gradient_fd_222": "wrong sign compared with finite differences of your own forward_222",
    }),
    "bp222_no_activation_derivative.py": ("backprop_222", {
        "output_deltas": "delta_o1 and delta_o2 are missing the sigmoid derivative a(1 − a)",
        "hidden_deltas": "delta_h1 and delta_h2 are missing the sigmoid derivative a(1 − a)",
        "gradient_fd_222": "disagree with finite differences of your own forward_222",
    }),
    "bp222_updated_weights.py": ("backprop_222", {
        "hidden_deltas": "hidden deltas use the updated weights",
        "gradient_fd_222": "dE/dw1",
    }),
    "mlp_wrong_shape.py": ("mlp", {
        "mlp_shapes": "b_grads[0]: shape (4,) expected, got (4, 1)",
    }),
    "chain_off_by_one.py": ("chain", {
        "chain_weight_grads": "Only the first layer's W_grads is wrong: check the range of your layer loop (off by one",
        "chain_bias_grads": "Only the first layer's b_grads is wrong",
        "chain_fd": "W_grads[0] and b_grads[0] disagree with finite differences",
    }),
    "chain_no_bias_gradient.py": ("chain", {
        "chain_bias_grads": "bias gradients b_grads are zero or missing: dL/db(l) = delta(l)",
        "chain_fd": "b_grads[0], b_grads[1] and b_grads[2] disagree with finite differences",
    }),
    # more faults students make
    "bp222_unshared_bias.py": ("backprop_222", {
        "gradients_222": "dE/db1 counts only one unit: a shared bias",
        "gradient_fd_222": "dE/db1 disagrees with finite differences",
    }),
    "mlp_transposed.py": ("mlp", {
        "mlp_shapes": "W_grads[0]: shape (4, 3) expected, got (3, 4)",
        "mlp_seed_network": "W_grads[0] and W_grads[1] are transposed",
        "mlp_widths": "are transposed",
        "mlp_fd": "disagree with finite differences",
    }),
    "gd_step_added.py": ("gd_linear", {
        "gd_weights": "w[1] and w[2] add the step: the update is w − η·∂E/∂w",
        "gd_long_run": "",
    }),
    "gd_half_forgotten.py": ("gd_linear", {
        "gd_gradients": "grad[0] and grad[1] are twice the right values: the 1/2 of the loss was forgotten",
        "gd_long_run": "",
    }),
    "sigmoid_prime_of_z.py": ("sigmoid", {
        "sigmoid_prime_values": "sigmoid_prime(z) computes z(1 − z)",
        "sigmoid_prime_fd": "disagree with finite differences of your own sigmoid",
    }),
    "gc_forward_difference.py": ("gradient_check", {
        "gc_central": "one-sided difference",
    }),
    "gc_mutates_params.py": ("gradient_check", {
        "gc_keeps_params": "gradient_check changed params['W']",
    }),
}
REQUIRED = ["bp222_wrong_sign.py", "bp222_no_activation_derivative.py", "bp222_updated_weights.py",
            "mlp_wrong_shape.py", "chain_off_by_one.py", "chain_no_bias_gradient.py"]


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
@pytest.mark.parametrize("key", [None, STUDENT], ids=["default-key", "student-key"])
def test_reference_solution_passes_every_hidden_test(exercise, key):
    result = grade_code_file(ROOT / "solutions" / f"{exercise}.py", exercise, key=key)
    failing = {t.name: t.message for t in result.tests if t.status != "passed"}
    assert failing == {}
    assert result.score == result.max > 0
    assert [t.name for t in result.tests] == list(EXERCISES[exercise].tests)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_implementation_fails_exactly_its_tests(name):
    exercise, expected = CASES[name]
    result = grade_code_file(BROKEN / name, exercise)
    failing = {t.name for t in result.tests if t.status != "passed"}
    assert failing == set(expected), {t.name: t.message for t in result.tests}
    for test in result.tests:
        if test.name in expected:
            assert expected[test.name] in test.message, test.message
            assert test.score < test.max
            assert test.status in ("partial", "failed")
        else:
            assert test.score == test.max
    assert result.score < result.max


@pytest.mark.parametrize("name", REQUIRED)
def test_broken_implementation_fails_the_same_way_for_another_student(name):
    exercise, expected = CASES[name]
    result = grade_code_file(BROKEN / name, exercise, key=STUDENT)
    assert {t.name for t in result.tests if t.status != "passed"} == set(expected)


def test_every_broken_file_is_in_the_table():
    assert {p.name for p in BROKEN.glob("*.py")} == set(CASES)


def test_messages_in_chinese_name_the_fault_too():
    result = grade_code_file(BROKEN / "bp222_updated_weights.py", "backprop_222", lang="zh")
    hidden = next(t for t in result.tests if t.name == "hidden_deltas")
    assert "更新后的权重" in hidden.message
    assert hidden.title == "隐藏层误差项"
