"""Public tests for the code exercises: run ``pytest`` in this folder.

They use the worked numbers of the seed articles. Passing them is a good sign, not a
guarantee: the hidden tests try many more networks and inputs.

To run them against another folder of implementations (the course uses this to check its
reference solutions), set GDBP_IMPLEMENTATION to that folder.
"""

import importlib.util
import os
import pathlib

import numpy as np
import pytest

HERE = pathlib.Path(__file__).resolve().parent
IMPLEMENTATION = pathlib.Path(os.environ.get("GDBP_IMPLEMENTATION", HERE))


def load(name):
    """Your module ``name`` (e.g. "sigmoid" for sigmoid.py), freshly imported."""
    path = IMPLEMENTATION / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"public_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def close(a, b, rel=1e-6):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rel, atol=1e-12)


# --- exercise 1: sigmoid ---------------------------------------------------------------

def test_sigmoid_values():
    s = load("sigmoid")
    assert close(s.sigmoid(0.0), 0.5)
    assert close(s.sigmoid(np.array([-1.0, 0.0, 2.0])), [0.2689414213699951, 0.5, 0.8807970779778823])


def test_sigmoid_keeps_shape_and_never_overflows():
    s = load("sigmoid")
    z = np.array([[-1000.0, 0.0], [3.0, 1000.0]])
    with np.errstate(over="ignore"):
        a = s.sigmoid(z)
    assert np.shape(a) == (2, 2)
    assert np.all(np.isfinite(a)) and close(a, [[0.0, 0.5], [0.9525741268224334, 1.0]])


def test_sigmoid_prime():
    s = load("sigmoid")
    assert close(s.sigmoid_prime(0.0), 0.25)
    z = np.array([-2.0, 0.5, 3.0])
    h = 1e-6
    numerical = (s.sigmoid(z + h) - s.sigmoid(z - h)) / (2 * h)
    assert close(s.sigmoid_prime(z), numerical, rel=1e-5)


# --- exercise 2: gradient descent on f(x) = w x -----------------------------------------

def test_gd_linear_seed_numbers():
    history = load("gd_linear").gd_linear_train(1, 1, 0, 0.5, 2)
    assert close(history["w"], [0.0, 0.5, 0.75])
    assert close(history["E"], [0.5, 0.125])
    assert close(history["grad"], [-1.0, -0.5])


# --- exercise 3: the 2-2-2 network ---------------------------------------------------------

SEED = dict(i1=0.05, i2=0.10, w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50,
            w8=0.55, b1=0.35, b2=0.60, t1=0.01, t2=0.99, eta=0.5)


def test_forward_222_seed_numbers():
    f = load("backprop_222").forward_222(dict(SEED))
    assert close(f["h1"], 0.5932699921071872)
    assert close(f["o1"], 0.7513650695523157)
    assert close(f["o2"], 0.7729284653214626)
    assert close(f["E"], 0.29837110876000267)


def test_backward_222_seed_numbers():
    module = load("backprop_222")
    g = module.backward_222(dict(SEED), module.forward_222(dict(SEED)))
    assert close(g["delta_o1"], 0.13849856162855698)
    assert close(g["dE_dw5"], 0.08216704056423078)
    assert close(g["dE_db1"], 0.018725609394704135)
    assert close(g["w5_new"], 0.3589164797178846)
    assert close(g["w1_new"], 0.14978071613276284)


# --- exercise 4: a chain of one-neuron layers ------------------------------------------------

def test_chain_three_layers():
    loss, dW, db = load("chain").forward_backward(0.5, 0.9, [1.5, -1.0, 2.0], [-0.5, 0.5, 0.2])
    assert close(loss, 0.009391342523154591)
    assert close(dW, [0.0015237260412358522, -0.00696045801250336, -0.012008078238592554])
    assert close(db, [0.0030474520824717044, -0.012381268163176612, -0.024786476516590095])


def test_chain_agrees_with_finite_differences():
    forward_backward = load("chain").forward_backward
    W, b, h = [0.8, -1.2], [0.1, 0.3], 1e-6
    _, dW, _ = forward_backward(0.7, 0.2, W, b)
    up = forward_backward(0.7, 0.2, [W[0] + h, W[1]], b)[0]
    down = forward_backward(0.7, 0.2, [W[0] - h, W[1]], b)[0]
    assert close(dW[0], (up - down) / (2 * h), rel=1e-5)


# --- exercise 5: an MLP in matrix form --------------------------------------------------------

def test_mlp_on_the_seed_network():
    x, y = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    W = [np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])]
    b = [np.array([0.35, 0.35]), np.array([0.60, 0.60])]
    loss, dW, db = load("mlp").forward_backward_mlp(x, y, W, b)
    assert close(loss, 0.29837110876000267)
    assert [np.shape(g) for g in dW] == [(2, 2), (2, 2)]
    assert [np.shape(g) for g in db] == [(2,), (2,)]
    assert close(dW[1], [[0.08216704056423078, 0.08266762784753326],
                         [-0.02260254047747506, -0.022740242215978212]])
    assert close(db[0], [0.008771354689486935, 0.009954254705217202])


# --- exercise 6: gradient checking -------------------------------------------------------------

def test_gradient_check():
    gradient_check = load("gradient_check").gradient_check
    params = {"a": 2.0, "M": np.array([[1.0, -1.0, 0.5]])}
    grads = gradient_check(lambda p: p["a"] ** 3 + np.sum(p["M"] ** 2), params)
    assert close(grads["a"], 12.0, rel=1e-5)
    assert np.shape(grads["M"]) == (1, 3) and close(grads["M"], [[2.0, -2.0, 1.0]], rel=1e-5)
    assert params["a"] == 2.0 and close(params["M"], [[1.0, -1.0, 0.5]])


@pytest.mark.parametrize("name", ["sigmoid", "gd_linear", "backprop_222", "chain", "mlp", "gradient_check"])
def test_module_loads(name):
    load(name)
