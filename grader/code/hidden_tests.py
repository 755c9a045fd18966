"""Hidden tests of the code exercises: inputs from the engine's random variants, expected values
from the exact answer key, the reference solutions in ``solutions/`` and finite differences.

A :class:`HiddenTest` is a list of :class:`Case` s; a case is the calls the student's functions
get (plain inputs only: nothing expected ever reaches the sandbox) and a judge that checks what
they returned. Judges give partial credit (the share of checks passed) and name the fault
when a wrong value matches a known mistake. Where a step depends on an earlier step the
student got wrong, it is also accepted when it is right *from the student's own earlier
values* (carried forward), so that one fault fails the test it belongs to and no other.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.code.checks import (
    FD_ATOL,
    FD_RTOL,
    Note,
    Tally,
    as_number,
    as_sequence,
    check_shape,
    check_values,
    describe,
    diagnose,
    diagnose_local,
    lookup,
)
from grader.code.sandbox import Call, Lambda, Ref
from grader.core.evaluate import exact_quantities, local_value
from grader.core.model import CORRECT, Rules
from grader.core.rng import stable_seed
from grader.core.variants import Variant, VariantKey, generate
from grader.families import get_family

DEFAULT_KEY = VariantKey("code-exercises", "hidden", "code")
H = 1e-5  # step of the finite differences the grader takes of the student's own functions

NO_ACTIVATION = Rules(activation_derivative=False)
HALF_FORGOTTEN = Rules(loss_scale=1)
STEP_ADDED = Rules(update_sign=1)

Judge = Callable[[Sequence[Any], Tally], None]


@dataclass(frozen=True)
class Case:
    """Calls of the student's functions and the judge of their values; ``weight`` is the number of
    checks the judge makes, all failed at once when a call gives no value."""

    calls: tuple[Call, ...]
    judge: Judge
    weight: int


@dataclass(frozen=True)
class HiddenTest:
    """One graded test: a name, its points, and its cases."""

    name: str
    points: float
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class Exercise:
    """A code exercise: the file students fill in, its functions, and its hidden tests by name."""

    name: str
    functions: tuple[str, ...]
    title: Mapping[str, str]
    tests: Mapping[str, Mapping[str, str]]  # test name -> title {en, zh}, in order
    build: Callable[[VariantKey], list[HiddenTest]]


class ReferenceMissing(RuntimeError):
    """The reference solutions (``solutions/``) are not where the grader expects them."""


def solutions_folder() -> Path | None:
    """Where the reference solutions are installed (``grader.solutions``, from ``solutions/``), or None."""
    spec = importlib.util.find_spec("grader.solutions")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def reference(module: str) -> ModuleType:
    """The reference solution ``solutions/<module>.py``, imported in the grader's own process."""
    folder = solutions_folder()
    path = folder / f"{module}.py" if folder else Path("solutions", f"{module}.py")
    if not path.is_file():
        raise ReferenceMissing(f"reference solution {path} not found; reinstall gdbp-grader "
                               "(the package ships solutions/ as grader.solutions)")
    spec = importlib.util.spec_from_file_location(f"gdbp_reference_{module}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


# --- random inputs -----------------------------------------------------------------------------

def hidden_variants(family: str, key: VariantKey, count: int) -> list[Variant]:
    """``count`` variants of a family for the hidden tests of one student (or of the default key)."""
    keys = [VariantKey(key.assignment, f"{key.student}/hidden/{n}", key.question) for n in range(count)]
    return generate(get_family(family), keys)


def generator(key: VariantKey, label: str) -> np.random.Generator:
    """A numpy generator seeded from the key and a label (never the global random state)."""
    digest = hashlib.sha256(stable_seed(key.assignment, key.student, key.question, label).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def floats(variant: Variant) -> dict[str, float]:
    """A variant's parameters as floats."""
    return {k: float(v) for k, v in variant.numbers.items()}


def key_values(variant: Variant) -> dict[str, float]:
    """Every quantity of a variant, exactly computed, as floats."""
    return {k: float(v) for k, v in exact_quantities(variant.family.derivation(), variant.params).items()}


def numbers_in(result: Any, names: Sequence[str]) -> dict[str, float]:
    """The student's values for ``names`` that are numbers (others are left out)."""
    found = {}
    for name in names:
        number = as_number(lookup(result, name))
        if number is not None and np.isfinite(number):
            found[name] = number
    return found


def local(variant: Variant, name: str, values: Mapping[str, float], rules: Rules = CORRECT) -> float | None:
    """One quantity from its own formula at the given values (None if the formula cannot be evaluated)."""
    try:
        value = local_value(variant.family.derivation(rules), name, values)
    except (KeyError, ZeroDivisionError, OverflowError, ValueError):
        return None
    return value if np.isfinite(value) else None


def label(name: str) -> str:
    """'dE_dw5' as 'dE/dw5' in messages."""
    return name.replace("dE_d", "dE/d")


# --- exercise 1: sigmoid ---------------------------------------------------------------------------

def sigmoid_tests(key: VariantKey) -> list[HiddenTest]:
    """Values, shapes and extremes of sigmoid; values and consistency of sigmoid_prime."""
    ref = reference("sigmoid")
    rng = generator(key, "sigmoid")
    z = np.round(rng.uniform(-6, 6, size=8), 3)
    z = np.concatenate([[0.0], z])
    names = [f"sigmoid({v:g})" for v in z]
    prime_names = [f"sigmoid_prime({v:g})" for v in z]

    def values(results, tally):
        expected = ref.sigmoid(z)
        check_values(tally, "sigmoid(z)", results[0], expected, names, {"m_exponent_sign": 1 - expected})

    shapes_in = [float(z[1]), z[1:4].copy(), z[1:7].reshape(2, 3)]

    def shapes(results, tally):
        for given, argument in zip(results, shapes_in, strict=True):
            shape = np.shape(argument)
            if check_shape(tally, f"sigmoid of shape {shape}", given, shape):
                check_values(tally, "sigmoid(z)", given, ref.sigmoid(argument))
            else:
                tally.fail(max(1, int(np.size(argument))))

    extremes_in = np.array([-1000.0, -50.0, 50.0, 1000.0])

    def extremes(results, tally):
        names_ = [f"sigmoid({v:g})" for v in extremes_in]
        check_values(tally, "sigmoid(z)", results[0], ref.sigmoid(extremes_in), names_, atol=1e-12)

    def prime(results, tally):
        expected = ref.sigmoid_prime(z)
        check_values(tally, "sigmoid_prime(z)", results[0], expected, prime_names,
                     {"m_prime_of_activation": z * (1 - z)})

    def prime_fd(results, tally):
        up, down, given = (np.asarray(r, dtype=float) if _is_numeric(r) else None for r in results)
        if up is None or down is None or up.shape != z.shape or down.shape != z.shape:
            tally.check(Note("type", ("sigmoid(z)",), (("expected", f"an array of shape {z.shape}"),
                                                       ("given", describe(results[0])))), weight=z.size)
            return
        numerical = (up - down) / (2 * H)
        _fd_compare(tally, prime_names, results[2], numerical, "sigmoid")

    return [
        HiddenTest("sigmoid_values", 2, (Case((Call("sigmoid", (z,)),), values, z.size),)),
        HiddenTest("sigmoid_shapes", 1, (Case(tuple(Call("sigmoid", (a,)) for a in shapes_in), shapes,
                                              3 + 1 + 3 + 6),)),
        HiddenTest("sigmoid_extremes", 1, (Case((Call("sigmoid", (extremes_in,)),), extremes, 4),)),
        HiddenTest("sigmoid_prime_values", 2, (Case((Call("sigmoid_prime", (z,)),), prime, z.size),)),
        HiddenTest("sigmoid_prime_fd", 1, (Case((Call("sigmoid", (z + H,)), Call("sigmoid", (z - H,)),
                                                 Call("sigmoid_prime", (z,))), prime_fd, z.size),)),
    ]


def _is_numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def _fd_compare(tally: Tally, names: Sequence[str], given: Any, numerical: np.ndarray, function: str) -> None:
    """Entry by entry, the student's derivatives against finite differences of their own ``function``."""
    flat = np.asarray(numerical, dtype=float).reshape(-1)
    values = np.asarray(given, dtype=float).reshape(-1) if _is_numeric(given) else None
    if values is None or values.size != flat.size:
        tally.check(Note("type", (names[0],), (("expected", f"{flat.size} numbers"),
                                                ("given", describe(given)))), weight=flat.size)
        return
    for name, value, want in zip(names, values, flat, strict=True):
        note = diagnose(name, float(value), float(want), rtol=FD_RTOL, atol=FD_ATOL, sign_key="m_fd_sign")
        if note is not None and note.key in ("m_fd_sign", "wrong_value"):
            note = Note(note.key if note.key == "m_fd_sign" else "m_fd_disagree", note.names,
                        (("function", function),))
        tally.check(note)


# --- exercise 2: gradient descent on f(x) = w x -------------------------------------------------

def gd_tests(key: VariantKey) -> list[HiddenTest]:
    """History format, gradients, losses and weights on engine variants; a long run against the reference."""
    variants = hidden_variants("gd_linear", key, 3)
    ref = reference("gd_linear")

    def run(v: Variant, epochs: int) -> Call:
        p = floats(v)
        return Call("gd_linear_train", (p["x"], p["t"], p["w0"], p["eta"], epochs))

    def history(result, tally, weight) -> dict | None:
        if not isinstance(result, Mapping):
            tally.check(Note("type", ("the history",), (("expected", "a dict with keys 'w', 'E', 'grad'"),
                                                        ("given", describe(result)))), weight=weight)
            return None
        return result

    def judged(v: Variant, step: Callable) -> Judge:
        p, q = floats(v), key_values(v)

        def judge(results, tally):
            result = history(results[0], tally, 2 if step is not weights else 3)
            if result is not None:
                step(p, q, result, tally)
        return judge

    def format_(results, tally):
        result = history(results[0], tally, 6)
        if result is None:
            return
        for name, size in (("w", 4), ("E", 3), ("grad", 3)):
            entries = as_sequence(result.get(name))
            if name not in result:
                tally.check(Note("missing_value", (f"history['{name}']",)), weight=2)
                continue
            tally.check(None)
            if entries is None:
                tally.check(Note("type", (f"history['{name}']",), (("expected", "a list"),
                                                                   ("given", describe(result.get(name))))))
            elif len(entries) != size:
                tally.check(Note("length", (f"history['{name}']",), (("given", str(len(entries))),
                                                                     ("expected", str(size)))))
            else:
                tally.check(None)

    def long_run(results, tally):
        result = history(results[0], tally, 25)
        if result is None:
            return
        p = floats(variants[0])
        want = ref.gd_linear_train(p["x"], p["t"], p["w0"], p["eta"], 8)
        for name in ("w", "E", "grad"):
            entries = as_sequence(result.get(name))
            check_values(tally, name, entries if entries is not None else result.get(name), np.array(want[name]),
                         [f"{name}[{i}]" for i in range(len(want[name]))])

    return [
        HiddenTest("gd_history_format", 1, (Case((run(variants[0], 3),), format_, 6),)),
        HiddenTest("gd_gradients", 2, tuple(Case((run(v, 2),), judged(v, gradients), 2) for v in variants)),
        HiddenTest("gd_losses", 1, tuple(Case((run(v, 2),), judged(v, losses), 2) for v in variants)),
        HiddenTest("gd_weights", 2, tuple(Case((run(v, 2),), judged(v, weights), 3) for v in variants)),
        HiddenTest("gd_long_run", 1, (Case((run(variants[0], 8),), long_run, 25),)),
    ]


def _entry(result: Mapping, name: str, index: int) -> Any:
    entries = as_sequence(result.get(name))
    return entries[index] if entries is not None and index < len(entries) else None


def gradients(p, q, result, tally):
    """grad_k against the key, or against (w x - t) x at the student's own w_(k-1)."""
    for k in (1, 2):
        w_prev = as_number(_entry(result, "w", k - 1))
        mine = None if w_prev is None else (w_prev * p["x"] - p["t"]) * p["x"]
        base = mine if mine is not None else q[f"grad_{k}"]
        after = (q[f"w_{k}"] * p["x"] - p["t"]) * p["x"]
        tally.check(diagnose_local(f"grad[{k - 1}]", _entry(result, "grad", k - 1), q[f"grad_{k}"], mine,
                                   [("m_half", 2 * base), ("m_epoch_shift", after)]))


def losses(p, q, result, tally):
    """E_k against the key, or against 1/2 (w x - t)^2 at the student's own w_(k-1)."""
    for k in (1, 2):
        w_prev = as_number(_entry(result, "w", k - 1))
        mine = None if w_prev is None else 0.5 * (w_prev * p["x"] - p["t"]) ** 2
        base = mine if mine is not None else q[f"E_{k}"]
        after = 0.5 * (q[f"w_{k}"] * p["x"] - p["t"]) ** 2
        tally.check(diagnose_local(f"E[{k - 1}]", _entry(result, "E", k - 1), q[f"E_{k}"], mine,
                                   [("m_half", 2 * base), ("m_epoch_shift", after)]))


def weights(p, q, result, tally):
    """w_0 = w0, then w_k against the key, or against w_(k-1) - eta grad_k from the student's own values."""
    first = as_number(_entry(result, "w", 0))
    tally.check(None if first is not None and abs(first - p["w0"]) <= 1e-12 + 1e-9 * abs(p["w0"])
                else Note("m_history_w0", ("history['w']",)))
    for k in (1, 2):
        w_prev = as_number(_entry(result, "w", k - 1))
        grad = as_number(_entry(result, "grad", k - 1))
        mine = None if w_prev is None or grad is None else w_prev - p["eta"] * grad
        added = (w_prev if w_prev is not None else q.get(f"w_{k - 1}", p["w0"])) + p["eta"] * (
            grad if grad is not None else q[f"grad_{k}"])
        before = (w_prev if w_prev is not None else 0.0, q.get(f"w_{k - 1}", p["w0"]))
        tally.check(diagnose_local(f"w[{k}]", _entry(result, "w", k), q[f"w_{k}"], mine,
                                   [("m_step_added", added)], baseline=before))


# --- exercise 3: the 2-2-2 network ---------------------------------------------------------------

FORWARD = ("h1_in", "h2_in", "h1", "h2", "o1_in", "o2_in", "o1", "o2", "E")
OUTPUT_DELTAS = ("delta_o1", "delta_o2")
HIDDEN_DELTAS = ("delta_h1", "delta_h2")
TRAINABLE_222 = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")
GRADIENTS_222 = tuple(f"dE_d{p}" for p in TRAINABLE_222)
UPDATES_222 = tuple(f"{p}_new" for p in TRAINABLE_222)
SIGMOID_INPUT = {"h1": "h1_in", "h2": "h2_in", "o1": "o1_in", "o2": "o2_in"}


def backprop_222_tests(key: VariantKey) -> list[HiddenTest]:
    """Forward pass, output deltas, hidden deltas, gradients, updates; gradients against finite
    differences of the student's own forward pass."""
    variants = hidden_variants("backprop_222", key, 3)

    def case(v: Variant, step: Callable, weight: int, backward: bool = True) -> Case:
        p, q = floats(v), key_values(v)
        given_forward = {n: q[n] for n in FORWARD}
        call = Call("backward_222", (p, given_forward)) if backward else Call("forward_222", (p,))

        def judge(results, tally):
            result = results[0]
            if not isinstance(result, Mapping):
                what = "backward_222(p, f)" if backward else "forward_222(p)"
                tally.check(Note("type", (what,), (("expected", "a dict"), ("given", describe(result)))),
                            weight=weight)
                return
            step(v, p, q, result, tally)
        return Case((call,), judge, weight)

    def tests(name, points, step, weight, backward=True):
        return HiddenTest(name, points, tuple(case(v, step, weight, backward) for v in variants))

    return [
        tests("forward_222", 2, forward_step, len(FORWARD), backward=False),
        tests("output_deltas", 2, output_deltas_step, 2),
        tests("hidden_deltas", 2, hidden_deltas_step, 2),
        tests("gradients_222", 2, gradients_step, len(GRADIENTS_222)),
        tests("updates_222", 2, updates_step, len(UPDATES_222)),
        HiddenTest("gradient_fd_222", 1, (fd_222_case(variants[0]),)),
    ]


def forward_step(v, p, q, result, tally):
    """Each forward quantity against the key, or from the student's own earlier forward values."""
    values = {**p, **q, **numbers_in(result, FORWARD)}
    for name in FORWARD:
        mine = local(v, name, values)
        alternatives = [("m_half", 2 * (mine if mine is not None else q[name]))] if name == "E" else []
        if name in SIGMOID_INPUT:
            alternatives.append(("m_no_sigmoid", values[SIGMOID_INPUT[name]]))
        tally.check(diagnose_local(name, lookup(result, name), q[name], mine, alternatives))


def output_deltas_step(v, p, q, result, tally):
    """delta_o1, delta_o2 from the given (correct) forward pass."""
    values = {**p, **q}
    for name in OUTPUT_DELTAS:
        alternatives = [("m_activation_derivative", local(v, name, values, NO_ACTIVATION)),
                        ("m_half", local(v, name, values, HALF_FORGOTTEN))]
        tally.check(diagnose(name, lookup(result, name), q[name], alternatives))


def hidden_deltas_step(v, p, q, result, tally):
    """delta_h1, delta_h2 against the key, or from the student's own output deltas."""
    values = {**p, **q, **numbers_in(result, OUTPUT_DELTAS)}
    mine_new = numbers_in(result, [f"w{k}_new" for k in (5, 6, 7, 8)])
    for name in HIDDEN_DELTAS:
        alternatives = [("m_activation_derivative", local(v, name, values, NO_ACTIVATION))]
        for new in (mine_new, q):
            updated = {**values, **{f"w{k}": new[f"w{k}_new"] for k in (5, 6, 7, 8) if f"w{k}_new" in new}}
            alternatives.append(("m_updated_weights", local(v, name, updated)))
        tally.check(diagnose_local(name, lookup(result, name), q[name], local(v, name, values), alternatives))


def gradients_step(v, p, q, result, tally):
    """dE/dp against the key, or from the student's own deltas; shared biases named when half counted."""
    deltas = numbers_in(result, OUTPUT_DELTAS + HIDDEN_DELTAS)
    values = {**p, **q, **deltas}
    for name in GRADIENTS_222:
        alternatives = []
        if name in ("dE_db1", "dE_db2"):
            units = HIDDEN_DELTAS if name == "dE_db1" else OUTPUT_DELTAS
            alternatives = [("m_bias_not_shared", values[u]) for u in units]
        tally.check(diagnose_local(label(name), lookup(result, name), q[name], local(v, name, values),
                                   alternatives))


def updates_step(v, p, q, result, tally):
    """p_new against the key, or from the student's own gradients."""
    values = {**p, **q, **numbers_in(result, GRADIENTS_222)}
    for name in UPDATES_222:
        alternatives = [("m_step_added", local(v, name, values, STEP_ADDED))]
        before = p[name.removesuffix("_new")]
        tally.check(diagnose_local(name, lookup(result, name), q[name], local(v, name, values), alternatives,
                                   baseline=(before, before)))


def fd_222_case(v: Variant) -> Case:
    """The student's gradients against central differences of the E of their own forward_222."""
    p = floats(v)
    calls = [Call("forward_222", (p,)), Call("backward_222", (p, Ref(0)))]
    for name in TRAINABLE_222:
        calls += [Call("forward_222", ({**p, name: p[name] + H},)), Call("forward_222", ({**p, name: p[name] - H},))]

    def judge(results, tally):
        numerical = []
        for k in range(len(TRAINABLE_222)):
            up, down = as_number(lookup(results[2 + 2 * k], "E")), as_number(lookup(results[3 + 2 * k], "E"))
            if up is None or down is None:
                tally.check(Note("missing_value", ("E",)), weight=len(TRAINABLE_222))
                return
            numerical.append((up - down) / (2 * H))
        given = [as_number(lookup(results[1], g)) for g in GRADIENTS_222]
        if any(g is None for g in given):
            missing = [label(n) for n, g in zip(GRADIENTS_222, given, strict=True) if g is None]
            tally.check(Note("missing_value", tuple(missing)), weight=len(missing))
        present = [(label(n), g, w) for n, g, w in zip(GRADIENTS_222, given, numerical, strict=True) if g is not None]
        if present:
            names, values, wanted = zip(*present, strict=True)
            _fd_compare(tally, names, np.array(values), np.array(wanted), "forward_222")
    return Case(tuple(calls), judge, len(TRAINABLE_222))


# --- exercise 4: a chain of one-neuron layers ---------------------------------------------------------

@dataclass(frozen=True)
class Chain:
    """One input to forward_backward and the expected (loss, W_grads, b_grads)."""

    x: float
    y: float
    W: tuple[float, ...]
    b: tuple[float, ...]
    loss: float
    W_grads: tuple[float, ...]
    b_grads: tuple[float, ...]

    def call(self) -> Call:
        return Call("forward_backward", (self.x, self.y, list(self.W), list(self.b)))


def chain_cases(key: VariantKey) -> list[Chain]:
    """Three deep_chain variants (key from the engine) and two random chains of 2 and 5 layers (reference)."""
    cases = []
    for v in hidden_variants("deep_chain", key, 3):
        p, q = floats(v), key_values(v)
        layers = range(1, 4)
        cases.append(Chain(p["x"], p["y"], tuple(p[f"w_{k}"] for k in layers), tuple(p[f"b_{k}"] for k in layers),
                           q["E"], tuple(q[f"dE_dw_{k}"] for k in layers), tuple(q[f"dE_db_{k}"] for k in layers)))
    rng = generator(key, "chain")
    for depth in (2, 5):
        cases.append(random_chain(rng, depth))
    return cases


def random_chain(rng: np.random.Generator, depth: int) -> Chain:
    """A random chain of ``depth`` layers, its gradients from the reference solution."""
    x, y = round(float(rng.uniform(-1, 1)), 2), round(float(rng.uniform(0.05, 0.95)), 2)
    W = tuple(round(float(w), 2) for w in rng.choice([-1, 1], depth) * rng.uniform(0.5, 2, depth))
    b = tuple(round(float(v), 2) for v in rng.uniform(-1, 1, depth))
    loss, dW, db = reference("chain").forward_backward(x, y, list(W), list(b))
    return Chain(x, y, W, b, loss, tuple(dW), tuple(db))


def _unpack(result: Any, tally: Tally, weight: int) -> tuple | None:
    """(loss, W_grads, b_grads) from the student's result, or a note and None."""
    if isinstance(result, (tuple, list)) and len(result) == 3:
        return tuple(result)
    tally.check(Note("type", ("the result",), (("expected", "a tuple (loss, W_grads, b_grads)"),
                                               ("given", describe(result)))), weight=weight)
    return None


def check_layers(tally: Tally, name: str, given: Any, expected: Sequence[float], bias: bool = False) -> None:
    """Per-layer gradients of a chain: length, then each entry; a fault in layer 0 alone is the
    layer loop's range, a value of the neighbouring layer is an index off by one."""
    entries = as_sequence(given)
    if entries is None or len(entries) != len(expected):
        note = (Note("type", (name,), (("expected", f"a list of {len(expected)} numbers"), ("given", describe(given))))
                if entries is None else
                Note("length", (name,), (("given", str(len(entries))), ("expected", str(len(expected))))))
        tally.check(note, weight=len(expected))
        return
    notes = []
    for layer, want in enumerate(expected):
        neighbours = [("m_layer_shift", expected[j]) for j in (layer - 1, layer + 1) if 0 <= j < len(expected)]
        notes.append(diagnose(f"{name}[{layer}]", entries[layer], want, neighbours))
    wrong = [i for i, n in enumerate(notes) if n is not None]
    if bias and len(wrong) == len(expected) and all(as_number(e) in (None, 0.0) for e in entries):
        tally.check(Note("m_bias_missing", (name,)), weight=len(expected))
        return
    if wrong == [0] and len(expected) > 1 and notes[0].key in ("wrong_value", "missing_value"):
        notes[0] = Note("m_first_layer", (name,))
    for note in notes:
        tally.check(note)


def chain_tests(key: VariantKey) -> list[HiddenTest]:
    """Loss, weight gradients, bias gradients, a single layer, and finite differences of the own loss."""
    cases = chain_cases(key)

    def loss_case(c: Chain) -> Case:
        def judge(results, tally):
            result = _unpack(results[0], tally, 1)
            if result is not None:
                tally.check(diagnose("loss", result[0], c.loss, [("m_half", 2 * c.loss)]))
        return Case((c.call(),), judge, 1)

    def grads_case(c: Chain, which: int) -> Case:
        expected = c.W_grads if which == 1 else c.b_grads

        def judge(results, tally):
            result = _unpack(results[0], tally, len(expected))
            if result is not None:
                check_layers(tally, "W_grads" if which == 1 else "b_grads", result[which], expected, which == 2)
        return Case((c.call(),), judge, len(expected))

    single = random_chain(generator(key, "chain-single"), 1)

    def single_judge(results, tally):
        result = _unpack(results[0], tally, 2)
        if result is None:
            return
        tally.check(diagnose("loss", result[0], single.loss))
        own = 1 / (1 + np.exp(-(single.W[0] * single.x + single.b[0])))
        entries = as_sequence(result[1])
        given = entries[0] if entries else None
        tally.check(diagnose("W_grads[0]", given, single.W_grads[0],
                             [("m_single_layer_input", single.b_grads[0] * own)]))

    return [
        HiddenTest("chain_loss", 1, tuple(loss_case(c) for c in cases)),
        HiddenTest("chain_weight_grads", 2, tuple(grads_case(c, 1) for c in cases)),
        HiddenTest("chain_bias_grads", 2, tuple(grads_case(c, 2) for c in cases)),
        HiddenTest("chain_single_layer", 1, (Case((single.call(),), single_judge, 2),)),
        HiddenTest("chain_fd", 1, (chain_fd_case(cases[0]),)),
    ]


def chain_fd_case(c: Chain) -> Case:
    """W_grads and b_grads against central differences of the student's own loss."""
    calls = [c.call()]
    for which, values in ((2, c.W), (3, c.b)):
        for layer in range(len(values)):
            for sign in (1, -1):
                moved = list(values)
                moved[layer] += sign * H
                args = (c.x, c.y, moved, list(c.b)) if which == 2 else (c.x, c.y, list(c.W), moved)
                calls.append(Call("forward_backward", args))
    layers = len(c.W)

    def judge(results, tally):
        base = _unpack(results[0], tally, 2 * layers)
        if base is None:
            return
        losses = [as_number(r[0]) if isinstance(r, (tuple, list)) and r else None for r in results[1:]]
        if any(v is None for v in losses):
            tally.check(Note("missing_value", ("loss",)), weight=2 * layers)
            return
        numerical = [(losses[2 * i] - losses[2 * i + 1]) / (2 * H) for i in range(2 * layers)]
        names = [f"W_grads[{i}]" for i in range(layers)] + [f"b_grads[{i}]" for i in range(layers)]
        given: list[float | None] = []
        for entries in (as_sequence(base[1]), as_sequence(base[2])):
            complete = entries is not None and len(entries) == layers
            given += [as_number(e) for e in entries] if complete else [None] * layers
        keep = []
        for i, value in enumerate(given):
            if value is None or not np.isfinite(value):
                tally.check(Note("missing_value", (names[i],)))
            else:
                keep.append(i)
        if keep:
            _fd_compare(tally, [names[i] for i in keep], np.array([given[i] for i in keep]),
                        np.array([numerical[i] for i in keep]), "forward_backward")
    return Case(tuple(calls), judge, 2 * layers)


# --- exercise 5: an MLP in matrix form ------------------------------------------------------------

@dataclass(frozen=True)
class Net:
    """One input to forward_backward_mlp, the expected result, and names for the entries."""

    x: np.ndarray
    y: np.ndarray
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    loss: float
    W_grads: tuple[np.ndarray, ...]
    b_grads: tuple[np.ndarray, ...]
    names: Mapping[str, Sequence[str]] | None = None

    def call(self, **moved) -> Call:
        W = moved.get("W", self.W)
        b = moved.get("b", self.b)
        return Call("forward_backward_mlp", (self.x, self.y, list(W), list(b)))


def random_net(rng: np.random.Generator, widths: Sequence[int]) -> Net:
    """A random MLP with the given widths (input first), expected values from the reference."""
    W = tuple(np.round(rng.uniform(-1.5, 1.5, (widths[i + 1], widths[i])), 2) for i in range(len(widths) - 1))
    b = tuple(np.round(rng.uniform(-0.5, 0.5, widths[i + 1]), 2) for i in range(len(widths) - 1))
    x = np.round(rng.uniform(-1, 1, widths[0]), 2)
    y = np.round(rng.uniform(0.05, 0.95, widths[-1]), 2)
    loss, dW, db = reference("mlp").forward_backward_mlp(x, y, list(W), list(b))
    return Net(x, y, W, b, loss, tuple(dW), tuple(db))


def net_222(v: Variant) -> Net:
    """A backprop_222 variant as an MLP (each shared bias repeated per unit); expected from the key."""
    p, q = floats(v), key_values(v)
    W = (np.array([[p["w1"], p["w2"]], [p["w3"], p["w4"]]]), np.array([[p["w5"], p["w6"]], [p["w7"], p["w8"]]]))
    b = (np.array([p["b1"], p["b1"]]), np.array([p["b2"], p["b2"]]))
    dW = (np.array([[q["dE_dw1"], q["dE_dw2"]], [q["dE_dw3"], q["dE_dw4"]]]),
          np.array([[q["dE_dw5"], q["dE_dw6"]], [q["dE_dw7"], q["dE_dw8"]]]))
    db = (np.array([q["delta_h1"], q["delta_h2"]]), np.array([q["delta_o1"], q["delta_o2"]]))
    names = {
        "W_grads[0]": [f"W_grads[0][{i}, {j}] (dE/dw{2 * i + j + 1})" for i in (0, 1) for j in (0, 1)],
        "W_grads[1]": [f"W_grads[1][{i}, {j}] (dE/dw{2 * i + j + 5})" for i in (0, 1) for j in (0, 1)],
        "b_grads[0]": ["b_grads[0][0] (delta_h1)", "b_grads[0][1] (delta_h2)"],
        "b_grads[1]": ["b_grads[1][0] (delta_o1)", "b_grads[1][1] (delta_o2)"],
    }
    return Net(np.array([p["i1"], p["i2"]]), np.array([p["t1"], p["t2"]]), W, b, q["E"], dW, db, names)


def check_net(tally: Tally, net: Net, result: Any) -> None:
    """Every gradient entry of an MLP result (shapes are judged by mlp_shapes; sizes must match)."""
    for which, expected in ((1, net.W_grads), (2, net.b_grads)):
        name = "W_grads" if which == 1 else "b_grads"
        entries = as_sequence(result[which])
        size = sum(e.size for e in expected)
        if entries is None or len(entries) != len(expected):
            note = (Note("type", (name,), (("expected", f"a list of {len(expected)} arrays"),
                                           ("given", describe(result[which]))))
                    if entries is None else
                    Note("length", (name,), (("given", str(len(entries))), ("expected", str(len(expected))))))
            tally.check(note, weight=size)
            continue
        for layer, (given, want) in enumerate(zip(entries, expected, strict=True)):
            title = f"{name}[{layer}]"
            alternatives = {"m_transposed": want.T} if want.ndim == 2 else {}
            names = net.names.get(title) if net.names else None
            check_values(tally, title, given, want, names, alternatives)


def mlp_tests(key: VariantKey) -> list[HiddenTest]:
    """Shapes, loss, the seed network as an MLP (engine key), random widths (reference), finite differences."""
    rng = generator(key, "mlp")
    shaped = random_net(rng, (3, 4, 2))
    lossy = [random_net(rng, w) for w in ((2, 3, 2), (3, 2, 2, 1))]
    wide = [random_net(rng, w) for w in ((2, 3, 1), (4, 3, 3, 2), (1, 5, 2))]
    seed_like = [net_222(v) for v in hidden_variants("backprop_222", key, 2)]
    small = random_net(rng, (2, 2, 1))

    def shapes(results, tally):
        result = results[0]
        if not isinstance(result, (tuple, list)) or len(result) != 3:
            tally.check(Note("type", ("the result",), (("expected", "a tuple (loss, W_grads, b_grads)"),
                                                       ("given", describe(result)))), weight=8)
            return
        tally.check(None)
        check_shape(tally, "loss", result[0], ())
        for which, params in ((1, shaped.W), (2, shaped.b)):
            name = "W_grads" if which == 1 else "b_grads"
            entries = as_sequence(result[which])
            if entries is None or len(entries) != len(params):
                tally.check(Note("length" if entries is not None else "type", (name,),
                                 (("given", str(len(entries)) if entries is not None else describe(result[which])),
                                  ("expected", str(len(params))))), weight=len(params) + 1)
                continue
            tally.check(None)
            for layer, (given, param) in enumerate(zip(entries, params, strict=True)):
                check_shape(tally, f"{name}[{layer}]", given, param.shape)

    def loss_judge(net: Net) -> Judge:
        def judge(results, tally):
            result = _unpack(results[0], tally, 1)
            if result is not None:
                tally.check(diagnose("loss", result[0], net.loss, [("m_half", 2 * net.loss)]))
        return judge

    def grads_judge(net: Net) -> Judge:
        def judge(results, tally):
            result = _unpack(results[0], tally, _size(net))
            if result is not None:
                check_net(tally, net, result)
        return judge

    return [
        HiddenTest("mlp_shapes", 1, (Case((shaped.call(),), shapes, 8),)),
        HiddenTest("mlp_loss", 1, tuple(Case((n.call(),), loss_judge(n), 1) for n in lossy)),
        HiddenTest("mlp_seed_network", 2, tuple(Case((n.call(),), grads_judge(n), _size(n)) for n in seed_like)),
        HiddenTest("mlp_widths", 2, tuple(Case((n.call(),), grads_judge(n), _size(n)) for n in wide)),
        HiddenTest("mlp_fd", 1, (mlp_fd_case(small),)),
    ]


def _size(net: Net) -> int:
    return sum(g.size for g in net.W_grads) + sum(g.size for g in net.b_grads)


def mlp_fd_case(net: Net) -> Case:
    """Every gradient entry against central differences of the student's own loss."""
    calls, labels = [net.call()], []
    for which, params in (("W", net.W), ("b", net.b)):
        for layer, param in enumerate(params):
            for index in np.ndindex(param.shape):
                for sign in (1, -1):
                    moved = [p.copy() for p in params]
                    moved[layer][index] += sign * H
                    calls.append(net.call(**{which: moved}))
                position = ", ".join(str(i) for i in index)
                labels.append((which, layer, index, f"{which}_grads[{layer}][{position}]"))

    def judge(results, tally):
        base = _unpack(results[0], tally, len(labels))
        if base is None:
            return
        losses = [as_number(r[0]) if isinstance(r, (tuple, list)) and r else None for r in results[1:]]
        if any(v is None for v in losses):
            tally.check(Note("missing_value", ("loss",)), weight=len(labels))
            return
        names, given, numerical = [], [], []
        for k, (which, layer, index, name) in enumerate(labels):
            entries = as_sequence(base[1 if which == "W" else 2])
            array = None
            if entries is not None and layer < len(entries) and _is_numeric(entries[layer]):
                array = np.asarray(entries[layer], dtype=float)
            param = (net.W if which == "W" else net.b)[layer]
            value = array.reshape(-1)[np.ravel_multi_index(index, param.shape)] if (
                array is not None and array.size == param.size) else None
            if value is None:
                tally.check(Note("missing_value", (name,)))
                continue
            names.append(name)
            given.append(float(value))
            numerical.append((losses[2 * k] - losses[2 * k + 1]) / (2 * H))
        if names:
            _fd_compare(tally, names, np.array(given), np.array(numerical), "forward_backward_mlp")
    return Case(tuple(calls), judge, len(labels))


# --- exercise 6: gradient checking ------------------------------------------------------------------

def gradient_check_tests(key: VariantKey) -> list[HiddenTest]:
    """Numbers, arrays, central differences with the given eps, and params left unchanged."""
    rng = generator(key, "gradient_check")
    a, b, c = (round(float(v), 2) for v in rng.uniform(0.5, 2.0, 3))
    scalars = {"a": a, "b": b, "c": c}
    f_scalars = Lambda("lambda p: p['a'] ** 2 * p['b'] + np.sin(p['c'])")
    expected_scalars = {"a": 2 * a * b, "b": a * a, "c": float(np.cos(c))}

    W = np.round(rng.uniform(-1, 1, (2, 3)), 2)
    bias = np.round(rng.uniform(-1, 1, 2), 2)
    x = np.round(rng.uniform(-1, 1, 3), 2)
    f_arrays = Lambda(f"lambda p: float(np.sum(np.tanh(p['W'] @ np.array({x.tolist()}) + p['b']) ** 2))")
    t = np.tanh(W @ x + bias)
    dz = 2 * t * (1 - t * t)
    expected_arrays = {"W": np.outer(dz, x), "b": dz}

    point = round(float(rng.uniform(0.5, 2.0)), 2)
    eps = 1e-2
    cube = Lambda("lambda p: p['a'] ** 3")
    central = ((point + eps) ** 3 - (point - eps) ** 3) / (2 * eps)
    one_sided = [((point + eps) ** 3 - point**3) / eps, (point**3 - (point - eps) ** 3) / eps]

    kept = {"W": np.round(rng.uniform(-1, 1, (2, 2)), 2), "s": round(float(rng.uniform(0.5, 2)), 2)}
    f_kept = Lambda("lambda p: float(np.sum(p['W'] ** 2) * p['s'])")

    def grads_of(result, tally, weight):
        if isinstance(result, Mapping):
            return result
        tally.check(Note("type", ("the gradient",), (("expected", "a dict"), ("given", describe(result)))),
                    weight=weight)
        return None

    def scalars_judge(results, tally):
        grads = grads_of(results[0], tally, 3)
        if grads is not None:
            for name, want in expected_scalars.items():
                tally.check(diagnose(f"gradient['{name}']", grads.get(name), want, rtol=1e-5, atol=1e-7))

    def arrays_judge(results, tally):
        grads = grads_of(results[0], tally, 2 + 8)
        if grads is None:
            return
        for name, want in expected_arrays.items():
            check_shape(tally, f"gradient['{name}']", grads.get(name), want.shape)
            check_values(tally, f"gradient['{name}']", grads.get(name), want, rtol=1e-5, atol=1e-7)

    def central_judge(results, tally):
        grads = grads_of(results[0], tally, 1)
        if grads is not None:
            alternatives = [("m_one_sided", v) for v in one_sided] + [("m_eps_ignored", 3 * point**2)]
            tally.check(diagnose("gradient['a']", grads.get("a"), central, alternatives, rtol=1e-8, atol=1e-10))

    def kept_judge(results, tally):
        after = results[0]  # the arguments as they are after the call
        params = after[1] if isinstance(after, (tuple, list)) and len(after) > 1 else None
        for name, before in kept.items():
            now = lookup(params, name)
            same = (now is not None and np.shape(now) == np.shape(before)
                    and np.allclose(np.asarray(now, dtype=float), before, rtol=1e-12, atol=1e-15))
            tally.check(None if same else Note("m_params_changed", (f"params['{name}']",)))

    return [
        HiddenTest("gc_numbers", 2, (Case((Call("gradient_check", (f_scalars, scalars)),), scalars_judge, 3),)),
        HiddenTest("gc_arrays", 2, (Case((Call("gradient_check", (f_arrays, {"W": W, "b": bias})),),
                                         arrays_judge, 10),)),
        HiddenTest("gc_central", 1, (Case((Call("gradient_check", (cube, {"a": point}), {"eps": eps}),),
                                          central_judge, 1),)),
        HiddenTest("gc_keeps_params", 1, (Case((Call("gradient_check", (f_kept, kept), return_args=True),),
                                               kept_judge, 2),)),
    ]


# --- the registry ---------------------------------------------------------------------------------

def _t(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


EXERCISES: dict[str, Exercise] = {
    e.name: e
    for e in (
        Exercise("sigmoid", ("sigmoid", "sigmoid_prime"), _t("The sigmoid and its derivative", "Sigmoid 及其导数"), {
            "sigmoid_values": _t("sigmoid: values", "sigmoid:数值"),
            "sigmoid_shapes": _t("sigmoid: numbers and arrays of any shape", "sigmoid:数与任意形状的数组"),
            "sigmoid_extremes": _t("sigmoid: very large inputs", "sigmoid:绝对值很大的输入"),
            "sigmoid_prime_values": _t("sigmoid_prime: values", "sigmoid_prime:数值"),
            "sigmoid_prime_fd": _t("sigmoid_prime agrees with finite differences of sigmoid",
                                   "sigmoid_prime 与 sigmoid 的有限差分一致"),
        }, sigmoid_tests),
        Exercise("gd_linear", ("gd_linear_train",),
                 _t("Gradient descent on f(x) = w x", "在 f(x) = w x 上做梯度下降"), {
            "gd_history_format": _t("the history: keys and lengths", "训练记录:键与长度"),
            "gd_gradients": _t("gradients", "梯度"),
            "gd_losses": _t("losses", "损失"),
            "gd_weights": _t("weights after each update", "每次更新后的权重"),
            "gd_long_run": _t("a longer run", "更多轮的训练"),
        }, gd_tests),
        Exercise("backprop_222", ("forward_222", "backward_222"),
                 _t("Backpropagation on the 2-2-2 network", "2-2-2 网络的反向传播"), {
            "forward_222": _t("forward pass and loss", "前向传播与损失"),
            "output_deltas": _t("output deltas", "输出层误差项"),
            "hidden_deltas": _t("hidden deltas", "隐藏层误差项"),
            "gradients_222": _t("gradients of every weight and bias", "所有权重与偏置的梯度"),
            "updates_222": _t("one step of gradient descent", "一步梯度下降"),
            "gradient_fd_222": _t("gradients agree with finite differences of your forward pass",
                                  "梯度与你的前向传播的有限差分一致"),
        }, backprop_222_tests),
        Exercise("chain", ("forward_backward",),
                 _t("forward_backward for a chain of one-neuron layers", "每层一个神经元的 forward_backward"), {
            "chain_loss": _t("loss", "损失"),
            "chain_weight_grads": _t("weight gradients", "权重梯度"),
            "chain_bias_grads": _t("bias gradients", "偏置梯度"),
            "chain_single_layer": _t("a network with a single layer", "只有一层的网络"),
            "chain_fd": _t("gradients agree with finite differences of your loss", "梯度与你的损失的有限差分一致"),
        }, chain_tests),
        Exercise("mlp", ("forward_backward_mlp",), _t("forward_backward for an MLP of any widths",
                                                      "任意宽度 MLP 的 forward_backward"), {
            "mlp_shapes": _t("shapes of the result", "结果的形状"),
            "mlp_loss": _t("loss", "损失"),
            "mlp_seed_network": _t("the seed's 2-2-2 network as an MLP", "把种子文章的 2-2-2 网络写成 MLP"),
            "mlp_widths": _t("networks of other widths and depths", "其他宽度与深度的网络"),
            "mlp_fd": _t("gradients agree with finite differences of your loss", "梯度与你的损失的有限差分一致"),
        }, mlp_tests),
        Exercise("gradient_check", ("gradient_check",), _t("Gradient checking by central differences",
                                                           "用中心差分检验梯度"), {
            "gc_numbers": _t("parameters that are numbers", "参数为数"),
            "gc_arrays": _t("parameters that are arrays", "参数为数组"),
            "gc_central": _t("central differences with the given eps", "使用给定 eps 的中心差分"),
            "gc_keeps_params": _t("params left unchanged", "不修改 params"),
        }, gradient_check_tests),
    )
}


class UnknownExercise(KeyError):
    """An exercise name that is not in the registry (a course-configuration error)."""

    def __str__(self) -> str:
        return f"unknown code exercise {self.args[0]!r}; known: {', '.join(EXERCISES)}"


def get_exercise(name: str) -> Exercise:
    """The exercise registered under ``name``."""
    try:
        return EXERCISES[name]
    except KeyError:
        raise UnknownExercise(name) from None


@lru_cache(maxsize=256)
def hidden_tests(exercise: str, key: VariantKey | None = None) -> tuple[HiddenTest, ...]:
    """The hidden tests of an exercise for one student (``key``) or for the default hidden key."""
    tests = tuple(get_exercise(exercise).build(key or DEFAULT_KEY))
    expected = list(get_exercise(exercise).tests)
    assert [t.name for t in tests] == expected, f"{exercise}: tests {[t.name for t in tests]} != {expected}"
    return tests
