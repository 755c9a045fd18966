"""The reference solutions against independent oracles: the engine's exact key (sympy, exact
rationals), finite differences, and the seed articles' numbers; the public tests students run
pass on the reference solutions and fail on the unfinished stubs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.code.exercises.base import key_values, reference
from grader.core.variants import VariantKey, generate
from grader.families import get_family

ROOT = Path(__file__).resolve().parents[1]
KEYS = [VariantKey("reference-check", f"s{i}", "1") for i in range(25)]


def close(a, b, rel=1e-9):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rel, atol=1e-13)


def test_gd_linear_matches_the_exact_key():
    train = reference("gd_linear").gd_linear_train
    for v in generate(get_family("gd_linear"), KEYS):
        p, q = {k: float(x) for k, x in v.numbers.items()}, key_values(v)
        history = train(p["x"], p["t"], p["w0"], p["eta"], 2)
        assert close(history["w"], [p["w0"], q["w_1"], q["w_2"]])
        assert close(history["E"], [q["E_1"], q["E_2"]])
        assert close(history["grad"], [q["grad_1"], q["grad_2"]])


def test_backprop_222_matches_the_exact_key():
    module = reference("backprop_222")
    for v in generate(get_family("backprop_222"), KEYS):
        p, q = {k: float(x) for k, x in v.numbers.items()}, key_values(v)
        f = module.forward_222(p)
        g = module.backward_222(p, f)
        for name, value in {**f, **g}.items():
            assert close(value, q[name]), name


def test_chain_matches_the_exact_key_and_finite_differences():
    forward_backward = reference("chain").forward_backward
    for v in generate(get_family("deep_chain"), KEYS):
        p, q = {k: float(x) for k, x in v.numbers.items()}, key_values(v)
        W, b = [p[f"w_{k}"] for k in (1, 2, 3)], [p[f"b_{k}"] for k in (1, 2, 3)]
        loss, dW, db = forward_backward(p["x"], p["y"], W, b)
        assert close(loss, q["E"])
        assert close(dW, [q[f"dE_dw_{k}"] for k in (1, 2, 3)])
        assert close(db, [q[f"dE_db_{k}"] for k in (1, 2, 3)])
    rng = np.random.default_rng(7)
    for depth in (1, 2, 6):
        W, b = list(rng.uniform(-2, 2, depth)), list(rng.uniform(-1, 1, depth))
        _, dW, db = forward_backward(0.3, 0.8, W, b)
        h = 1e-6
        for k in range(depth):
            up = forward_backward(0.3, 0.8, [w + h * (i == k) for i, w in enumerate(W)], b)[0]
            down = forward_backward(0.3, 0.8, [w - h * (i == k) for i, w in enumerate(W)], b)[0]
            assert close(dW[k], (up - down) / (2 * h), rel=1e-5)
            up = forward_backward(0.3, 0.8, W, [c + h * (i == k) for i, c in enumerate(b)])[0]
            down = forward_backward(0.3, 0.8, W, [c - h * (i == k) for i, c in enumerate(b)])[0]
            assert close(db[k], (up - down) / (2 * h), rel=1e-5)


def test_mlp_matches_the_222_key_and_finite_differences():
    mlp = reference("mlp").forward_backward_mlp
    for v in generate(get_family("backprop_222"), KEYS[:10]):
        p, q = {k: float(x) for k, x in v.numbers.items()}, key_values(v)
        W = [np.array([[p["w1"], p["w2"]], [p["w3"], p["w4"]]]), np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]])]
        b = [np.array([p["b1"]] * 2), np.array([p["b2"]] * 2)]
        loss, dW, db = mlp(np.array([p["i1"], p["i2"]]), np.array([p["t1"], p["t2"]]), W, b)
        assert close(loss, q["E"])
        assert close(dW[1], [[q["dE_dw5"], q["dE_dw6"]], [q["dE_dw7"], q["dE_dw8"]]])
        assert close(dW[0], [[q["dE_dw1"], q["dE_dw2"]], [q["dE_dw3"], q["dE_dw4"]]])
        assert close(db[0].sum(), q["dE_db1"]) and close(db[1].sum(), q["dE_db2"])
    rng = np.random.default_rng(11)
    widths = (3, 4, 1, 2)
    W = [rng.uniform(-1, 1, (widths[i + 1], widths[i])) for i in range(3)]
    b = [rng.uniform(-1, 1, widths[i + 1]) for i in range(3)]
    x, y = rng.uniform(-1, 1, 3), rng.uniform(0, 1, 2)
    _, dW, db = mlp(x, y, W, b)
    assert [g.shape for g in dW] == [w.shape for w in W] and [g.shape for g in db] == [c.shape for c in b]
    h = 1e-6
    for params, grads in ((W, dW), (b, db)):
        for layer, param in enumerate(params):
            for index in np.ndindex(param.shape):
                param[index] += h
                up = mlp(x, y, W, b)[0]
                param[index] -= 2 * h
                down = mlp(x, y, W, b)[0]
                param[index] += h
                assert close(grads[layer][index], (up - down) / (2 * h), rel=1e-5)


def test_gradient_check_on_known_gradients():
    gradient_check = reference("gradient_check").gradient_check
    M = np.array([[0.5, -1.0], [2.0, 0.25]])
    params = {"a": 1.5, "M": M.copy()}
    grads = gradient_check(lambda p: p["a"] ** 3 + float(np.sum(np.sin(p["M"]))), params)
    assert close(grads["a"], 3 * 1.5**2, rel=1e-7)
    assert grads["M"].shape == (2, 2) and close(grads["M"], np.cos(M), rel=1e-7)
    assert params["a"] == 1.5 and np.array_equal(params["M"], M)


def test_sigmoid_against_mpmath_and_its_derivative():
    import mpmath

    module = reference("sigmoid")
    z = np.linspace(-30, 30, 61)
    exact = [float(1 / (1 + mpmath.exp(-mpmath.mpf(v)))) for v in z]
    assert close(module.sigmoid(z), exact, rel=1e-14)
    assert np.isfinite(module.sigmoid(np.array([-1e4, 1e4]))).all()
    assert close(module.sigmoid_prime(z), [e * (1 - e) for e in exact], rel=1e-12)
    assert isinstance(module.sigmoid(0.5), float)


def _public(implementation: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "GDBP_IMPLEMENTATION": str(implementation)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "public_tests.py"],
                          cwd=ROOT / "exercises", env=env, capture_output=True, text=True, timeout=120)


def test_public_tests_pass_on_the_reference_solutions():
    run = _public(ROOT / "solutions")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "16 passed" in run.stdout


def test_public_tests_fail_on_the_unfinished_stubs():
    run = _public(ROOT / "exercises")
    assert run.returncode == 1
    assert "10 failed, 6 passed" in run.stdout  # every exercise test fails; the modules load


def test_the_repository_test_run_does_not_collect_the_public_tests():
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "exercises", "solutions", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "public_tests.py" not in run.stdout


@pytest.mark.parametrize("name", ["sigmoid", "gd_linear", "backprop_222", "chain", "mlp", "gradient_check"])
def test_stubs_and_solutions_define_the_same_functions(name):
    from grader.code import EXERCISES

    exercise = EXERCISES[name]
    for folder in ("exercises", "solutions"):
        source = (ROOT / folder / f"{name}.py").read_text(encoding="utf-8")
        for function in exercise.functions:
            assert f"def {function}(" in source
