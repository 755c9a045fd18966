"""A small random source that gives the same numbers on every machine and Python version.

It is SHA-512 in counter mode over a text seed, so a variant is a pure function of
(family, version, assignment, student, question): nothing needs storing, and numpy's or
Python's generator algorithms can change without moving anyone's numbers.
"""

from __future__ import annotations

import hashlib
import importlib
import operator
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from functools import cache
from itertools import chain, repeat
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")



def _fastest_sha512() -> Callable[..., Any]:
    """CPython's own SHA-512 (the same function, its module named ``_sha2`` since Python 3.12), a
    sixth faster than OpenSSL's on messages this short; OpenSSL's where Python is built without it."""
    for module in ("_sha2", "_sha512"):
        try:
            return importlib.import_module(module).sha512
        except (ImportError, AttributeError):
            continue
    return hashlib.sha512


_sha512 = _fastest_sha512()
_DIGEST = type(_sha512()).digest  # the method, so that map() hashes a list without a Python loop


def stable_seed(*parts: object) -> str:
    """Join the parts of a seed into one unambiguous text (parts may contain any characters)."""
    return "\x1f".join(f"{len(str(p))}:{p}" for p in parts)


class Draws:
    """A stream of uniform draws for one seed and label.

    Each draw takes the next 8 bytes of the SHA-512 stream as an integer and reduces it
    modulo the range size; for the ranges used here (under 10^6 values) the bias is
    below 10^-13.

    >>> Draws("demo", "a").integer(0, 9) == Draws("demo", "a").integer(0, 9)
    True
    """

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = f"{seed}\x1e{label}\x1e".encode()
        self._block = 0
        self._buffer = b""
        self._offset = 0

    def integer(self, low: int, high: int) -> int:
        """A uniform integer in [low, high]."""
        span = high - low + 1
        if span < 1:
            raise ValueError(f"empty range [{low}, {high}]")
        offset = self._offset
        if offset == len(self._buffer):
            self._buffer = _sha512(self._prefix + str(self._block).encode()).digest()
            self._block += 1
            offset = 0
        self._offset = offset + 8
        return low + int.from_bytes(self._buffer[offset : offset + 8], "big") % span

    def choice(self, options: Sequence[T]) -> T:
        """One of the options, uniformly."""
        return options[self.integer(0, len(options) - 1)]

    def decimal(self, low: str, high: str, step: str) -> Fraction:
        """A uniform exact decimal on the grid low, low+step, ..., high (given as strings)."""
        return self.choice(decimal_grid(low, high, step))

    def sample(self, items: Sequence[T], k: int) -> tuple[T, ...]:
        """k distinct items in random order (the first k steps of a Fisher-Yates shuffle)."""
        pool = list(items)
        for i in range(k):
            j = self.integer(i, len(pool) - 1)
            pool[i], pool[j] = pool[j], pool[i]
        return tuple(pool[:k])

    def permutation(self, items: Sequence[T]) -> tuple[T, ...]:
        """The items in a shuffled order."""
        return self.sample(items, len(items))


@cache
def decimal_grid(low: str, high: str, step: str) -> tuple[Fraction, ...]:
    """The exact decimals low, low+step, ..., high.

    >>> decimal_grid("0.1", "0.3", "0.1")
    (Fraction(1, 10), Fraction(1, 5), Fraction(3, 10))
    """
    lo, hi, st = Fraction(low), Fraction(high), Fraction(step)
    return tuple(lo + st * k for k in range(int((hi - lo) / st) + 1))


class NotOnAGrid(TypeError):
    """A draw used a bulk column as a number (a branch, a sum): it cannot be drawn in bulk."""


class Column:
    """The same draw for every seed of a :class:`BulkDraws`: ``options[index[row]]`` per row.

    It supports nothing but being stored: comparing, testing, hashing or computing with it
    raises :class:`NotOnAGrid` (or ``TypeError``), so a draw that depends on drawn values is
    recognised and drawn one seed at a time instead.
    """

    __slots__ = ("options", "index")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, options: Sequence, index: np.ndarray) -> None:
        self.options = tuple(options)
        self.index = index

    def _refuse(self, *_: object) -> None:
        raise NotOnAGrid("a bulk draw used a drawn value")

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __index__ = _refuse  # type: ignore[assignment]


