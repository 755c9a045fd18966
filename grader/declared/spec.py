"""Reading a family declaration (TOML) into plain, validated data.

Every problem is a :class:`DeclarationError` that names the file and the line it found the
problem on, in English or Chinese. Expressions are read with Python's ``ast`` parser and an
allow-list of nodes (numbers, names, + - * / **, the activations): nothing is evaluated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from string import Formatter

import sympy

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from grader.declared.functions import relu, softmax, tanh
from grader.declared.messages import text
from grader.maths.sigmoid import sigmoid

MAX_GRID = 100_000
MAX_DEFINITION = 500
MAX_POWER = 8
MAX_WIDTH = 64  # units in one layer of the layers = [n, m, k] shorthand
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
FAMILY_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
UNARY = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "linear": None}
LOSSES = ("squared_error", "cross_entropy")
RULES = ("gradient_descent", "momentum", "weight_decay")
CONDITION_DEFAULTS = {
    "sigmoid_range": 0.05,   # sigmoid units stay in [0.05, 0.95]
    "tanh_limit": 0.9,       # |tanh unit| <= 0.9
    "relu_margin": 0.05,     # |input of a ReLU unit| >= 0.05 (away from the kink)
    "softmax_range": 0.02,   # softmax outputs in [0.02, 0.98]
    "min_error": 0.1,        # |output - target| >= 0.1 (squared error) or |p - y| >= min_error/5
    "min_gradient": 0.0005,  # |dE/dp| >= 0.0005 for every trainable p
    "distinct": 0.01,        # numeric answers differ pairwise by more than 1 % of the larger
    "mistakes": 1.0,         # 1: every named mistake is outside the 1 % tolerance or coincides exactly; 0: off
}


@dataclass(frozen=True)
class Text:
    """A sentence of the message table, filled in later in the reader's language."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    def render(self, lang: str) -> str:
        """The sentence in ``lang``, nested sentences included."""
        return text(self.key, lang, **{k: v.render(lang) if isinstance(v, Text) else v for k, v in self.fields})


def say(message: str, /, **fields: object) -> Text:
    """A :class:`Text` from keyword fields."""
    return Text(message, tuple(fields.items()))


class DeclarationError(ValueError):
    """A declaration that cannot be used, with the file and line the problem is on."""

    def __init__(self, source: str, line: int | None, reason: Text) -> None:
        super().__init__(source, line, reason)
        self.source, self.line, self.reason = source, line, reason

    def message(self, lang: str = "en") -> str:
        """The problem in ``lang``, prefixed by file and line."""
        where = {"source": self.source, "message": self.reason.render(lang)}
        return text("at_line", lang, line=self.line, **where) if self.line else text("at_file", lang, **where)

    def __str__(self) -> str:
        return self.message("en")


@dataclass(frozen=True)
class Param:
    """One parameter: the values it is drawn from (empty for a member of a one-hot group)."""

    name: str
    values: tuple[Fraction, ...]


@dataclass(frozen=True)
class Unit:
    """An activation: its output name, kind, and the defined name it is applied to (or None)."""

    name: str
    kind: str
    input: str | None


@dataclass(frozen=True)
class Declaration:
    """A validated family declaration, as plain data."""

    name: str
    version: int
    summary: Mapping[str, str]
    params: tuple[Param, ...]
    distinct: tuple[tuple[str, ...], ...]
    one_hot: tuple[tuple[str, ...], ...]
    sum_to_one: tuple[tuple[str, ...], ...]
    canonical: Mapping[str, str]
    definitions: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    units: tuple[Unit, ...]
    loss: str
    outputs: tuple[str, ...]
    targets: tuple[str, ...]
    rule: str
    trainable: tuple[str, ...]
    learning_rate: str
    momentum: str | None
    velocity: Mapping[str, str]
    decay: str | None
    decayed: tuple[str, ...]
    epochs: int
    steps: tuple[tuple[str, tuple[str, ...]], ...]
    formulas: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]  # quantity: (allowed names, kept names)
    statement: Mapping[str, str]
    conditions: Mapping[str, float] = field(default_factory=dict)
    output_shortcut: bool = True  # name the output-delta shortcut where it does not hold
    slips: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()  # (name, swaps), see Slip
    step_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # step: {en, zh}


