"""Declared families: validation that points at the line, hostile declarations, the derivation of
a small ReLU network, draws, the generic conditioning rules, grading and ``grader family check``."""

from __future__ import annotations

import string
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.core.evaluate import as_arrays, batch_quantities
from grader.core.grading import expectations, grade
from grader.core.keys import answer_key
from grader.core.mistakes import numeric_mistakes
from grader.core.rng import Draws
from grader.core.variants import canonical
from grader.declared import DeclarationError, bundled, load, loads, parse
from grader.declared.build import draw
from grader.declared.messages import MESSAGES
from grader.declared.stress import stress
from grader.families import FAMILIES
from grader.text.messages import LANGUAGES
from tests.conftest import roster_variants

MINI = '''name = "{name}"
version = 1

[summary]
en = "A 1-2-1 ReLU network with a linear output"
zh = "带 ReLU 隐藏层和线性输出的 1-2-1 网络"

[params]
x = {{ grid = ["0.5", "2", "0.5"] }}
w1 = {{ grid = ["-1", "1", "0.1"], min_abs = "0.2" }}
w2 = {{ grid = ["-1", "1", "0.1"], min_abs = "0.2" }}
w3 = {{ grid = ["-1", "1", "0.1"], min_abs = "0.2" }}
w4 = {{ grid = ["-1", "1", "0.1"], min_abs = "0.2" }}
t = {{ grid = ["-2", "2", "0.25"] }}
eta = {{ choices = ["0.1", "0.5"] }}

[draw]
distinct = [["w1", "w2", "w3", "w4"]]

[canonical]
x = "1"
w1 = "0.5"
w2 = "-0.5"
w3 = "1"
w4 = "0.5"
t = "1"
eta = "0.1"

[model]
definitions = """
a1_in = w1*x
a2_in = w2*x
a1 = relu(a1_in)
a2 = relu(a2_in)
y_in = w3*a1 + w4*a2
y = linear(y_in)
"""
loss = "squared_error"
outputs = ["y"]
targets = ["t"]

[update]
trainable = ["w1", "w2", "w3", "w4"]

[answers]
steps = [
    {{ step = "forward pass", zh = "前向传播", numbers = ["a1", "a2", "y"] }},
    {{ step = "loss", zh = "损失", numbers = ["E"] }},
    {{ step = "deltas", zh = "误差项", numbers = ["delta_y", "delta_a1", "delta_a2"] }},
    {{ step = "gradients", zh = "梯度", numbers = ["dE_dw1", "dE_dw3"] }},
    {{ step = "updates", zh = "参数更新", numbers = ["w1_new"] }},
]

[conditions]
min_error = 0.05

[statement]
en = "x = {{x}}, t = {{t}}, w1 = {{w1}}, w2 = {{w2}}, w3 = {{w3}}, w4 = {{w4}}, eta = {{eta}}"
zh = "x = {{x}},t = {{t}},w1 = {{w1}},w2 = {{w2}},w3 = {{w3}},w4 = {{w4}},eta = {{eta}}"
'''


def mini(name: str = "mini_relu", replace: tuple[str, str] | None = None) -> str:
    text = MINI.format(name=name)
    if replace:
        assert replace[0] in text, replace[0]
        text = text.replace(*replace)
    return text


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_a_relu_network_with_a_linear_output_derives_like_numpy():
    family = loads(mini("mini_relu_values"))
    derivation = family.derivation()
    assert str(derivation.quantity("delta_a1")) == "delta_y*w3*step(a1_in)"
    p = {k: np.array([float(v)]) for k, v in canonical(family).numbers.items()}
    values = batch_quantities(derivation, p)
    a = np.maximum(0, np.array([0.5, -0.5]) * p["x"])
    y = 1.0 * a[0] + 0.5 * a[1]
    assert values["a1"] == a[0] and values["a2"] == 0 and values["y"] == pytest.approx(y)
    assert values["delta_y"] == pytest.approx(y - 1)
    assert values["delta_a2"] == 0  # the unit is off: no gradient flows through it
    assert values["dE_dw1"] == pytest.approx((y - 1) * 1.0 * 1 * p["x"])
    assert values["w1_new"] == pytest.approx(0.5 - 0.1 * (y - 1) * p["x"])