class BulkDraws:
    """:class:`Draws` for many (seed, label) pairs at once: each call draws for every pair.

    Row r gives exactly the numbers ``Draws(seeds[r], labels[r])`` gives for the same calls:
    the SHA-512 blocks are hashed per row, the reduction modulo the range is done in numpy.

    >>> bulk = BulkDraws(["demo"], ["a"]).integer(0, 9)
    >>> int(bulk.options[bulk.index[0]]) == Draws("demo", "a").integer(0, 9)
    True
    """

    def __init__(self, seeds: Sequence[str], labels: Sequence[str]) -> None:
        prefixes = [f"{seed}\x1e{label}\x1e".encode() for seed, label in zip(seeds, labels, strict=True)]
        self._groups: list[tuple[Sequence[bytes], bytes]] = [(prefixes, b"")]  # rows: each head + the tail
        self._rows = len(prefixes)
        self._blocks: list[np.ndarray] = []  # one (8, rows) array of words per SHA-512 block
        self._used = 0

    @staticmethod
    def heads(seeds: Sequence[str]) -> list[bytes]:
        """The seeds as the start of their messages, for :meth:`of_attempts`."""
        return [f"{seed}\x1e".encode() for seed in seeds]

    @classmethod
    def of_attempts(cls, heads: Sequence[bytes], attempts: Iterable[int]) -> BulkDraws:
        """Every seed for each attempt, attempt by attempt: row ``a * len(heads) + s`` draws as
        ``Draws(seeds[s], str(attempts[a]))`` (the labels of :func:`grader.core.variants.generate`),
        where ``heads`` is :meth:`heads` of the seeds.

        >>> bulk = BulkDraws.of_attempts(BulkDraws.heads(["x", "y"]), range(3, 5)).integer(0, 99)
        >>> [int(i) for i in bulk.index] == [Draws(s, a).integer(0, 99) for a in "34" for s in "xy"]
        True
        """
        draws = cls([], [])
        draws._groups = [(heads, f"{attempt}\x1e".encode()) for attempt in attempts]
        draws._rows = len(heads) * len(draws._groups)
        return draws

    def _next(self) -> np.ndarray:
        block, word = divmod(self._used, 8)
        if block == len(self._blocks):
            number = str(block).encode()
            messages = chain.from_iterable(map(operator.add, heads, repeat(tail + number))
                                           for heads, tail in self._groups)
            digests = b"".join(map(_DIGEST, map(_sha512, messages)))  # no Python code per row
            words = np.frombuffer(digests, dtype=">u8").reshape(self._rows, 8)
            self._blocks.append(words.T.astype(np.uint64, order="C"))  # native, each word's column contiguous
        self._used += 1
        return self._blocks[block][word]

    def _offsets(self, span: int) -> np.ndarray:
        if span < 1:
            raise ValueError(f"empty range of {span} values")
        return (self._next() % np.uint64(span)).astype(np.int64)

    def integer(self, low: int, high: int) -> Column:
        """A uniform integer in [low, high] per seed."""
        return Column(range(low, high + 1), self._offsets(high - low + 1))

    def choice(self, options: Sequence[T]) -> Column:
        """One of the options per seed, uniformly."""
        return Column(options, self._offsets(len(options)))

    def decimal(self, low: str, high: str, step: str) -> Column:
        """A uniform exact decimal on the grid low, low+step, ..., high per seed."""
        return self.choice(decimal_grid(low, high, step))

    def sample(self, items: Sequence[T], k: int) -> tuple[Column, ...]:
        """k distinct items per seed, as :meth:`Draws.sample` shuffles them.

        Each row's pool is a row of small integers, swapped through flat indices: step i takes
        the pool's item at j >= i and puts item i in its place (position i is not read again).
        """
        rows, size = self._rows, len(items)
        pool = np.empty((rows, size), dtype=np.min_scalar_type(max(size - 1, 0)))
        pool[:] = np.arange(size)
        flat, starts = pool.reshape(-1), np.arange(rows) * size
        taken = []
        for i in range(k):
            j = starts + (i + self._offsets(size - i))
            taken.append(flat[j].astype(np.int64))
            flat[j] = flat[starts + i]
        return tuple(Column(items, index) for index in taken)

    def permutation(self, items: Sequence[T]) -> tuple[Column, ...]:
        """The items in a shuffled order per seed."""
        return self.sample(items, len(items))
