"""Safe parsing of students' answers: numbers and formulas.

Student text never reaches ``eval``, ``exec``, ``compile``, ``sympify`` or ``parse_expr``.
A hand-written tokenizer and a recursive-descent parser build a small AST of frozen
dataclasses (:data:`Node`); bounded back ends turn it into a sympy expression
(:func:`to_sympy`) or numbers (:func:`evaluate`, :func:`parse_number`). Every way a parse
can fail is its own :class:`ParseError` subclass carrying the text and the offset, and
:func:`explain` is the one place where such an error becomes a message for the student.

What is accepted (see ``tests/test_parsing.py`` for the full table):

* numbers ``0.75``, ``.5``, ``3/4``, ``1e-3``, ``1.5×10^-3``, ``1.5·10⁻³``, decimal comma
  ``0,5`` (a comma between digits is always a decimal comma: ``1,000`` is 1);
* ``+ - * / ^ **``, Unicode minus, dashes, ``×``, ``·``, ``÷``, superscript exponents, ``√``;
* implicit multiplication ``2x``, ``x(wx-t)``, ``(a)(b)``, with the same precedence as ``*``
  (so ``1/2x`` is ``x/2``); a number never multiplies implicitly from the right (``x 2``
  is refused);
* the functions exp, log = ln (natural), sqrt, tanh and sigmoid = sigma = σ, always with
  parentheses; the constant ``e`` unless the problem has a symbol ``e``;
* symbols given as canonical ASCII names (``w5``, ``delta_o1``, ``eta``, ``a_2``), written as
  the student likes: Greek letters or their names, ``_``, ``_{...}``, subscript digits; runs
  of letters are split greedily into known names, longest first (``wx`` is w*x).

Design decisions:

* ``1.5x10^-3``: an ``x`` (or ``X``) between a number and a digit is a multiplication sign
  when the problem has no symbol ``x``; when it has, the answer is refused as
  :class:`AmbiguousTimes` (unless the letters form a known name such as ``x10``).
* Power is right-associative and binds tighter than unary minus: ``-2^2`` is -4, ``2^-1``
  is 1/2, ``2^3^2`` is 2^9.
* Bounds (module constants below): input length, nesting depth, digits per number and
  magnitude of literals, magnitude of constant powers, degree of symbolic powers, and the
  exact-arithmetic work sympy would do extracting roots. They are checked by :func:`parse`
  and again by :func:`to_sympy`, so sympy never meets a huge integer power.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from functools import lru_cache
from typing import TypedDict

import numpy as np
import sympy

from grader.maths.sigmoid import sigmoid, sigmoid_numpy
from grader.reading import messages as parse_messages
from grader.text.messages import LANGUAGES

MAX_LENGTH = 500
"""Longest answer accepted, in characters."""
MAX_DEPTH = 50
"""Deepest nesting of parentheses, signs and powers."""
MAX_DIGITS = 30
"""Most significant digits in one number literal."""
MAX_EXPONENT = 300
"""Literals and constant powers must lie between 10^-MAX_EXPONENT and 10^MAX_EXPONENT."""
MAX_DEGREE = 32
"""Highest degree of a power of variables, e.g. x^32 or (x*y)^16."""
MAX_EXACT_BITS = 4096
"""Largest exact integer (in bits) an integer power may make sympy compute."""
MAX_ROOT_WORK = 2048
"""Budget (in bits of integers to factor) for the roots sympy extracts from exact numbers."""

FUNCTIONS: Mapping[str, str] = {
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sigma": "sigmoid",
    "sigmoid": "sigmoid",
}
"""Spellings of the allowed functions (σ is read as sigma) and their canonical names."""

ALLOWED_FUNCTIONS_SHOWN = ("exp", "ln", "log", "sqrt", "tanh", "sigmoid", "σ")

# Well-known functions that are refused by name when followed by "(", even if their letters
# happen to spell a product of the problem's symbols.
_FOREIGN_FUNCTIONS = frozenset(
    (  # noqa: SIM905 - a word list reads best as one string
        "sin cos tan cot sec csc asin acos atan arcsin arccos arctan sinh cosh coth asinh acosh "
        "atanh abs max min factorial gamma beta erf sign sgn floor ceil round pow cbrt root log10 "
        "log2 lg exp2 expm1 relu softmax diff integrate eval exec open print input compile "
        "system getattr setattr import lambda sum prod int float str len range sympify"
    ).split()
)


# --------------------------------------------------------------------------- the AST


@dataclass(frozen=True)
class Number:
    """An exact number literal, e.g. ``0.75`` is ``Number(Fraction(3, 4))``."""

    value: Fraction
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Name:
    """A symbol of the problem, by its canonical name (``delta_o1`` for ``δo1``)."""

    name: str
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    """``-operand`` or ``+operand``."""

    op: str
    operand: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    """``left op right`` with op one of ``+ - * / ^`` (implicit products use ``*``)."""

    op: str
    left: Node
    right: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    """``func(arg)`` with func one of exp, log, sqrt, tanh, sigmoid; ``e`` is ``exp(1)``."""

    func: str
    arg: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


Node = Number | Name | Unary | Binary | Call
"""A parsed answer. Positions are offsets in the original text; they do not take part in
equality, so ``parse("2x") == Binary("*", Number(Fraction(2)), Name("x"))``."""


# --------------------------------------------------------------------------- the errors


def _rebuild(cls: type, state: dict) -> ParseError:
    return cls(**state)


@dataclass(eq=False, kw_only=True)
class ParseError(Exception):
    """Base of every refusal of an answer.

    ``text`` is the original input, ``position`` the 0-based offset of the offending spot
    and ``end`` the offset just after it. Not frozen: Python itself writes attributes such
    as ``__traceback__`` on exceptions.
    """

    text: str = field(repr=False)
    position: int
    end: int = -1

    def __post_init__(self) -> None:
        if self.end < self.position:
            self.end = self.position + 1

    @property
    def message_key(self) -> str:
        """Which template of :data:`grader.reading.messages.MESSAGES` describes this error."""
        return type(self).__name__

    def details(self) -> dict[str, object]:
        """The fields specific to this kind of error."""
        common = {"text", "position", "end"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in common}

    def __str__(self) -> str:
        return explain(self, "en")

    def __reduce__(self):
        return _rebuild, (type(self), {f.name: getattr(self, f.name) for f in fields(self)})


@dataclass(eq=False, kw_only=True)
class EmptyAnswer(ParseError):
    """Nothing but blanks was typed."""


@dataclass(eq=False, kw_only=True)
class TooLong(ParseError):
    """The answer has more than ``limit`` characters."""

    length: int
    limit: int = MAX_LENGTH


@dataclass(eq=False, kw_only=True)
class UnexpectedCharacter(ParseError):
    """A character that has no meaning in an answer, such as ``$`` or ``[``."""

    char: str


@dataclass(eq=False, kw_only=True)
class UnexpectedToken(ParseError):
    """A well-formed piece in the wrong place; ``expected`` is "operand" or "operator"."""

    token: str
    expected: str

    @property
    def message_key(self) -> str:
        return f"UnexpectedToken.{self.expected}"


@dataclass(eq=False, kw_only=True)
class UnexpectedEnd(ParseError):
    """The answer stops where an operand is needed, e.g. ``2+``."""


@dataclass(eq=False, kw_only=True)
class UnbalancedParenthesis(ParseError):
    """``char`` (``(``, ``)`` or a subscript's ``{``) has no partner."""

    char: str
    unclosed: bool

    @property
    def message_key(self) -> str:
        return "UnbalancedParenthesis." + ("unclosed" if self.unclosed else "unopened")

    def details(self) -> dict[str, object]:
        partner = {"(": ")", ")": "(", "{": "}"}.get(self.char, "")
        return {**super().details(), "partner": partner}


@dataclass(eq=False, kw_only=True)
class UnknownName(ParseError):
    """Letters that are not a symbol of the problem; ``allowed`` lists the symbols."""

    name: str
    allowed: tuple[str, ...]

    @property
    def message_key(self) -> str:
        return "UnknownName" if self.allowed else "UnknownName.none"


@dataclass(eq=False, kw_only=True)
class UnknownFunction(ParseError):
    """A call of a function that is not allowed, e.g. ``factorial(3)``."""

    name: str
    allowed: tuple[str, ...] = ALLOWED_FUNCTIONS_SHOWN


@dataclass(eq=False, kw_only=True)
class MissingArgument(ParseError):
    """An allowed function not followed by ``(``, e.g. ``ln x``."""

    function: str

    def details(self) -> dict[str, object]:
        return {**super().details(), "example": f"{self.function}(x)"}


@dataclass(eq=False, kw_only=True)
class AmbiguousTimes(ParseError):
    """``1.5x10^-3`` when ``x`` is a symbol of the problem."""

    letter: str


@dataclass(eq=False, kw_only=True)
class TooDeep(ParseError):
    """More than ``limit`` nested parentheses, signs or powers."""

    limit: int = MAX_DEPTH


@dataclass(eq=False, kw_only=True)
class NumberTooLarge(ParseError):
    """A literal with too many digits, or beyond 10^±max_exponent."""

    literal: str
    max_digits: int = MAX_DIGITS
    max_exponent: int = MAX_EXPONENT


@dataclass(eq=False, kw_only=True)
class ExponentTooLarge(ParseError):
    """A constant power whose value lies beyond 10^±limit, e.g. ``9^9^9``."""

    limit: int = MAX_EXPONENT


@dataclass(eq=False, kw_only=True)
class DegreeTooHigh(ExponentTooLarge):
    """A power of variables of degree above ``limit``, e.g. ``x^1000000``."""

    limit: int = MAX_DEGREE


@dataclass(eq=False, kw_only=True)
class PowerTooComplex(ExponentTooLarge):
    """A power or root whose exact evaluation would exceed the work budget."""

    limit: int = MAX_ROOT_WORK


@dataclass(eq=False, kw_only=True)
class NotANumber(ParseError):
    """A number was wanted but the answer contains the variable ``name``."""

    name: str


@dataclass(eq=False, kw_only=True)
class NonFinite(ParseError):
    """A numeric answer that evaluates to an infinity ("inf") or to nothing ("nan")."""

    kind: str

    @property
    def message_key(self) -> str:
        return f"NonFinite.{self.kind}"


def explain(error: ParseError, lang: str = "en") -> str:
    """The message a student reads: what is wrong, then the answer with a caret under it.

    >>> print(explain(UnexpectedCharacter(text="0.5$2", position=3, char="$")))
    Unexpected character '$' at position 4:
      0.5$2
         ^
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {LANGUAGES}")
    shown = {key: _shown_field(key, value, lang) for key, value in error.details().items()}
    lines = [
        parse_messages.MESSAGES[error.message_key][lang].format(pos=error.position + 1, **shown)
    ]
    hint = parse_messages.HINTS.get(getattr(error, "char", ""))
    if isinstance(error, UnexpectedCharacter) and hint:
        lines.append(hint[lang])
    if error.text.strip():
        lines.append(parse_messages.render_snippet(error.text, error.position, error.end))
    return "\n".join(lines)


def _shown_field(key: str, value: object, lang: str) -> str:
    if key in ("char", "partner"):
        return parse_messages.describe_char(str(value))
    if key == "allowed":
        return parse_messages.LIST_SEPARATOR[lang].join(map(str, value))  # type: ignore[call-overload]
    if isinstance(value, str):
        return parse_messages.quote(value)
    return str(value)


# --------------------------------------------------------------------------- characters

_MINUS = "\u2212\u2010\u2011\u2012\u2013\u2014\ufe63\uff0d"
_TIMES = "\u00d7\u00b7\u22c5\u2219\u2217\u2715\u2716"
_DIVIDE = "\u00f7\u2215\u2044"
_IGNORED = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-", strict=True))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789aeoxhklmnpstij", strict=True))
_DIGITS = "0123456789"
_GREEK_NAMES = (  # noqa: SIM905
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho "
    "sigma tau upsilon phi chi psi omega"
).split()
_GREEK: dict[str, str] = {
    **{chr(0x3B1 + i + (i >= 17)): name for i, name in enumerate(_GREEK_NAMES)},
    **{chr(0x391 + i + (i >= 17)): name.capitalize() for i, name in enumerate(_GREEK_NAMES)},
    "ς": "sigma",
    "ϵ": "epsilon",
    "ϑ": "theta",
    "ϕ": "phi",
    "ϱ": "rho",
    "ϖ": "pi",
}


def _normalize_char(char: str) -> str:
    """Map a typed character onto the one the lexer reads ('' for invisible ones)."""
    if char.isascii() or char in _GREEK or char in _SUPERSCRIPTS or char in _SUBSCRIPTS:
        return char
    if char in _MINUS:
        return "-"
    if char in _TIMES:
        return "*"
    if char in _DIVIDE:
        return "/"
    if char in _IGNORED:
        return ""
    if char == "\u3002":  # ideographic full stop
        return "."
    if unicodedata.decomposition(char).startswith(("<super>", "<sub>")):
        return char  # xⁿ is not x*n: unhandled super- and subscripts are refused
    folded = unicodedata.normalize("NFKC", char)
    if len(folded) == 1 and (folded.isascii() and folded.isprintable() or folded in _GREEK):
        return folded
    return char


def _is_space(char: str) -> bool:
    return char in " \t\n\r" or (not char.isascii() and unicodedata.category(char) == "Zs")


def _is_digit(char: str) -> bool:
    return len(char) == 1 and char in _DIGITS


def _is_letter(char: str) -> bool:
    return char.isascii() and char.isalpha() or char in _GREEK


def _key_part(char: str) -> str:
    """What one character of a name contributes to its lookup key."""
    if char in _GREEK:
        return _GREEK[char]
    return _SUBSCRIPTS.get(char, char)


# --------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True)
class _Vocabulary:
    """The names an answer may use: the problem's symbols, the functions and ``e``."""

    symbols: tuple[str, ...]
    entries: Mapping[str, tuple[str, str]]  # lookup key -> (kind, canonical name)
    longest: int

    def is_symbol_key(self, key: str) -> bool:
        return self.entries.get(key, ("", ""))[0] == "name"


def _symbol_key(name: str) -> str:
    """Lookup key of a canonical symbol name: Greek spelled out, no ``_``, ``{`` or ``}``."""
    if not isinstance(name, str) or not name or not _is_letter(_normalize_char(name[0])):
        raise ValueError(f"invalid symbol name {name!r}: it must start with a letter")
    key = []
    for char in map(_normalize_char, name):
        if char in "_{}":
            continue
        if not (_is_letter(char) or _is_digit(char) or char in _SUBSCRIPTS):
            raise ValueError(f"invalid symbol name {name!r}: unexpected character {char!r}")
        key.append(_key_part(char))
    return "".join(key)


def _vocabulary(symbols: Collection[str]) -> _Vocabulary:
    if isinstance(symbols, str):
        raise TypeError("symbols must be a collection of names, not one string")
    return _ordered_vocabulary(tuple(dict.fromkeys(symbols if isinstance(symbols, Sequence) else sorted(symbols))))


@lru_cache(maxsize=256)  # once per answer's symbols (a refusal, ValueError, is not remembered)
def _ordered_vocabulary(ordered: tuple[str, ...]) -> _Vocabulary:
    entries: dict[str, tuple[str, str]] = {"e": ("const", "e")}
    entries.update({spelling: ("func", name) for spelling, name in FUNCTIONS.items()})
    owners: dict[str, str] = {}
    for name in ordered:
        key = _symbol_key(name)
        if key in owners:
            raise ValueError(f"symbols {owners[key]!r} and {name!r} cannot be told apart")
        owners[key] = name
        entries[key] = ("name", name)
    return _Vocabulary(ordered, entries, max(map(len, entries)))


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "func", "const", "op", "(", ")", "sqrt", "end"
    text: str
    start: int
    end: int
    value: object = None


class _Lexer:
    """Turns the answer into tokens; names are resolved against the vocabulary here."""

    def __init__(self, text: str, vocabulary: _Vocabulary) -> None:
        self.text = text
        self.chars = [_normalize_char(c) for c in text]
        self.vocabulary = vocabulary
        self.tokens: list[_Token] = []
        self.i = 0

    def char(self, offset: int = 0) -> str:
        index = self.i + offset
        return self.chars[index] if index < len(self.chars) else ""

    def next_visible(self, index: int) -> int:
        while index < len(self.chars) and (self.chars[index] == "" or _is_space(self.chars[index])):
            index += 1
        return index

    def run(self) -> list[_Token]:
        while self.i < len(self.chars):
            char = self.char()
            if char == "" or _is_space(char):
                self.i += 1
            elif _is_digit(char) or char == "." and _is_digit(self.char(1)):
                self.number()
            elif char in _SUPERSCRIPTS:
                self.superscript()
            elif char in "xX" and self.times_sign():
                self.emit("op", "*", self.i, self.i + 1)
                self.i += 1
            elif _is_letter(char):
                self.name()
            elif char == "*" and self.char(1) == "*":
                self.emit("op", "^", self.i, self.i + 2)
                self.i += 2
            elif char in "+-*/^":
                self.emit("op", char, self.i, self.i + 1)
                self.i += 1
            elif char in "()":
                self.emit(char, char, self.i, self.i + 1)
                self.i += 1
            elif char == "√":
                self.emit("sqrt", "√", self.i, self.i + 1)
                self.i += 1
            elif char == "." and self.next_visible(self.i + 1) == len(self.chars):
                self.i = len(self.chars)  # a full stop ending the sentence
            else:
                raise UnexpectedCharacter(text=self.text, position=self.i, char=self.text[self.i])
        self.emit("end", "", len(self.text), len(self.text))
        return self.tokens

    def emit(self, kind: str, text: str, start: int, end: int, value: object = None) -> None:
        self.tokens.append(_Token(kind, text, start, end, value))

    def digits(self) -> str:
        start = self.i
        while _is_digit(self.char()):
            self.i += 1
        return "".join(self.chars[start : self.i])

    def number(self) -> None:
        start = self.i
        whole, fraction, exponent = self.digits(), "", "0"
        if self.char() == "." or (self.char() == "," and whole and _is_digit(self.char(1))):
            self.i += 1
            fraction = self.digits()
        if self.char() in ("e", "E"):
            sign = self.char(1) if self.char(1) in ("+", "-") else ""
            if _is_digit(self.char(1 + len(sign))):
                self.i += 1 + len(sign)
                exponent = sign + self.digits()
        self.emit(
            "num",
            self.text[start : self.i],
            start,
            self.i,
            self.literal(whole, fraction, exponent, start),
        )

    def literal(self, whole: str, fraction: str, exponent: str, start: int) -> Fraction:
        """The exact value of a literal, refusing too many digits or a huge magnitude."""
        significant = (whole + fraction).lstrip("0")
        too_large = NumberTooLarge(
            text=self.text, position=start, end=self.i, literal=self.text[start : self.i]
        )
        if len(significant) > MAX_DIGITS or len(exponent.lstrip("+-")) > 4:
            raise too_large
        value = Fraction(int(whole + fraction or "0"), 10 ** len(fraction))
        if value == 0:
            return value
        if abs(int(exponent)) > MAX_EXPONENT + MAX_DIGITS:
            raise too_large
        value *= Fraction(10) ** int(exponent)
        bound = Fraction(10) ** MAX_EXPONENT
        if not 1 / bound <= value <= bound:
            raise too_large
        return value

    def superscript(self) -> None:
        """``10⁻³`` reads as ``10^(-3)``."""
        start = self.i
        while self.char() and self.char() in _SUPERSCRIPTS:
            self.i += 1
        self.emit("op", "^", start, start + 1)
        self.emit("(", "(", start, start + 1)
        index = start
        while index < self.i:
            if _SUPERSCRIPTS[self.chars[index]] in "+-":
                self.emit("op", _SUPERSCRIPTS[self.chars[index]], index, index + 1)
                index += 1
                continue
            begin = index
            while index < self.i and _SUPERSCRIPTS[self.chars[index]] in _DIGITS:
                index += 1
            digits = "".join(_SUPERSCRIPTS[c] for c in self.chars[begin:index])
            if len(digits.lstrip("0")) > MAX_DIGITS:
                raise NumberTooLarge(
                    text=self.text, position=begin, end=index, literal=self.text[begin:index]
                )
            self.emit("num", self.text[begin:index], begin, index, Fraction(int(digits)))
        self.emit(")", ")", self.i - 1, self.i)

    def times_sign(self) -> bool:
        """Is this ``x`` the multiplication sign of ``1.5x10^-3``?"""
        after = self.next_visible(self.i + 1)
        if not (
            self.tokens
            and self.tokens[-1].kind == "num"
            and after < len(self.chars)
            and self.chars[after] in _DIGITS
        ):
            return False
        if after == self.i + 1:
            key, _ = self.scan_name()
            if self.segment("".join(part for part, _ in key)) is not None:
                return False  # the letters and digits spell known names, such as x10
        if not self.vocabulary.is_symbol_key(self.char()):
            return True
        raise AmbiguousTimes(text=self.text, position=self.i, letter=self.text[self.i])

    def scan_name(self) -> tuple[list[tuple[str, int]], int]:
        """The lookup-key characters of the name at ``i`` (with their offsets), and its end."""
        key: list[tuple[str, int]] = []
        index = self.i
        while index < len(self.chars):
            char = self.chars[index]
            if _is_letter(char) or _is_digit(char) or char in _SUBSCRIPTS:
                key.extend((part, index) for part in _key_part(char))
            elif char == "_" and index + 1 < len(self.chars) and self.chars[index + 1] == "{":
                index = self.braced(index + 1, key)
            elif char != "_":
                break
            index += 1
        return key, index

    def braced(self, brace: int, key: list[tuple[str, int]]) -> int:
        """Read the subscript ``{...}`` opening at ``brace``; return the offset of ``}``."""
        index = brace + 1
        while index < len(self.chars) and self.chars[index] != "}":
            char = self.chars[index]
            if not (_is_letter(char) or _is_digit(char) or char in _SUBSCRIPTS or char == "_"):
                if char in "()+-*/^ " or char == "":
                    break
                raise UnexpectedCharacter(text=self.text, position=index, char=self.text[index])
            key.extend((part, index) for part in _key_part(char) if part != "_")
            index += 1
        if index >= len(self.chars) or self.chars[index] != "}":
            raise UnbalancedParenthesis(text=self.text, position=brace, char="{", unclosed=True)
        return index

    def name(self) -> None:
        """A run of letters, digits and subscripts: split it into names and functions."""
        start = self.i
        key, end = self.scan_name()
        word = "".join(part for part, _ in key)
        after = self.next_visible(end)
        called = after < len(self.chars) and self.chars[after] == "("
        segments = self.segment(word)
        foreign = called and word in _FOREIGN_FUNCTIONS and not self.vocabulary.is_symbol_key(word)
        if foreign or (segments is None and called):
            raise UnknownFunction(
                text=self.text, position=start, end=end, name=self.text[start:end]
            )
        if segments is None:
            first = self.failure(word)
            position = key[first][1] if first < len(key) else start
            raise UnknownName(
                text=self.text,
                position=position,
                end=end,
                name=self.text[position:end],
                allowed=self.vocabulary.symbols,
            )
        for number, (lo, hi) in enumerate(segments):
            kind, canonical = self.vocabulary.entries[word[lo:hi]]
            begin, stop = key[lo][1], key[hi - 1][1] + 1
            if kind == "func" and not (called and number == len(segments) - 1):
                raise MissingArgument(
                    text=self.text, position=begin, end=stop, function=self.text[begin:stop]
                )
            self.emit(kind, self.text[begin:stop], begin, stop, canonical)
        self.i = end

    def candidates(self, word: str, index: int) -> list[int]:
        """Ends of the known names starting at ``index``, longest first.

        The constant ``e`` only counts as a word of its own: ``eta2`` is not e*t*a2.
        """
        top = min(len(word), index + self.vocabulary.longest)
        entries = self.vocabulary.entries
        return [
            j
            for j in range(top, index, -1)
            if word[index:j] in entries
            and (entries[word[index:j]][0] != "const" or (index, j) == (0, len(word)))
        ]

    def segment(self, word: str) -> list[tuple[int, int]] | None:
        """Split ``word`` into known names, preferring the longest name at each step."""
        splits: dict[int, list[tuple[int, int]] | None] = {len(word): []}
        for index in range(len(word) - 1, -1, -1):
            splits[index] = None
            for j in self.candidates(word, index):
                rest = splits[j]
                if rest is not None:
                    splits[index] = [(index, j), *rest]
                    break
        return splits[0] if word else None

    def failure(self, word: str) -> int:
        """Where to point when ``word`` cannot be split: after its longest known prefix.

        The prefix counts only if it is made of symbols and the rest starts with a letter:
        in ``xy`` the culprit is ``y``, but in ``x2`` or ``eta`` it is the whole word.
        """
        reach: dict[int, bool] = {0: True}  # offset -> reached through symbols only
        for index in range(len(word)):
            if index in reach:
                for j in self.candidates(word, index):
                    through = reach[index] and self.vocabulary.is_symbol_key(word[index:j])
                    reach[j] = reach.get(j, False) or through
        furthest = max(reach)
        if furthest and reach[furthest] and word[furthest].isalpha():
            return furthest
        return 0


# --------------------------------------------------------------------------- the parser


def _check_parentheses(text: str, tokens: Sequence[_Token]) -> None:
    """Refuse unbalanced or too deeply nested parentheses before any recursion."""
    opened: list[_Token] = []
    for token in tokens:
        if token.kind == "(":
            opened.append(token)
            if len(opened) > MAX_DEPTH:
                raise TooDeep(text=text, position=token.start)
        elif token.kind == ")":
            if not opened:
                raise UnbalancedParenthesis(
                    text=text, position=token.start, char=")", unclosed=False
                )
            opened.pop()
    if opened:
        raise UnbalancedParenthesis(text=text, position=opened[-1].start, char="(", unclosed=True)


_IMPLICIT = frozenset({"name", "func", "const", "(", "sqrt"})


class _Parser:
    """Recursive descent over the grammar::

    sum     := product (("+" | "-") product)*
    product := signed (("*" | "/") signed | <juxtaposition> power)*
    signed  := ("+" | "-") signed | power
    power   := primary ("^" signed)?
    primary := number | name | "e" | function "(" sum ")" | "(" sum ")" | "√" primary
    """

    def __init__(self, text: str, tokens: Sequence[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_op(self, ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.text in ops

    def parse(self) -> Node:
        node = self.sum()
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token, "operator")
        return node

    def unexpected(self, token: _Token, expected: str) -> ParseError:
        if token.kind == "end":
            return UnexpectedEnd(text=self.text, position=token.start)
        return UnexpectedToken(
            text=self.text, position=token.start, end=token.end, token=token.text, expected=expected
        )

    def sum(self) -> Node:
        node = self.product()
        while self.is_op("+-"):
            op = self.take().text
            right = self.product()
            node = Binary(op, node, right, node.start, right.end)
        return node

    def product(self) -> Node:
        node = self.signed()
        while True:
            if self.is_op("*/"):
                op = self.take().text
                right = self.signed()
            elif self.peek().kind in _IMPLICIT:
                op, right = "*", self.nested(self.power)
            else:
                return node
            node = Binary(op, node, right, node.start, right.end)

    def nested(self, parse: Callable[[], Node]) -> Node:
        """Run ``parse`` one level deeper, refusing more than MAX_DEPTH levels."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TooDeep(text=self.text, position=self.peek().start)
        try:
            return parse()
        finally:
            self.depth -= 1

    def signed(self) -> Node:
        self.depth += 1  # inlined nested(): one Python frame less per level
        if self.depth > MAX_DEPTH:
            raise TooDeep(text=self.text, position=self.peek().start)
        try:
            if self.is_op("+-"):
                sign = self.take()
                operand = self.signed()
                return Unary(sign.text, operand, sign.start, operand.end)
            return self.power()
        finally:
            self.depth -= 1

    def power(self) -> Node:
        base = self.primary()
        if not self.is_op("^"):
            return base
        self.take()
        exponent = self.signed()
        return Binary("^", base, exponent, base.start, exponent.end)

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "num":
            return Number(token.value, token.start, token.end)  # type: ignore[arg-type]
        if token.kind == "name":
            return Name(token.value, token.start, token.end)  # type: ignore[arg-type]
        if token.kind == "const":
            return Call("exp", Number(Fraction(1), token.start, token.end), token.start, token.end)
        if token.kind == "sqrt":
            arg = self.nested(self.primary)
            return Call("sqrt", arg, token.start, arg.end)
        if token.kind == "func":
            if self.peek().kind != "(":
                raise MissingArgument(
                    text=self.text, position=token.start, end=token.end, function=token.text
                )
            inner, close = self.parenthesised()
            return Call(token.value, inner, token.start, close.end)  # type: ignore[arg-type]
        if token.kind == "(":
            self.index -= 1
            return self.parenthesised()[0]
        raise self.unexpected(token, "operand")

    def parenthesised(self) -> tuple[Node, _Token]:
        self.take()
        inner = self.sum()
        close = self.take()
        if close.kind != ")":
            raise self.unexpected(close, "operator")
        return inner, close


# --------------------------------------------------------------------------- walking


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return (node.arg,)
    return ()


def _fold(node: Node, combine: Callable[[Node, list], object]) -> object:
    """Post-order fold without recursion: ``combine(node, results of its children)``.

    The results wait on a stack of their own: a node's children leave theirs on top, in order.
    """
    results: list[object] = []
    stack: list[tuple[Node, int]] = [(node, -1)]  # -1: children not visited yet, else how many
    while stack:
        current, arity = stack.pop()
        if arity < 0:
            children = _children(current)
            if children:
                stack.append((current, len(children)))
                stack.extend((child, -1) for child in reversed(children))
                continue
            arity = 0
        kids = results[len(results) - arity:] if arity else []
        del results[len(results) - arity:]
        results.append(combine(current, kids))
    return results[0]


# --------------------------------------------------------------------------- bounds

_NUMPY_FUNCTIONS: Mapping[str, Callable] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "sigmoid": sigmoid_numpy,
}
_NUMPY_OPERATORS: Mapping[str, Callable] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
    "^": np.power,
}


class _Sites(TypedDict, total=False):
    """The root-site fields of a :class:`_Size`, as one site or a merge of several updates them."""

    has_log: bool
    rad: Fraction
    den: int
    site_bits: int
    work: int


@dataclass(frozen=True)
class _Size:
    """What sympy could make of a subtree, bounded from above.

    ``value`` is the float value of a constant subtree (None if it has symbols) and
    ``exact`` its rational value when it is rational by construction. ``bits`` bounds the
    integers sympy may fold out of it. A *root site* is a power with a fractional (or
    unknown) exponent p/q, ``sqrt``, or ``exp`` of a logarithm: sympy factors the integers of
    its base, and merges sites with a common base by adding exponents. ``work`` sums
    bits * min(p, q) over the sites; ``rad`` sums p/q, ``den`` is the lcm of the q and
    ``site_bits`` the largest base.
    """

    value: float | None
    exact: Fraction | None = None
    bits: int = 0
    degree: float = 0.0
    has_log: bool = False
    rad: Fraction = Fraction(0)
    den: int = 1
    site_bits: int = 0
    work: int = 0

    def site(self, bits: int, p: int, q: int) -> _Sites:
        """The root-site fields after adding a site with base ``bits`` and exponent p/q."""
        if bits == 0:
            return {}
        return {
            "rad": self.rad + Fraction(p, q),
            "den": math.lcm(self.den, q),
            "site_bits": max(self.site_bits, bits),
            "work": self.work + bits * min(p, q),
        }


def _merged(sizes: Sequence[_Size]) -> _Sites:
    if all(s.work == 0 and not s.rad and s.den == 1 and s.site_bits == 0 and not s.has_log for s in sizes):
        return {}  # the common case: no root site and no logarithm below, the defaults stand
    return {
        "has_log": any(s.has_log for s in sizes),
        "rad": sum((s.rad for s in sizes), Fraction(0)),
        "den": math.lcm(*(s.den for s in sizes)),
        "site_bits": max(s.site_bits for s in sizes),
        "work": sum(s.work for s in sizes),
    }


def _fraction_float(value: Fraction) -> float:
    """``float(value)``, but ±inf instead of OverflowError for hand-built huge numbers."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _float(op: Callable, *args: float | None) -> float | None:
    """``op`` on float64 values, None if one is unknown (called under :func:`_check_bounds`'s errstate)."""
    if any(a is None for a in args):
        return None
    return float(op(*(np.float64(a) for a in args)))


def _check_bounds(node: Node, text: str = "") -> None:
    """Refuse what would make sympy (or our own exact arithmetic) do unbounded work."""
    with np.errstate(all="ignore"):  # constants overflow to inf or nan, never an exception
        _fold(node, lambda current, kids: _size(current, kids, text))


def _size(node: Node, kids: list[_Size], text: str) -> _Size:
    if isinstance(node, Number):
        v = node.value
        return _Size(_fraction_float(v), v, v.numerator.bit_length() + v.denominator.bit_length())
    if isinstance(node, Name):
        return _Size(None, degree=1.0)
    if isinstance(node, Unary):
        (a,) = kids
        negated = None if a.exact is None else -a.exact
        return _replace(a, value=_float(np.negative, a.value), exact=negated)
    if isinstance(node, Call):
        size = _call_size(node.func, kids[0])
    elif node.op == "^":
        size = _power_size(node, kids[0], kids[1], text)
    else:
        size = _arithmetic_size(node.op, kids[0], kids[1])
    if size.degree > MAX_DEGREE:
        raise DegreeTooHigh(text=text, position=node.start, end=node.end)
    if size.site_bits == 0 and size.work == 0:  # no root site below: nothing to merge
        return size
    merged_sites = size.site_bits * min(size.rad * size.den, Fraction(size.den))  # same base, summed p/q
    if size.work > MAX_ROOT_WORK or merged_sites > MAX_ROOT_WORK:
        raise PowerTooComplex(text=text, position=node.start, end=node.end)
    return size


def _arithmetic_size(op: str, a: _Size, b: _Size) -> _Size:
    exact = None
    if a.exact is not None and b.exact is not None and not (op == "/" and b.exact == 0):
        exact = {
            "+": a.exact + b.exact,
            "-": a.exact - b.exact,
            "*": a.exact * b.exact,
            "/": a.exact / b.exact if b.exact else None,
        }[op]
    degree = max(a.degree, b.degree) if op in "+-" else a.degree + b.degree
    return _Size(
        _float(_NUMPY_OPERATORS[op], a.value, b.value),
        exact,
        a.bits + b.bits + 1,
        degree,
        **_merged((a, b)),
    )


def _call_size(func: str, a: _Size) -> _Size:
    merged = _merged((a,))
    bits = 0
    if func in ("log", "sqrt") or (func == "exp" and a.has_log):
        bits = a.bits
    elif func == "tanh" and a.has_log:
        bits = 2 * a.bits + 2
    size = _Size(
        _float(_NUMPY_FUNCTIONS[func], a.value),
        None,
        bits,
        0.0 if a.value is not None else 1.0,
        **merged,
    )
    if func == "log":
        return _replace(size, has_log=True)
    if func == "sqrt":
        return _replace(size, **size.site(a.bits, 1, 2))
    if func == "exp" and a.has_log:
        unknown = 2 ** min(a.bits, 64)  # exp(r*log(n)) becomes n^r for any rational r
        return _replace(size, **size.site(a.bits, unknown, unknown))
    return size


def _replace(size: _Size, **changes: object) -> _Size:
    return dataclasses.replace(size, **changes)  # type: ignore[arg-type]


def _power_size(node: Binary, a: _Size, b: _Size, text: str) -> _Size:
    if a.value is not None and b.value is not None:
        _check_magnitude(node, a, b, text)
    merged = _merged((a, b))
    value = _float(np.power, a.value, b.value)
    if b.exact is not None and b.exact.denominator == 1:
        n = abs(b.exact.numerator)
        if a.bits * n > MAX_EXACT_BITS and a.exact not in (0, 1, -1):
            raise PowerTooComplex(text=text, position=node.start, end=node.end)
        exact = None
        if a.exact is not None and (a.exact != 0 or b.exact >= 0):
            exact = a.exact**b.exact.numerator
        merged["rad"] = a.rad * n + b.rad
        return _Size(value, exact, a.bits * n + b.bits, a.degree * n, **merged)
    if b.exact is not None:
        p, q = abs(b.exact.numerator), b.exact.denominator
    else:  # sympy might still simplify the exponent to any rational of that size
        p = q = 2 ** min(b.bits, 64)
    if b.value is None:
        degree = a.degree
    else:
        degree = a.degree * abs(b.value) if a.degree else 0.0
        degree = degree if math.isfinite(degree) else math.inf
    size = _Size(value, None, a.bits * min(p, q) + b.bits, degree, **merged)
    return _replace(size, **size.site(a.bits, p, q))


def _check_magnitude(node: Binary, a: _Size, b: _Size, text: str) -> None:
    """Refuse a constant power whose value lies beyond 10^±MAX_EXPONENT."""
    exponent = abs(b.value)  # type: ignore[arg-type]
    if a.exact is not None:
        base = abs(a.exact)
        if base in (0, 1) or exponent == 0:
            return
        log_base = math.log10(base.numerator) - math.log10(base.denominator)
    else:
        base_value = abs(a.value)  # type: ignore[arg-type]
        if base_value in (0.0, 1.0) or exponent == 0:
            return
        log_base = math.log10(base_value) if math.isfinite(base_value) else math.inf
    magnitude = exponent * abs(log_base)
    if not magnitude <= MAX_EXPONENT:
        raise ExponentTooLarge(text=text, position=node.start, end=node.end)


# --------------------------------------------------------------------------- the API


def parse(text: str, symbols: Collection[str] = ()) -> Node:
    """Parse an answer; names must be in ``symbols`` (canonical names) or allowed functions.

    Raises a :class:`ParseError` subclass for anything it refuses; ``symbols`` that cannot
    be told apart, or are not names, are the course's mistake and raise ``ValueError``.

    >>> parse("x(wx-t)", ["x", "w", "t"]) == parse("x*(w*x - t)", ["x", "w", "t"])
    True
    """
    if len(text) > MAX_LENGTH:
        raise TooLong(text=text, position=MAX_LENGTH, length=len(text))
    tokens = _Lexer(text, _vocabulary(symbols)).run()
    if len(tokens) == 1:
        raise EmptyAnswer(text=text, position=0, end=len(text))
    _check_parentheses(text, tokens)
    try:
        node = _Parser(text, tokens).parse()
    except RecursionError:  # only if called from an already deep stack: MAX_DEPTH bounds ours
        raise TooDeep(text=text, position=0, end=len(text)) from None
    _check_bounds(node, text)
    return node


# A plain decimal such as -0.75 or 1e-3, read directly by float() (matched with re.fullmatch).
_PLAIN_DECIMAL = (
    r"[ \t]{0,20}-?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?[ \t]{0,20}"
)


def parse_number(text: str) -> float:
    """A numeric answer: a number or a constant expression, as a finite float.

    >>> parse_number("1.5×10^-3"), parse_number("3/4"), parse_number("0,5")
    (0.0015, 0.75, 0.5)

    Raises :class:`NotANumber` naming the first variable, :class:`NonFinite` for infinite
    or undefined values, and the other :class:`ParseError` subclasses as :func:`parse`.
    """
    if re.fullmatch(_PLAIN_DECIMAL, text):  # the common case, read directly: digits only, bounded
        return float(text)
    try:
        node = parse(text)
    except UnknownName as error:
        raise NotANumber(
            text=text, position=error.position, end=error.end, name=error.name
        ) from None
    value = float(evaluate(node, {}))
    if not math.isfinite(value):
        raise NonFinite(
            text=text, position=node.start, end=node.end, kind="nan" if math.isnan(value) else "inf"
        )
    return value


_SYMPY_FUNCTIONS: Mapping[str, Callable] = {
    "exp": sympy.exp,
    "log": sympy.log,
    "sqrt": sympy.sqrt,
    "tanh": sympy.tanh,
    "sigmoid": sigmoid,
}


def to_sympy(node: Node, symbols: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    """The sympy expression of a parsed answer, built bottom-up after the bounds check.

    ``symbols`` maps canonical names to sympy symbols (KeyError if one is missing).
    Numbers become exact rationals: ``0.1`` is ``Rational(1, 10)``.

    >>> x = sympy.Symbol("x")
    >>> to_sympy(parse("2x^2", ["x"]), {"x": x})
    2*x**2
    """
    _check_bounds(node)
    return _fold(node, lambda current, kids: _sympy_node(current, kids, symbols))


def _sympy_node(node: Node, kids: list, symbols: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    if isinstance(node, Number):
        return sympy.Rational(node.value.numerator, node.value.denominator)
    if isinstance(node, Name):
        return symbols[node.name]
    if isinstance(node, Unary):
        return -kids[0] if node.op == "-" else kids[0]
    if isinstance(node, Call):
        return _SYMPY_FUNCTIONS[node.func](kids[0])
    left, right = kids
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if node.op == "/":
        return left / right
    return sympy.Pow(left, right)


def evaluate(node: Node, values: Mapping[str, float | np.ndarray]) -> float | np.ndarray:
    """Vectorised float evaluation; overflow gives inf or nan, never an exception.

    ``values`` maps canonical names to floats or broadcastable arrays (KeyError if one is
    missing). The result is a float unless some value was an array.

    >>> evaluate(parse("1/(1+exp(-z))", ["z"]), {"z": np.array([0.0, 1000.0])})
    array([0.5, 1. ])
    """
    with np.errstate(all="ignore"):
        result = _fold(node, lambda current, kids: _numpy_node(current, kids, values))
    array = np.asarray(result, dtype=float)
    return float(array) if array.ndim == 0 else array


def _numpy_node(node: Node, kids: list, values: Mapping[str, float | np.ndarray]):
    if isinstance(node, Number):
        return np.float64(_fraction_float(node.value))
    if isinstance(node, Name):
        return np.asarray(values[node.name], dtype=float)
    if isinstance(node, Unary):
        return np.negative(kids[0]) if node.op == "-" else kids[0]
    if isinstance(node, Call):
        return _NUMPY_FUNCTIONS[node.func](kids[0])
    return _NUMPY_OPERATORS[node.op](kids[0], kids[1])


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "unary": 3, "^": 4, "atom": 5}


def read_as(node: Node) -> str:
    """How an answer was read, for the student: canonical text, parenthesised where needed and
    around a quotient inside a product or quotient, so that a slip such as ``1/2x(wx-t)`` shows
    at once. Parsing it again gives the same AST.

    >>> read_as(parse("1/2x(wx-t)", ["x", "w", "t"])), read_as(parse("a/b/c", ["a", "b", "c"]))
    ('(1/2)*x*(w*x - t)', '(a/b)/c')
    >>> read_as(parse("-0,5e^-x²", ["x"]))
    '-0.5*e^-x^2'
    """
    return _fold(node, lambda n, kids: _unparse_node(n, kids, grouped=True))[0]  # type: ignore[index]


def names(node: Node) -> frozenset[str]:
    """The symbols an answer uses.

    >>> sorted(names(parse("w5*delta_o1 + w5", ["w5", "delta_o1"])))
    ['delta_o1', 'w5']
    """
    def combine(current: Node, kids: list) -> frozenset[str]:
        own = {current.name} if isinstance(current, Name) else set()
        return frozenset(own).union(*kids)
    return _fold(node, combine)  # type: ignore[return-value]


def _unparse_node(node: Node, kids: list[tuple[str, float]], grouped: bool = False) -> tuple[str, float]:
    """Text of ``node`` and its precedence, from the texts of its children; ``grouped`` ranks a
    quotient below a product, so that it is parenthesised inside one."""
    if isinstance(node, Number):
        return _decimal(node.value)
    if isinstance(node, Name):
        return node.name, _PRECEDENCE["atom"]
    if isinstance(node, Call):
        if node.func == "exp" and node.arg == Number(Fraction(1)):
            return "e", _PRECEDENCE["atom"]
        return f"{node.func}({kids[0][0]})", _PRECEDENCE["atom"]
    if isinstance(node, Unary):
        return node.op + _wrap(kids[0], _PRECEDENCE["unary"]), _PRECEDENCE["unary"]
    mine = _PRECEDENCE[node.op] - (0.5 if grouped and node.op == "/" else 0)
    if node.op == "^":  # right-associative, and a signed exponent needs no parentheses
        left, right = _wrap(kids[0], mine + 1), _wrap(kids[1], min(mine, _PRECEDENCE["unary"]))
    else:
        left, right = _wrap(kids[0], _PRECEDENCE[node.op]), _wrap(kids[1], mine + 1)
    return left + (f" {node.op} " if node.op in "+-" else node.op) + right, mine


def _wrap(kid: tuple[str, float], needed: float) -> str:
    text, precedence = kid
    return text if precedence >= needed else f"({text})"


def _decimal(value: Fraction) -> tuple[str, int]:
    """A literal's text: decimal (scientific beyond 12 zeros) or, failing that, p/q."""
    places, scaled = 0, value
    while scaled.denominator != 1 and places <= 2 * MAX_EXPONENT + MAX_DIGITS:
        places, scaled = places + 1, scaled * 10
    if scaled.denominator != 1:
        return f"{value.numerator}/{value.denominator}", _PRECEDENCE["/"]
    digits = str(scaled.numerator)
    zeros = len(digits) - len(digits.rstrip("0")) if scaled else 0
    if places > 12 or zeros > 12:
        return f"{digits.rstrip('0') or '0'}e{zeros - places}", _PRECEDENCE["atom"]
    if places == 0:
        return digits, _PRECEDENCE["atom"]
    digits = digits.rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}", _PRECEDENCE["atom"]
