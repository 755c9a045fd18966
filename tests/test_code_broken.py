"""Hidden tests of the code exercises: the reference solutions pass every test, and each
deliberately broken implementation fails exactly the tests it should, with a message that names
its fault.

A broken implementation is the reference solution (``solutions/<exercise>.py``) with one named
fault written as a patch: exact snippets of the reference text and what replaces them. Each
snippet must occur exactly once, so a change to a solution that breaks a patch fails loudly
instead of silently grading the reference. A broken file that is not a near-copy of its
reference lives in ``tests/data/code/`` as a whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.code import EXERCISES, grade_code_file, grade_code_source
from grader.core.variants import VariantKey

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
BROKEN = ROOT / "tests" / "data" / "code"
# Not s042: since version 2 of backprop_222, one of s042's hidden variants gives the
# updated-weights delta_h1 0.85 % of the key's, where a gradient from it is rightly refused
# carried-forward credit as trivial, so that student fails two tests more.
STUDENT = VariantKey("hw-code", "s043", "q3")


@dataclass(frozen=True)
class Broken:
    """A broken implementation of ``exercise`` and the tests it must fail.

    ``fails`` maps each failing test to words its message must contain (every other test
    passes). The source is ``tests/data/code/<file>`` if ``file`` is given, else the reference
    solution with every key of ``replace`` (an exact snippet, found exactly once) replaced by
    its value.
    """

    exercise: str
    fails: dict[str, str]
    replace: dict[str, str] = field(default_factory=dict)
    file: str | None = None


def patched(text: str, replace: dict[str, str]) -> str:
    """``text`` with each snippet replaced in turn; each must occur exactly once when its turn comes."""
    for old, new in replace.items():
        count = text.count(old)
        if count != 1:
            raise AssertionError(f"the patch snippet occurs {count} times, not once: {old!r}")
        text = text.replace(old, new)
    return text


# bp222_updated_weights: the hidden deltas use w5..w8 after one gradient step
UPDATED = """new = {  # BUG: the output weights after the update
        "w5": p["w5"] - p["eta"] * g["delta_o1"] * f["h1"], "w6": p["w6"] - p["eta"] * g["delta_o1"] * f["h2"],
        "w7": p["w7"] - p["eta"] * g["delta_o2"] * f["h1"], "w8": p["w8"] - p["eta"] * g["delta_o2"] * f["h2"],
    }
    g["delta_h1"] = (g["delta_o1"] * new["w5"] + g["delta_o2"] * new["w7"])"""

CASES = {
    # the six faults the issue asks for
    "bp222_wrong_sign": Broken("backprop_222", {
        "output_deltas": "Your delta_o1 has the wrong sign",
        "gradient_fd_222": "wrong sign compared with finite differences of your own forward_222",
    }, {'g["delta_o1"] = (f["o1"] - p["t1"])': 'g["delta_o1"] = (p["t1"] - f["o1"])'}),
    "bp222_no_activation_derivative": Broken("backprop_222", {
        "output_deltas": "delta_o1 and delta_o2 are missing the sigmoid derivative a(1 − a)",
        "hidden_deltas": "delta_h1 and delta_h2 are missing the sigmoid derivative a(1 − a)",
        "gradient_fd_222": "disagree with finite differences of your own forward_222",
    }, {f' * f["{a}"] * (1 - f["{a}"])': "" for a in ("o1", "o2", "h1", "h2")}),
    "bp222_updated_weights": Broken("backprop_222", {
        "hidden_deltas": "hidden deltas use the updated weights",
        "gradient_fd_222": "dE/dw1",
    }, {'g["delta_h1"] = (g["delta_o1"] * p["w5"] + g["delta_o2"] * p["w7"])': UPDATED,
        'g["delta_o1"] * p["w6"] + g["delta_o2"] * p["w8"]': 'g["delta_o1"] * new["w6"] + g["delta_o2"] * new["w8"]'}),
    "mlp_wrong_shape": Broken("mlp", {
        "mlp_shapes": "b_grads[0]: shape (4,) expected, got (4, 1)",
    }, {"b_grads[l] = delta.copy()": "b_grads[l] = delta.reshape(-1, 1)  # BUG: a column, shape (n, 1)"}),
    "chain_off_by_one": Broken("chain", {
        "chain_weight_grads": "Only the first layer's W_grads is wrong: check the range of your layer loop (off by one",
        "chain_bias_grads": "Only the first layer's b_grads is wrong",
        "chain_fd": "W_grads[0] and b_grads[0] disagree with finite differences",
    }, {"for l in range(L, -1, -1):": "for l in [L, *range(L - 1, 0, -1)]:  # BUG: stops before layer 0"}),
    "chain_no_bias_gradient": Broken("chain", {
        "chain_bias_grads": "bias gradients b_grads are zero or missing: dL/db(l) = delta(l)",
        "chain_fd": "b_grads[0], b_grads[1] and b_grads[2] disagree with finite differences",
    }, {"        b_grads[l] = deltas[l]                     # dz(l)/db[l] = 1\n": ""}),
    # more faults students make
    "bp222_wrong_weight_in_hidden_delta": Broken("backprop_222", {  # one name wrong in several cases
        "hidden_deltas": "Your delta_h1 is not the expected value (you gave",
        "gradient_fd_222": "disagree with finite differences of your own forward_222",
    }, {'g["delta_o1"] * p["w5"]': 'g["delta_o1"] * p["w6"]'}),
    "bp222_unshared_bias": Broken("backprop_222", {
        "gradients_222": "dE/db1 counts only one unit: a shared bias",
        "gradient_fd_222": "dE/db1 disagrees with finite differences",
    }, {'g["dE_db1"] = g["delta_h1"] + g["delta_h2"]': 'g["dE_db1"] = g["delta_h1"]  # BUG: b1 is shared'}),
    "mlp_transposed": Broken("mlp", {
        "mlp_shapes": "W_grads[0]: shape (4, 3) expected, got (3, 4)",
        "mlp_seed_network": "W_grads[0] and W_grads[1] are transposed",
        "mlp_widths": "are transposed",
        "mlp_fd": "disagree with finite differences",
    }, {"np.outer(delta, a_prev)": "np.outer(a_prev, delta)"}),
    "gd_step_added": Broken("gd_linear", {
        "gd_weights": "w[1] and w[2] add the step: the update is w − η·∂E/∂w",
        "gd_long_run": "",
    }, {"w = w - eta * grad": "w = w + eta * grad"}),
    "gd_half_forgotten": Broken("gd_linear", {
        "gd_gradients": "grad[0] and grad[1] are twice the right values: the 1/2 of the loss was forgotten",
        "gd_long_run": "",
    }, {"grad = error * x": "grad = 2 * error * x"}),
    "sigmoid_prime_of_z": Broken("sigmoid", {
        "sigmoid_prime_values": "sigmoid_prime(z) computes z(1 − z)",
        "sigmoid_prime_fd": "disagree with finite differences of your own sigmoid",
    }, {"return a * (1 - a)": "return z * (1 - z)  # BUG: a(1 - a) applied to z"}),
    "gc_forward_difference": Broken("gradient_check", {
        "gc_central": "one-sided difference",
    }, {"down = f({**params, name: _like(value - step)})": "down = f(params)  # BUG: one-sided",
        "(up - down) / (2 * eps)": "(up - down) / eps"}),
    "gc_mutates_params": Broken("gradient_check", {
        "gc_keeps_params": "gradient_check changed params['W']",
    }, file="gc_mutates_params.py"),
}
REQUIRED = ["bp222_wrong_sign", "bp222_no_activation_derivative", "bp222_updated_weights",
            "mlp_wrong_shape", "chain_off_by_one", "chain_no_bias_gradient"]


def broken_source(name: str) -> str:
    """The text of the broken implementation ``name`` of the table."""
    case = CASES[name]
    if case.file is not None:
        return (BROKEN / case.file).read_text(encoding="utf-8")
    return patched((SOLUTIONS / f"{case.exercise}.py").read_text(encoding="utf-8"), case.replace)


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
@pytest.mark.parametrize("key", [None, STUDENT], ids=["default-key", "student-key"])
def test_reference_solution_passes_every_hidden_test(exercise, key):
    result = grade_code_file(SOLUTIONS / f"{exercise}.py", exercise, key=key)
    failing = {t.name: t.message for t in result.tests if t.status != "passed"}
    assert failing == {}
    assert result.score == result.max > 0
    assert [t.name for t in result.tests] == list(EXERCISES[exercise].tests)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_implementation_fails_exactly_its_tests(name):
    case = CASES[name]
    result = grade_code_source(broken_source(name), case.exercise)
    failing = {t.name for t in result.tests if t.status != "passed"}
    assert failing == set(case.fails), {t.name: t.message for t in result.tests}
    for test in result.tests:
        if test.name in case.fails:
            assert case.fails[test.name] in test.message, test.message
            assert test.score < test.max
            assert test.status in ("partial", "failed")
        else:
            assert test.score == test.max
    assert result.score < result.max


@pytest.mark.parametrize("name", REQUIRED)
def test_broken_implementation_fails_the_same_way_for_another_student(name):
    case = CASES[name]
    result = grade_code_source(broken_source(name), case.exercise, key=STUDENT)
    assert {t.name for t in result.tests if t.status != "passed"} == set(case.fails)


def test_each_row_is_a_patch_or_a_file_and_every_file_is_in_the_table():
    assert all(bool(case.replace) != bool(case.file) for case in CASES.values())
    assert {p.name for p in BROKEN.glob("*.py")} == {case.file for case in CASES.values() if case.file}


def test_a_patch_that_no_longer_matches_its_solution_fails_loudly():
    assert patched("a = 1\nb = 2\n", {"a = 1": "a = -1"}) == "a = -1\nb = 2\n"
    with pytest.raises(AssertionError, match="occurs 0 times"):
        patched("a = 1\n", {"a = 2": "a = 3"})
    with pytest.raises(AssertionError, match="occurs 2 times"):
        patched("a = 1\na = 1\n", {"a = 1": "a = 3"})


def test_messages_in_chinese_name_the_fault_too():
    result = grade_code_source(broken_source("bp222_updated_weights"), "backprop_222", lang="zh")
    hidden = next(t for t in result.tests if t.name == "hidden_deltas")
    assert "更新后的权重" in hidden.message
    assert hidden.title == "隐藏层误差项"