def test_relu_variants_keep_every_unit_away_from_its_kink():
    family = loads(mini("mini_relu_kink"))
    variants = [family.draw(Draws("kink", str(i))) for i in range(2000)]
    params = as_arrays(variants, family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    ok = family.conditions(values)
    assert 0 < ok.sum() < len(ok)
    assert (np.abs(values["a1_in"][ok]) >= 0.05).all() and (np.abs(values["a2_in"][ok]) >= 0.05).all()


BAD = [
    # (replace this, with this, the fragment of the line the error must name, words of the message)
    ('name = "{n}"', 'name = "Bad Name"', "name =", "lower-case"),
    ('w1 = { grid = ["-1", "1", "0.1"], min_abs = "0.2" }', 'w1 = { grid = ["-1", "1", "0"] }', "w1 =", "grid"),
    ('w1 = { grid = ["-1", "1", "0.1"], min_abs = "0.2" }', 'w1 = { grid = ["0", "1000000", "0.0001"] }',
     "w1 =", "at most"),
    ('w1 = { grid = ["-1", "1", "0.1"], min_abs = "0.2" }', 'w1 = { grid = ["-1", "1", "x"] }', "w1 =", "exact"),
    ('w1 = { grid = ["-1", "1", "0.1"], min_abs = "0.2" }', 'w1 = { grid = ["-1", "1", "0.1"], maximum = 3 }',
     "w1 =", "unknown key 'maximum'"),
    ('eta = { choices = ["0.1", "0.5"] }', 'eta = { choices = [] }', "eta =", "grid"),
    ("a2 = relu(a2_in)", "a2 = relu(a3_in)", "a2 = relu(a3_in)", "'a3_in' is neither"),
    ("a2 = relu(a2_in)", "a2 = relu(a2_in, x)", "a2 = relu(a2_in, x)", "one argument"),
    ("a2 = relu(a2_in)", "a2 = a2_in ^ 2", "a2 = a2_in ^ 2", "use **"),
    ("a2 = relu(a2_in)", "a2 = a2_in ** 100", "a2 = a2_in ** 100", "power"),
    ("a2 = relu(a2_in)", "a2 = a2_in *", "a2 = a2_in *", "column"),
    ("a2 = relu(a2_in)", "a1 = relu(a2_in)", "a1 = relu(a2_in)", "already"),
    ("a2 = relu(a2_in)", "w1 = relu(a2_in)", "w1 = relu(a2_in)", "already"),
    ("a2 = relu(a2_in)", "delta_x = relu(a2_in)", "delta_x = relu(a2_in)", "derived"),
    ("a2 = relu(a2_in)", "a2 = a2_in / 0", "a2 = a2_in / 0", "/ 0"),
    ("a2 = relu(a2_in)", "a2 = exp(a2_in)", "a2 = exp(a2_in)", "exp(a2_in)"),
    ("a2 = relu(a2_in)", "a2, a3 = softmax(a2_in)", "a2, a3 = softmax(a2_in)", "as many outputs"),
    ('loss = "squared_error"', 'loss = "hinge"', "loss =", "cross_entropy"),
    ('outputs = ["y"]', 'outputs = ["y", "a1"]', "targets =", "same length"),
    ('targets = ["t"]', 'targets = ["y"]', "targets =", "parameter"),
    ('trainable = ["w1", "w2", "w3", "w4"]', 'trainable = ["w1", "w9"]', "trainable =", "'w9'"),
    ('trainable = ["w1", "w2", "w3", "w4"]', 'trainable = ["w1"]\nrule = "momentum"', 'rule = "momentum"',
     "needs 'momentum'"),
    ('"dE_dw1", "dE_dw3"', '"dE_dw1", "dE_dw2", "dE_dw9"', "dE_dw9", "'dE_dw9' must be a quantity"),
    ('"dE_dw1", "dE_dw3"', '"dE_dw1", "dE_dw1"', "dE_dw1", "asked twice"),
    ("[conditions]", '[answers.formulas]\ndelta_y = ["delta_y", "y"]\n\n[conditions]', 'delta_y = ["delta_y"',
     "cannot let the student write delta_y itself"),
    ("[conditions]", '[answers.formulas]\ndelta_y = { symbols = ["y"], keep = ["y"], extra = 1 }\n\n[conditions]',
     "delta_y = {", "unknown key 'extra'"),
    ('w4 = "0.5"', "", "[canonical]", "canonical value of 'w4'"),
    ('distinct = [["w1", "w2", "w3", "w4"]]', 'distinct = [["w1", "x"]]', "distinct =", "same grid"),
    ("min_error = 0.05", "min_error = -1", "min_error", "non-negative"),
    ("eta = {{eta}}\"\nzh", "eta = {{eta}} {{lr}}\"\nzh", "{lr}", "unknown placeholder {lr}"),
    ("eta = {{eta}}\"\nzh", "eta = {{eta}} }}\"\nzh", "en = \"x = ", "unbalanced braces"),
    ("eta = {{eta}}\"\nzh", "eta = {{eta:>{{w1}}}}\"\nzh", "{eta:", "unknown placeholder {eta:>{w1}}"),
    ("eta = {{eta}}\"\nzh", "eta = {{w1.numerator}}\"\nzh", "{w1.", "unknown placeholder {w1.numerator}"),
    ("[update]", "[update]\nepochs = 99", "epochs = 99", "epochs"),
    ("[conditions]", "[conditions]\n[conditions]  # again", "# again", "TOML"),
    ("[conditions]", '[mistakes]\noutput_shortcut = "no"\n\n[conditions]', "output_shortcut", "true or false"),
    ("[conditions]", '[mistakes]\nslips = [{{ name = "typo_slip", swaps = [["delta_a1", "w3", "w4"]] }}]\n\n'
     "[conditions]", "typo_slip", "cannot name a slip"),
    ("[conditions]", '[mistakes]\nslips = [{{ name = "off_by_one", swaps = [["delta_a1", "w3", "w4"]] }}]\n\n'
     "[conditions]", "off_by_one", "cannot name a slip"),
    ("[conditions]", '[mistakes]\nslips = [{{ name = "wrong_weight_index", swaps = [["delta_a1", "w3"]] }}]\n\n'
     "[conditions]", "wrong_weight_index", "[quantity, right name, name used instead"),
    ("[conditions]", '[mistakes]\nslips = [{{ name = "wrong_weight_index", swaps = [["delta_a1", "w3", "w9"]] }}]\n\n'
     "[conditions]", "wrong_weight_index", "'w9' is neither"),
    ("[conditions]", '[mistakes]\nslips = [{{ name = "wrong_weight_index", swaps = [["delta_q", "w3", "w4"]] }}]\n\n'
     "[conditions]", "wrong_weight_index", "'delta_q' must be a quantity"),
]


@pytest.mark.parametrize("old, new, fragment, words", BAD, ids=[f"{i}:{b[3]}" for i, b in enumerate(BAD)])
def test_every_problem_is_reported_at_its_line(old, new, fragment, words):
    old, new = old.replace("{{", "{").replace("}}", "}"), new.replace("{{", "{").replace("}}", "}")
    old = 'name = "mini_bad"' if old == 'name = "{n}"' else old
    text = mini("mini_bad").replace(old, new, 1)
    assert text != mini("mini_bad")
    with pytest.raises(DeclarationError) as caught:
        parse(text, "course/mine.toml")
    error = caught.value
    assert error.line == line_of(text, fragment), error.message()
    assert error.message().startswith(f"course/mine.toml, line {error.line}: ")
    assert words in error.message()
    assert error.message("zh").startswith(f"course/mine.toml,第 {error.line} 行:")


HOSTILE = [
    "__import__('os').system('touch /tmp/declared_pwned')",
    "x.__class__",
    "(lambda: 1)()",
    "[x for x in range(10**9)]",
    "open('/etc/passwd')",
    "x if x else w1",
    "'text'",
    "x @ w1",
    "10**10**10",
    "x" + "+x" * 400,
    "(" * 300 + "x" + ")" * 300,
]


@pytest.mark.parametrize("expression", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_definitions_are_refused_without_being_run(expression, tmp_path):
    text = mini("mini_hostile", ("a2 = relu(a2_in)", f"a2 = {expression}"))
    with pytest.raises(DeclarationError) as caught:
        parse(text, "evil.toml")
    assert caught.value.line == line_of(text, "a2 = " + expression[:20])
    assert "Traceback" not in caught.value.message()


def test_a_missing_or_undecodable_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(DeclarationError, match="nothing.toml"):
        load(tmp_path / "nothing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(DeclarationError, match="binary.toml"):
        load(binary)


def test_every_declaration_message_has_both_languages_and_the_same_placeholders():
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in texts.values()]
        assert fields[0] == fields[1], key


def test_one_hot_and_sum_to_one_groups_are_drawn_as_declared():
    softmax = parse(next(f for f in _bundled_texts() if "softmax_ce" in f))
    sums = [draw(softmax, Draws("sum", str(i))) for i in range(300)]
    kept = [p for p in sums if p is not None]
    assert 0 < len(kept) < len(sums)
    for p in kept:
        assert p["y1"] + p["y2"] + p["y3"] == 1 and min(p["y1"], p["y2"], p["y3"]) >= Fraction(1, 20)
    hot = parse(next(f for f in _bundled_texts() if "softmax_ce" in f).replace(
        "sum_to_one = ", "one_hot = ").replace('y1 = { grid = ["0.05", "0.9", "0.05"] }', "y1 = {}").replace(
        'y2 = { grid = ["0.05", "0.9", "0.05"] }', "y2 = {}").replace('y3 = { grid = ["0.05", "0.9", "0.05"] }',
                                                                    "y3 = {}"))
    classes = [draw(hot, Draws("hot", str(i))) for i in range(300)]
    assert all(sorted((p["y1"], p["y2"], p["y3"])) == [0, 0, 1] for p in classes)
    assert {(p["y1"], p["y2"]) for p in classes} == {(1, 0), (0, 1), (0, 0)}


def _bundled_texts() -> list[str]:
    from importlib import resources

    folder = resources.files("grader.declared") / "families"
    return [f.read_text(encoding="utf-8") for f in folder.iterdir() if f.name.endswith(".toml")]


def test_bundled_declared_families_are_registered():
    assert {"tanh_231", "softmax_ce", "momentum_linear", "decay_222"} <= set(FAMILIES)
    assert all(FAMILIES[f.name] is f for f in bundled())


@pytest.mark.parametrize("name", ["tanh_231", "softmax_ce", "momentum_linear", "decay_222"])
def test_no_named_mistake_earns_full_marks(name):
    """The generic rule: a student making any named mistake (but rounding) is not graded correct."""
    family = FAMILIES[name]
    variants = roster_variants(name, 60)
    params = as_arrays([v.numbers for v in variants], family.params)
    correct = {**params, **batch_quantities(family.derivation(), params)}
    found = numeric_mistakes(family, params, correct)
    for row, expected in enumerate(expectations(family, variants)):
        key = {k: repr(e.value) if e.kind == "numeric" else e.value for k, e in answer_key(variants[row]).items()}
        for answer, mistakes in found.items():
            for mistake, wrong in mistakes:
                value = float(np.broadcast_to(wrong, (len(variants),))[row])
                if mistake.name == "rounded_too_early" or value == correct[answer][row]:
                    continue
                result = grade(expected, {**key, answer: repr(value)})
                judged = next(a for a in result.answers if a.id == answer)
                assert judged.status != "correct" or judged.carried_forward, (answer, mistake.name, value)


def test_a_dropped_tanh_derivative_is_named_and_later_answers_get_carried_forward_credit():
    family = FAMILIES["tanh_231"]
    v = roster_variants("tanh_231", 5)[0]
    (expected,) = expectations(family, [v])
    key = {k: repr(e.value) if e.kind == "numeric" else e.value for k, e in answer_key(v).items()}
    values = expected.values
    dropped = (values["o1"] - values["t1"]) * values["w7"]  # sigma' and tanh' = 1 - h1^2 left out
    result = {a.id: a for a in grade(expected, {**key, "delta_h1": repr(dropped),
                                                "dE_dw1": repr(dropped * values["i1"])}).answers}
    assert result["delta_h1"].mistake == "activation_derivative_dropped"
    assert result["dE_dw1"].carried_forward and result["dE_dw1"].status == "correct"


def test_stress_counts_match_the_conditions():
    family = FAMILIES["softmax_ce"]
    declaration = parse(next(f for f in _bundled_texts() if "softmax_ce" in f))
    report = stress(declaration, family, count=400)
    assert report.variants == 400 and report.failure is None
    assert all(0 <= n <= 400 for n in report.rejected.values())
    drawn = [family.draw(Draws(f"{len('stress')}:stress\x1f10:softmax_ce\x1f{len(str(i))}:{i}", "0"))
             for i in range(400)]
    kept = [p for p in drawn if p is not None]
    assert report.rejected["draw"] == 400 - len(kept)
    params = as_arrays(kept, family.params)
    values = {**params, **batch_quantities(family.derivation(), params)}
    assert report.accepted == int(np.count_nonzero(family.conditions(values)))


def test_family_check_reports_rules_and_the_canonical_variant(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(mini("mini_cli"), encoding="utf-8")
    result = CliRunner().invoke(main, ["family", "check", str(path), "--count", "300"])
    assert result.exit_code == 0, result.output
    assert "mini_cli (version 1): the declaration is valid." in result.output
    for rule in ("saturated_unit", "gradient_rounds_to_zero", "answers_not_distinct", "mistake_within_tolerance"):
        assert f"rejected by {rule}" in result.output
    assert "300 variants generated" in result.output
    assert "Canonical variant:" in result.output and "w1_new" in result.output
    zh = CliRunner().invoke(main, ["family", "check", str(path), "--count", "50", "--lang", "zh"])
    assert zh.exit_code == 0 and "声明有效" in zh.output


def test_family_check_points_at_the_line_and_exits_with_an_error(tmp_path):
    path = tmp_path / "broken.toml"
    text = mini("mini_broken", ("a2 = relu(a2_in)", "a2 = relu(a2_inn)"))
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["family", "check", str(path)])
    assert result.exit_code == 1
    assert f"line {line_of(text, 'a2 = relu(a2_inn)')}: definition 'a2 = relu(a2_inn)'" in result.output
    assert "Traceback" not in result.output


def test_the_authoring_guide_example_is_a_working_family(tmp_path):
    import re
    from pathlib import Path

    guide = (Path(__file__).parent.parent / "docs" / "authoring-families.md").read_text(encoding="utf-8")
    example = re.findall(r"```toml\n(.*?)```", guide, re.S)[0]  # the complete example; later ones are excerpts
    family = loads(example, "docs/authoring-families.md")
    assert family.name == "relu_221_momentum"
    key = answer_key(canonical(family))
    h1, h2 = max(0, 0.6 * 0.5 - 0.4 * 0.2 + 0.1), max(0, 0.3 * 0.5 + 0.8 * 0.2 + 0.1)
    o = 1 / (1 + np.exp(-(0.7 * h1 - 0.5 * h2)))
    delta_o = (o - 0.9) * o * (1 - o)
    assert key["o"].value == pytest.approx(o, rel=1e-12)
    assert key["v_w5_new"].value == pytest.approx(0.9 * 0.1 + delta_o * h1, rel=1e-12)
    assert key["w5_new"].value == pytest.approx(0.7 - 0.5 * (0.9 * 0.1 + delta_o * h1), rel=1e-12)
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    result = CliRunner().invoke(main, ["family", "check", str(path), "--count", "200"])
    assert result.exit_code == 0 and "200 variants generated" in result.output, result.output


def test_the_output_shortcut_is_named_where_it_does_not_hold_and_never_where_it_does():
    family = FAMILIES["tanh_231"]
    v = roster_variants("tanh_231", 5)[1]
    (expected,) = expectations(family, [v])
    key = {k: repr(e.value) if e.kind == "numeric" else e.value for k, e in answer_key(v).items()}
    x = expected.values
    shortcut = (x["o1"] - x["t1"]) * x["w7"] * (1 - x["h1"] ** 2)  # delta_o1 taken as o1 - t1, tanh' kept
    (judged,) = [a for a in grade(expected, {**key, "delta_h1": repr(shortcut)}).answers if a.id == "delta_h1"]
    assert judged.mistake == "output_shortcut"
    softmax = FAMILIES["softmax_ce"]
    variants = roster_variants("softmax_ce", 50)
    params = as_arrays([v.numbers for v in variants], softmax.params)
    correct = {**params, **batch_quantities(softmax.derivation(), params)}
    for answer, found in numeric_mistakes(softmax, params, correct).items():
        (values,) = [w for m, w in found if m.name == "output_shortcut"]
        np.testing.assert_allclose(values, correct[answer], rtol=1e-12, err_msg=answer)  # it holds: no mistake


def test_the_network_picture_is_read_off_the_derivation(tmp_path):
    from grader.declared.plot import NoNetwork, graph, network

    g = graph(FAMILIES["tanh_231"].derivation())
    assert g.inputs == ("i1", "i2") and len(g.edges) == 9
    assert g.layers == {"i1": 0, "i2": 0, "h1": 1, "h2": 1, "h3": 1, "o1": 2}
    assert ("w8", "h2", "o1") in g.edges and ("w3", "i1", "h2") in g.edges
    softmax = graph(FAMILIES["softmax_ce"].derivation())
    assert sorted(softmax.units) == ["p1", "p2", "p3"] and softmax.units["p2"] == "z2"
    v = canonical(FAMILIES["tanh_231"])
    shown = " ".join(t.get_text() for t in network(v).axes[0].texts)
    assert "w7 = 0.45" in shown and "δ   = -0.0662" in shown  # delta_o1 of the canonical key above
    with pytest.raises(NoNetwork):
        graph(FAMILIES["momentum_linear"].derivation())
    relu = graph(loads(mini("mini_plot")).derivation())
    assert relu.layers == {"x": 0, "a1": 1, "a2": 1, "y": 2} and relu.units["y"] == "y_in"
    path = tmp_path / "mine.toml"
    path.write_text(mini("mini_plot"), encoding="utf-8")
    picture = tmp_path / "net.png"
    result = CliRunner().invoke(main, ["family", "check", str(path), "--count", "50", "--plot", str(picture)])
    assert result.exit_code == 0, result.output
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_step_without_a_chinese_name_is_refused_at_its_line(tmp_path):
    path = tmp_path / "steps.toml"
    text = mini("mini_steps", ('step = "deltas", zh = "误差项"', 'step = "backward"'))
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["family", "check", str(path), "--count", "10"])
    assert result.exit_code == 1
    line = line_of(text, 'step = "backward"')
    assert f"line {line}: step 'backward' has no Chinese name" in result.output
    assert 'give its entry one: zh = "..."' in result.output


def test_a_step_of_every_epoch_needs_the_epoch_in_its_chinese_name_too(tmp_path):
    path = tmp_path / "steps.toml"
    text = mini("mini_steps", ('step = "deltas", zh = "误差项"', 'step = "deltas {k}", zh = "误差项"'))
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["family", "check", str(path), "--count", "10", "--lang", "zh"])
    assert result.exit_code == 1
    line = line_of(text, 'step = "deltas {k}"')
    assert f"第 {line} 行" in result.output
    assert "中文名也要含 {k}" in result.output
