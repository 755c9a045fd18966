"""The ``layers = [n, m, k]`` shorthand: dense layers of any width, checked on a 3-4-3-2 test family
(tests/data/declared/dense_3432.toml) against numpy and finite differences, and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from grader.core.evaluate import as_arrays
from grader.core.keys import batch_key
from grader.core.variants import VariantKey, generate
from grader.declared import DeclarationError, load, parse

FILE = Path(__file__).parent / "data" / "declared" / "dense_3432.toml"
WIDTHS = (3, 4, 3, 2)
ACTIVATIONS = 'activations = ["tanh", "tanh", "sigmoid"]'
H = 1e-6


def unit(layer: int, j: int) -> str:
    """The statement's name of unit j of layer (0: inputs, last: outputs, else hidden)."""
    return f"x{j}" if layer == 0 else f"o{j}" if layer == len(WIDTHS) - 1 else f"h{layer}_{j}"


def forward(p: dict[str, np.ndarray], shift: dict[str, float]) -> dict[str, np.ndarray]:
    """The network in plain numpy: tanh hidden layers, sigmoid outputs, E = 1/2 sum (o - t)^2."""
    out = {unit(0, i): p[f"x{i}"] for i in range(1, WIDTHS[0] + 1)}
    for layer in range(1, len(WIDTHS)):
        for j in range(1, WIDTHS[layer] + 1):
            z = p[f"b{layer}_{j}"] + sum(p[f"w{layer}_{j}_{i}"] * out[unit(layer - 1, i)]
                                         for i in range(1, WIDTHS[layer - 1] + 1))
            z = z + shift.get(f"{unit(layer, j)}_in", 0.0)
            out[unit(layer, j)] = np.tanh(z) if layer < len(WIDTHS) - 1 else 1 / (1 + np.exp(-z))
    out["E"] = 0.5 * ((out["o1"] - p["t1"]) ** 2 + (out["o2"] - p["t2"]) ** 2)
    return out


def expected(p: dict[str, np.ndarray], answer: str) -> np.ndarray:
    """One answer from the numpy network: values, central differences, the gradient-descent step."""
    values = forward(p, {})
    if answer in values:
        return values[answer]
    if answer.startswith("delta_"):
        at = f"{answer.removeprefix('delta_')}_in"
        return (forward(p, {at: H})["E"] - forward(p, {at: -H})["E"]) / (2 * H)
    name = answer.removeprefix("dE_d").removesuffix("_new")
    gradient = (forward({**p, name: p[name] + H}, {})["E"] - forward({**p, name: p[name] - H}, {})["E"]) / (2 * H)
    return gradient if answer.startswith("dE_d") else p[name] - p["eta"] * gradient


def test_layers_stand_for_the_dense_definitions_written_out():
    family = load(FILE)
    derivation = family.derivation()
    w = lambda *k: sympy.Symbol("w" + "_".join(map(str, k)))  # noqa: E731
    h1_2_in = sympy.Symbol("b1_2") + sum(w(1, 2, i) * sympy.Symbol(f"x{i}") for i in (1, 2, 3))
    o2_in = sympy.Symbol("b3_2") + sum(w(3, 2, i) * sympy.Symbol(f"h2_{i}") for i in (1, 2, 3))
    assert derivation.quantity("h1_2_in") == h1_2_in
    assert derivation.quantity("o2_in") == o2_in
    assert str(derivation.quantity("h2_3")) == "tanh(h2_3_in)"
    assert str(derivation.quantity("o1")) == "sigmoid(o1_in)"
    forward_names = [str(q) for q, _ in derivation.quantities if str(q) in derivation.forward]
    assert len(forward_names) == 2 * (4 + 3 + 2) + 1  # every unit, its input, and E