class _Reader:
    """Validation helpers bound to one file's text, so that every error can name its line."""

    def __init__(self, text_: str, source: str) -> None:
        self.lines = text_.splitlines()
        self.source = source

    def fail(self, reason: Text, *where: str) -> DeclarationError:
        return DeclarationError(self.source, self.line(*where), reason)

    def line(self, *where: str) -> int | None:
        """The line of key ``where[-1]`` inside table ``where[:-1]`` (best effort), or None."""
        start = 0
        for part in where[:-1]:
            header = re.compile(rf"^\s*\[+\s*{re.escape(part)}\s*\]+\s*(#.*)?$")
            hit = next((i for i in range(start, len(self.lines)) if header.match(self.lines[i])), None)
            if hit is not None:
                start = hit
        if not where:
            return None
        last = re.escape(where[-1])
        patterns = (rf"^\s*{last}\s*=", rf"(^|[\s{{,.\"'])\s*{last}\s*=", rf"\b{last}\b")
        for pattern in patterns:
            for i in range(start, len(self.lines)):
                if re.search(pattern, self.lines[i]):
                    return i + 1
        return start + 1 if start or where[:-1] else None

    def line_of_text(self, needle: str, after: str = "definitions") -> int | None:
        """The first line containing ``needle`` after the first line mentioning ``after``."""
        start = next((i for i, t in enumerate(self.lines) if after in t), 0)
        for i in range(start, len(self.lines)):
            if needle.strip() and needle.strip() in self.lines[i]:
                return i + 1
        return self.line(after)

    def table(self, data: Mapping, key: str, *where: str, required: bool = True) -> dict:
        value = data.get(key, None if required else {})
        if value is None:
            raise self.fail(say("missing", item=key), *where, key)
        if not isinstance(value, dict):
            raise self.fail(say("type", item=key, expected=Text("type_table")), *where, key)
        return value

    def string(self, data: Mapping, key: str, *where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(say("missing", item=key), *where, key)
        if not isinstance(value, str):
            raise self.fail(say("type", item=key, expected=_type("text")), *where, key)
        return value

    def strings(self, data: Mapping, key: str, *where: str, default: Sequence[str] | None = None) -> tuple[str, ...]:
        value = data.get(key, default)
        if value is None:
            raise self.fail(say("missing", item=key), *where, key)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.fail(say("type", item=key, expected=_type("texts")), *where, key)
        return tuple(value)

    def only(self, data: Mapping, known: Sequence[str], *where: str) -> None:
        for key in data:
            if key not in known:
                raise self.fail(say("unknown_key", item=key, known=", ".join(known)), *where, key)

    def number(self, value: object, key: str, *where: str) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(say("number", item=key, value=value), *where, key)
        try:
            number = Fraction(str(value).strip())
        except (ValueError, ZeroDivisionError):
            raise self.fail(say("number", item=key, value=value), *where, key) from None
        if abs(number) > 10**6 or number.denominator > 10**6:
            raise self.fail(say("number", item=key, value=value), *where, key)
        return number


def _type(kind: str) -> Text:
    return Text(f"type_{kind}")


def parse(text_: str, source: str = "<declaration>") -> Declaration:
    """Validate a declaration's TOML text; raises :class:`DeclarationError` naming the line."""
    reader = _Reader(text_, source)
    try:
        data = tomllib.loads(text_)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        raise DeclarationError(source, int(match[1]) if match else None, say("toml", detail=str(error))) from None
    reader.only(data, ("name", "version", "summary", "params", "draw", "canonical", "model", "update",
                       "answers", "statement", "conditions", "mistakes"))
    name = reader.string(data, "name")
    if not FAMILY_NAME.match(name):
        raise reader.fail(say("name"), "name")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise reader.fail(say("type", item="version", expected=_type("integer")), "version")
    summary = _bilingual(reader, data, "summary")
    params, distinct, one_hot, sum_to_one = _params(reader, data)
    names = {p.name for p in params}
    canonical = _canonical(reader, data, params)
    model = reader.table(data, "model")
    reader.only(model, ("definitions", "layers", "activations", "bias", "loss", "outputs", "targets"), "model")
    definitions, units = _definitions(reader, model, names)
    defined = [str(s) for s, _ in definitions]
    loss = reader.string(model, "loss", "model")
    if loss not in LOSSES:
        raise reader.fail(say("loss_kind", value=loss), "model", "loss")
    last = range(1, model["layers"][-1] + 1) if "layers" in model else None  # o1..ok, t1..tk by default
    outputs = reader.strings(model, "outputs", "model", default=None if last is None else [f"o{k}" for k in last])
    targets = reader.strings(model, "targets", "model", default=None if last is None else [f"t{k}" for k in last])
    if len(outputs) != len(targets) or not outputs:
        raise reader.fail(say("pairs"), "model", "targets")
    _must_be(reader, outputs, defined, "what_definition", "model", "outputs")
    _must_be(reader, targets, names, "what_param", "model", "targets")
    update = _update(reader, data, names, defined)
    quantities = _quantity_names(defined, units, update)
    steps, step_names, formulas = _answers(reader, data, names, quantities, update["epochs"])
    statement = _bilingual(reader, data, "statement")
    for lang, template in statement.items():
        _check_template(reader, template, lang, names)
    return Declaration(
        name=name, version=version, summary=summary, params=params, distinct=distinct, one_hot=one_hot,
        sum_to_one=sum_to_one,
        canonical=canonical, definitions=definitions, units=units, loss=loss, outputs=outputs,
        targets=targets, steps=steps, formulas=formulas, statement=statement,
        conditions=_conditions(reader, data), **_mistakes(reader, data, names, quantities), **update,
        step_names=step_names,
    )


def _bilingual(reader: _Reader, data: Mapping, key: str) -> dict[str, str]:
    table = reader.table(data, key)
    if set(table) != {"en", "zh"} or not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise reader.fail(say("type", item=key, expected=_type("en_zh")), key)
    return dict(table)


def _params(reader: _Reader, data: Mapping):
    table = reader.table(data, "params")
    draw = reader.table(data, "draw", required=False)
    reader.only(draw, ("distinct", "one_hot", "sum_to_one"), "draw")
    one_hot = _groups(reader, draw, "one_hot", set(table))
    hot = {n for g in one_hot for n in g}
    params = []
    for name, spec in table.items():
        if not NAME.match(name):
            raise reader.fail(say("type", item=name, expected=_type("text")), "params", name)
        if not isinstance(spec, dict):
            raise reader.fail(say("type", item=name, expected=_type("table")), "params", name)
        reader.only(spec, ("grid", "choices", "min_abs", "nonzero"), "params", name)
        kinds = [k for k in ("grid", "choices") if k in spec]
        if len(kinds) != (0 if name in hot else 1):
            raise reader.fail(say("param_kind", item=name), "params", name)
        params.append(Param(name, () if name in hot else _values(reader, name, spec)))
    distinct = _groups(reader, draw, "distinct", set(table))
    sum_to_one = _groups(reader, draw, "sum_to_one", set(table))
    grids = {p.name: p.values for p in params}
    for key, groups in (("distinct", distinct), ("sum_to_one", sum_to_one)):
        for group in groups:
            for member in group:
                if member in hot or grids[member] != grids[group[0]]:
                    raise reader.fail(say("group", item=key, name=member, why=Text("group_grid")), "draw", key)
            if len(group) > len(grids[group[0]]):
                raise reader.fail(say("group", item=key, name=group[0], why=Text("group_small")), "draw", key)
    if {n for g in distinct for n in g} & {n for g in sum_to_one for n in g}:
        raise reader.fail(say("group", item="sum_to_one", name=sum_to_one[0][0], why=Text("group_twice")),
                          "draw", "sum_to_one")
    return tuple(params), distinct, one_hot, sum_to_one


def _values(reader: _Reader, name: str, spec: Mapping) -> tuple[Fraction, ...]:
    if "grid" in spec:
        grid = spec["grid"]
        if not isinstance(grid, list) or len(grid) != 3:
            raise reader.fail(say("grid", item=name, limit=MAX_GRID), "params", name)
        low, high, stride = (reader.number(v, name, "params") for v in grid)
        if stride <= 0 or low > high or (high - low) / stride >= MAX_GRID:
            raise reader.fail(say("grid", item=name, limit=MAX_GRID), "params", name)
        values = [low + stride * k for k in range(int((high - low) / stride) + 1)]
    else:
        choices = spec["choices"]
        if not isinstance(choices, list) or not choices or len(choices) > MAX_GRID:
            raise reader.fail(say("grid", item=name, limit=MAX_GRID), "params", name)
        values = [reader.number(v, name, "params") for v in choices]
    if "min_abs" in spec:
        floor = reader.number(spec["min_abs"], name, "params")
        values = [v for v in values if abs(v) >= floor]
    if spec.get("nonzero", False):
        values = [v for v in values if v]
    if not values:
        raise reader.fail(say("empty_grid", item=name), "params", name)
    return tuple(values)


def _groups(reader: _Reader, draw: Mapping, key: str, names: set[str]) -> tuple[tuple[str, ...], ...]:
    groups = draw.get(key, [])
    if not isinstance(groups, list) or not all(
            isinstance(g, list) and len(g) >= 2 and all(isinstance(n, str) for n in g) for g in groups):
        raise reader.fail(say("type", item=key, expected=_type("groups")), "draw", key)
    seen: set[str] = set()
    for group in groups:
        for member in group:
            if member not in names:
                raise reader.fail(say("unknown_name", name=member), "draw", key)
            if member in seen:
                raise reader.fail(say("group", item=key, name=member, why=Text("group_twice")), "draw", key)
            seen.add(member)
    return tuple(tuple(g) for g in groups)


def _canonical(reader: _Reader, data: Mapping, params: Sequence[Param]) -> dict[str, str]:
    table = reader.table(data, "canonical")
    reader.only(table, [p.name for p in params], "canonical")
    out = {}
    for p in params:
        if p.name not in table:
            raise reader.fail(say("canonical", name=p.name), "canonical")
        reader.number(table[p.name], p.name, "canonical")
        out[p.name] = str(table[p.name]).strip()
    return out


def layer_names(widths: Sequence[int], bias: str = "per_unit"
                ) -> list[tuple[list[str], list[list[str]], list[str | None]]]:
    """The names of dense layers of the given widths: per layer after the inputs, its units' names, each
    unit's weight names (one per unit of the layer before) and each unit's bias name (None: no bias).

    Inputs are x1..xn, the last layer's units o1..ok, a single hidden layer's h1..hm (several: h<l>_<j>);
    w<l>_<j>_<i> joins unit i of layer l - 1 to unit j of layer l; biases are b<l>_<j>, b<l> or none.

    >>> layer_names([2, 1])
    [(['o1'], [['w1_1_1', 'w1_1_2']], ['b1_1'])]
    """
    before = [f"x{i}" for i in range(1, widths[0] + 1)]
    out = []
    for layer, width in enumerate(widths[1:], start=1):
        last = layer == len(widths) - 1
        stem = "o" if last else ("h" if len(widths) == 3 else f"h{layer}_")
        units = [f"{stem}{j}" for j in range(1, width + 1)]
        weights = [[f"w{layer}_{j}_{i}" for i in range(1, len(before) + 1)] for j in range(1, width + 1)]
        by_rule: dict[str, list[str | None]] = {
            "per_unit": [f"b{layer}_{j}" for j in range(1, width + 1)], "shared": [f"b{layer}"] * width,
            "none": [None] * width}
        biases = by_rule[bias]
        out.append((units, weights, biases))
        before = units
    return out


def _layers(reader: _Reader, model: Mapping) -> str:
    """The definitions that ``layers = [n, m, k]`` stands for, one dense layer per line."""
    widths = model["layers"]
    if "definitions" in model or not isinstance(widths, list) or len(widths) < 2 or not all(
            isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= MAX_WIDTH for w in widths):
        raise reader.fail(say("layers", limit=MAX_WIDTH), "model", "layers")
    activations = reader.strings(model, "activations", "model")
    bias = reader.string(model, "bias", "model", default="per_unit")
    if len(activations) != len(widths) - 1 or bias not in ("per_unit", "shared", "none") or any(
            a not in (*UNARY, "softmax") or (a == "softmax" and (k < len(widths) - 2 or widths[-1] < 2))
            for k, a in enumerate(activations)):
        raise reader.fail(say("layer_activations"), "model", "activations")
    before = [f"x{i}" for i in range(1, widths[0] + 1)]
    lines = []
    for (units, weights, biases), activation in zip(layer_names(widths, bias), activations, strict=True):
        for unit, row, b in zip(units, weights, biases, strict=True):
            terms = [f"{w}*{x}" for w, x in zip(row, before, strict=True)] + ([b] if b else [])
            lines.append(f"{unit}_in = {' + '.join(terms)}")
        if activation == "softmax":
            lines.append(f"{', '.join(units)} = softmax({', '.join(f'{u}_in' for u in units)})")
        else:
            lines += [f"{unit} = {activation}({unit}_in)" for unit in units]
        before = units
    return "\n".join(lines)


def _definitions(reader: _Reader, model: Mapping, params: set[str]):
    layers = "layers" in model
    body = _layers(reader, model) if layers else reader.string(model, "definitions", "model")
    known = set(params)
    definitions: list[tuple[sympy.Symbol, sympy.Expr]] = []
    units: list[Unit] = []
    for raw in body.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = reader.line("model", "layers") if layers else reader.line_of_text(raw)

        def fail(why: Text, line=line, where=where) -> DeclarationError:
            return DeclarationError(reader.source, where, say("definition", text=line, why=why))

        if len(line) > MAX_DEFINITION:
            raise fail(say("def_long", limit=MAX_DEFINITION))
        left, sep, right = line.partition("=")
        targets = [t.strip() for t in left.split(",")]
        if not sep or not right.strip() or not all(NAME.match(t) for t in targets):
            raise fail(say("def_form"))
        for t in targets:
            if t in known or _derived_name(t):
                raise fail(say("def_taken", name=t))
        tree = _ast(right.strip(), fail)
        if len(targets) > 1 or (isinstance(tree, ast.Call) and getattr(tree.func, "id", "") == "softmax"):
            zs = _softmax_inputs(tree, targets, known, fail)
            for k, t in enumerate(targets, start=1):
                definitions.append((sympy.Symbol(t), softmax(k, *zs)))
                units.append(Unit(t, "softmax", str(zs[k - 1])))
        else:
            expr = _expr(tree, known, fail)
            definitions.append((sympy.Symbol(targets[0]), expr))
            units += _unit(targets[0], tree)
        known |= set(targets)
    if not definitions:
        raise reader.fail(say("missing", item="definitions"), "model", "definitions")
    return tuple(definitions), tuple(units)


def _derived_name(name: str) -> bool:
    """Names the derivation makes itself: the loss, deltas, gradients, updates, velocities."""
    return name == "E" or re.match(r"^(E_\d+|delta_.*|dE_d.*|dEreg_d.*|.*_new|v_.*)$", name) is not None


def _ast(source: str, fail) -> ast.expr:
    try:
        return ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise fail(say("def_syntax", column=error.offset or 1)) from None
    except (ValueError, RecursionError, MemoryError):
        raise fail(say("def_syntax", column=1)) from None


def _softmax_inputs(tree, targets, known, fail) -> tuple[sympy.Symbol, ...]:
    if not (isinstance(tree, ast.Call) and getattr(tree.func, "id", "") == "softmax"):
        raise fail(say("def_form"))
    if tree.keywords or len(tree.args) != len(targets) or len(targets) < 2:
        raise fail(say("def_softmax"))
    zs = []
    for arg in tree.args:
        if not isinstance(arg, ast.Name) or arg.id not in known:
            raise fail(say("unknown_name", name=ast.unparse(arg)))
        zs.append(sympy.Symbol(arg.id))
    return tuple(zs)


def _unit(name: str, tree: ast.expr) -> list[Unit]:
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        arg = tree.args[0]
        return [Unit(name, tree.func.id, arg.id if isinstance(arg, ast.Name) else None)]
    return []


FUNCTIONS_TEXT = "sigmoid(), tanh(), relu(), linear(), softmax()"


def _expr(node: ast.expr, known: set[str], fail) -> sympy.Expr:
    """An allow-listed Python expression as sympy; exact decimals, small integer powers."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        return sympy.Rational(str(node.value)) if isinstance(node.value, float) else sympy.Integer(node.value)
    if isinstance(node, ast.Name):
        if node.id not in known:
            raise fail(say("unknown_name", name=node.id))
        return sympy.Symbol(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _expr(node.operand, known, fail)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div | ast.Pow):
        a = _expr(node.left, known, fail)
        if isinstance(node.op, ast.Pow):
            exponent = _expr(node.right, set(), fail)
            if not (exponent.is_Integer and abs(exponent) <= MAX_POWER):
                raise fail(say("def_power"))
            return a**exponent
        b = _expr(node.right, known, fail)
        if isinstance(node.op, ast.Div):
            if b == 0:
                raise fail(say("def_node", what="/ 0", functions=FUNCTIONS_TEXT))
            return a / b
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in UNARY:
        if len(node.args) != 1 or node.keywords:
            raise fail(say("def_call", function=node.func.id))
        inner = _expr(node.args[0], known, fail)
        function = UNARY[node.func.id]
        return inner if function is None else function(inner)
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "softmax":
        raise fail(say("def_call", function="softmax"))
    what = ast.unparse(node)[:40] if not isinstance(node, ast.BinOp) else type(node.op).__name__
    raise fail(say("def_node", what="^ (use **)" if isinstance(getattr(node, "op", None), ast.BitXor) else what,
                   functions=FUNCTIONS_TEXT))


def _must_be(reader: _Reader, names: Sequence[str], allowed, what: str, *where: str) -> None:
    for name in names:
        if name not in allowed:
            raise reader.fail(say("not_defined", name=name, what=Text(what)), *where)


def _update(reader: _Reader, data: Mapping, params: set[str], defined: Sequence[str]) -> dict:
    table = reader.table(data, "update")
    reader.only(table, ("rule", "trainable", "learning_rate", "momentum", "velocity", "decay", "decayed",
                        "epochs"), "update")
    rule = reader.string(table, "rule", "update", default="gradient_descent")
    if rule not in RULES:
        raise reader.fail(say("rule", value=rule), "update", "rule")
    trainable = reader.strings(table, "trainable", "update")
    _must_be(reader, trainable, params, "what_param", "update", "trainable")
    learning_rate = reader.string(table, "learning_rate", "update", default="eta")
    _must_be(reader, [learning_rate], params, "what_param", "update", "learning_rate")
    epochs = table.get("epochs", 1)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= 10:
        raise reader.fail(say("epochs"), "update", "epochs")
    momentum: str | None = None
    velocity: dict[str, str] = {}
    decay: str | None = None
    decayed: tuple[str, ...] = ()
    if rule == "momentum":
        for key in ("momentum", "velocity"):
            if key not in table:
                raise reader.fail(say("rule_needs", rule=rule, item=key), "update", "rule")
        momentum = reader.string(table, "momentum", "update")
        velocity_table = reader.table(table, "velocity", "update")
        _must_be(reader, [momentum, *velocity_table.values()], params, "what_param", "update", "momentum")
        _must_be(reader, list(velocity_table), trainable, "what_param", "update", "velocity")
        if set(velocity_table) != set(trainable):
            raise reader.fail(say("rule_needs", rule=rule, item="velocity"), "update", "velocity")
        velocity = dict(velocity_table)
    if rule == "weight_decay":
        if "decay" not in table:
            raise reader.fail(say("rule_needs", rule=rule, item="decay"), "update", "rule")
        decay = reader.string(table, "decay", "update")
        decayed = reader.strings(table, "decayed", "update", default=trainable)
        _must_be(reader, [decay], params, "what_param", "update", "decay")
        _must_be(reader, decayed, trainable, "what_param", "update", "decayed")
    return {"rule": rule, "trainable": trainable, "learning_rate": learning_rate, "momentum": momentum,
            "velocity": velocity, "decay": decay, "decayed": decayed, "epochs": epochs}


def _quantity_names(defined: Sequence[str], units: Sequence[Unit], update: Mapping) -> list[str]:
    """Every name the derivation will produce, epoch suffixes included."""
    epochs = update["epochs"]
    names = []
    for k in range(1, epochs + 1):
        suffix = "" if epochs == 1 else f"_{k}"
        names += [f"{d}{suffix}" for d in (*defined, "E")]
        names += [f"delta_{u.input.removesuffix('_in')}{suffix}" for u in units if u.input]
        names += [f"dE_d{p}{suffix}" for p in update["trainable"]]
        names += [f"dEreg_d{p}{suffix}" for p in update["decayed"]]
        new = [f"{p}_new" if epochs == 1 else f"{p}_{k}" for p in update["trainable"]]
        names += new
        if update["rule"] == "momentum":
            names += [f"v_{p}_new" if epochs == 1 else f"v_{p}_{k}" for p in update["trainable"]]
    return names


def _answers(reader: _Reader, data: Mapping, params: set[str], quantities: Sequence[str], epochs: int):
    table = reader.table(data, "answers")
    reader.only(table, ("steps", "formulas"), "answers")
    raw = table.get("steps")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise reader.fail(say("type", item="steps", expected=_type("steps")), "answers", "steps")
    steps, step_names, seen = [], {}, set()
    for entry in raw:
        reader.only(entry, ("step", "zh", "numbers"), "answers", "steps")
        title = reader.string(entry, "step", "answers", "steps")
        if not isinstance(entry.get("zh"), str) or not entry["zh"].strip() or (
                ("{k}" in title) != ("{k}" in entry["zh"])):
            raise DeclarationError(reader.source, reader.line_of_text(f'"{title}"', after="[answers]"),
                                   say("step_name", name=title))
        numbers = reader.strings(entry, "numbers", "answers", "steps")
        per_epoch = any("{k}" in n for n in numbers)
        for k in range(1, epochs + 1) if per_epoch else (None,):
            names = tuple(n.replace("{k}", str(k)) for n in numbers) if k else numbers
            for n in names:
                if n in seen:
                    raise reader.fail(say("answer_twice", name=n), "answers", n)
                seen.add(n)
            _known_quantities(reader, names, quantities)
            named = (title.replace("{k}", str(k)), entry["zh"].replace("{k}", str(k))) if k else (title, entry["zh"])
            steps.append((named[0], names))
            step_names[named[0]] = {"en": named[0], "zh": named[1]}
    formulas = reader.table(table, "formulas", "answers", required=False)
    out = {}
    for quantity, entry in formulas.items():
        _known_quantities(reader, [quantity], quantities)
        spec = entry if isinstance(entry, dict) else {"symbols": entry}
        reader.only(spec, ("symbols", "keep"), "formulas", quantity)
        allowed = reader.strings(spec, "symbols", "formulas", quantity)
        keep = reader.strings(spec, "keep", "formulas", quantity, default=allowed)
        for s in (*allowed, *keep):
            if s not in params and s not in quantities:
                raise reader.fail(say("unknown_name", name=s), "formulas", quantity)
            if s == quantity and s in keep:  # in symbols alone it is harmless: Derivation.usable drops it
                raise reader.fail(say("formula_itself", name=s), "formulas", quantity)
        out[quantity] = (allowed, keep)
    return tuple(steps), step_names, out


def _known_quantities(reader: _Reader, names: Sequence[str], quantities: Sequence[str]) -> None:
    for n in names:
        if n not in quantities:
            shown = ", ".join(quantities[:12]) + (", ..." if len(quantities) > 12 else "")
            raise reader.fail(say("not_defined", name=n, what=say("what_quantity", known=shown)), "answers", n)


def _check_template(reader: _Reader, template: str, lang: str, params: set[str]) -> None:
    """Placeholders are bare parameter names (or epochs): no format spec, conversion or index."""
    try:
        fields = [(f, spec, conversion) for _, f, spec, conversion in Formatter().parse(template) if f is not None]
    except ValueError as error:
        raise reader.fail(say("statement", language=lang, why=say("braces", detail=str(error))), "statement", lang) \
            from None
    for f, spec, conversion in fields:
        if (f not in params and f != "epochs") or spec or conversion:
            where = reader.line_of_text("{" + f, after="[statement]")
            why = say("placeholder", name=f + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
            raise DeclarationError(reader.source, where, say("statement", language=lang, why=why))


def _conditions(reader: _Reader, data: Mapping) -> dict[str, float]:
    table = reader.table(data, "conditions", required=False)
    reader.only(table, tuple(CONDITION_DEFAULTS), "conditions")
    out = dict(CONDITION_DEFAULTS)
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise reader.fail(say("condition", item=key), "conditions", key)
        out[key] = float(value)
    return out


def _mistakes(reader: _Reader, data: Mapping, params: set[str], quantities: Sequence[str]) -> dict:
    """The [mistakes] table: whether to name the output shortcut, and the family's own slips, each a
    name from the grader's table of mistakes and swaps [quantity, right name, name used or "0"]."""
    from grader.text.messages import MISTAKES  # the names the grader can describe in both languages

    table = reader.table(data, "mistakes", required=False)
    reader.only(table, ("output_shortcut", "slips"), "mistakes")
    shortcut = table.get("output_shortcut", True)
    if not isinstance(shortcut, bool):
        raise reader.fail(say("type", item="output_shortcut", expected=_type("bool")), "mistakes", "output_shortcut")
    raw = table.get("slips", [])
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        raise reader.fail(say("type", item="slips", expected=_type("slips")), "mistakes", "slips")
    slips = []
    for entry in raw:
        reader.only(entry, ("name", "swaps"), "mistakes", "slips")
        name = reader.string(entry, "name", "mistakes", "slips")
        usable = sorted(m for m, texts in MISTAKES.items()  # a slip's message gets right, used, quantity
                        if {f for _, f, _, _ in Formatter().parse(texts["en"]) if f} <= {"right", "used", "quantity"})
        if name not in usable:
            raise reader.fail(say("slip_name", name=name, known=", ".join(usable)), "mistakes", name)
        swaps = entry.get("swaps")
        if not isinstance(swaps, list) or not swaps or not all(
                isinstance(w, list) and len(w) == 3 and all(isinstance(n, str) for n in w) for w in swaps):
            raise reader.fail(say("type", item="swaps", expected=_type("swaps")), "mistakes", name)
        for quantity, right, used in swaps:
            _known_quantities(reader, [quantity], quantities)
            for n in (right, used):
                if n != "0" and n not in params and n not in quantities:
                    raise reader.fail(say("unknown_name", name=n), "mistakes", name)
        slips.append((name, tuple(tuple(w) for w in swaps)))
    return {"output_shortcut": shortcut, "slips": tuple(slips)}