def test_a_layered_family_agrees_with_numpy_and_finite_differences():
    family = load(FILE)
    variants = generate(family, [VariantKey("layers", f"s{k}") for k in range(200)])
    params = as_arrays([v.numbers for v in variants], family.params)
    key = batch_key(family, variants)
    numeric = [a.id for a in family.answers if a.kind == "numeric"]
    assert len(numeric) == 14
    for answer in numeric:
        np.testing.assert_allclose(key[answer], expected(params, answer), rtol=1e-6, atol=1e-9, err_msg=answer)


def test_the_oracle_can_fail():
    """A swapped weight index changes the numpy network: the comparison above would notice it."""
    family = load(FILE)
    variants = generate(family, [VariantKey("layers", f"s{k}") for k in range(20)])
    params = as_arrays([v.numbers for v in variants], family.params)
    swapped = {**params, "w2_1_2": params["w2_2_1"], "w2_2_1": params["w2_1_2"]}
    assert not np.allclose(expected(swapped, "o1"), batch_key(family, variants)["o1"], rtol=1e-6)


@pytest.mark.parametrize("old, new, at, words", [
    ("layers = [3, 4, 3, 2]", "layers = [3]", "layers", "at least two widths"),
    ("layers = [3, 4, 3, 2]", "layers = [3, 0, 2]", "layers", "at least two widths"),
    ("layers = [3, 4, 3, 2]", 'layers = [3, 4, 3, 2]\ndefinitions = "o1 = x1"', "layers", "instead of definitions"),
    (ACTIVATIONS, 'activations = ["tanh", "sigmoid"]', "activations", "one activation per layer"),
    (ACTIVATIONS, 'activations = ["softmax", "tanh", "sigmoid"]', "activations", "softmax for a last layer"),
    (ACTIVATIONS, 'activations = ["tanh", "tanh", "exp"]', "activations", "one activation per layer"),
    (ACTIVATIONS, ACTIVATIONS + '\nbias = "some"', "activations", "bias = per_unit"),
])
def test_a_wrong_layers_table_is_reported_at_its_line(old, new, at, words):
    text = FILE.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    with pytest.raises(DeclarationError) as caught:
        parse(text, "mine.toml")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith(at))
    assert caught.value.line == line and words in caught.value.message(), caught.value.message()
    assert caught.value.message("zh").startswith(f"mine.toml,第 {line} 行:")


def test_a_missing_weight_names_the_generated_definition_and_the_layers_line():
    text = "".join(t for t in FILE.read_text(encoding="utf-8").splitlines(keepends=True)
                   if not t.startswith("w2_3_4 "))
    with pytest.raises(DeclarationError) as caught:
        parse(text, "mine.toml")
    assert caught.value.line == next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("layers"))
    assert caught.value.message().endswith(
        "definition 'h2_3_in = w2_3_1*h1_1 + w2_3_2*h1_2 + w2_3_3*h1_3 + w2_3_4*h1_4 + b2_3': "
        "'w2_3_4' is neither a parameter nor defined above")


def test_shared_biases_and_a_softmax_output_layer():
    text = FILE.read_text(encoding="utf-8").replace(ACTIVATIONS, 'activations = ["tanh", "tanh", "softmax"]\n'
                                                                 'bias = "shared"')
    shared = "".join(f'b{k} = {{ grid = ["0", "1", "0.5"] }}\n' for k in (1, 2, 3))
    text = text.replace("[params]\n", "[params]\n" + shared)
    text = text.replace("[canonical]\n", "[canonical]\n" + "".join(f'b{k} = "0.5"\n' for k in (1, 2, 3)))
    d = parse(text)
    definitions = {str(name): expr for name, expr in d.definitions}
    assert definitions["h1_3_in"] == sympy.sympify("w1_3_1*x1 + w1_3_2*x2 + w1_3_3*x3 + b1")
    assert str(definitions["o2"]).startswith("exp(o2_in)/(exp(o1_in) + exp(o2_in))")
    assert {u.kind for u in d.units if u.name in ("o1", "o2")} == {"softmax"}
