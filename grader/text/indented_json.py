"""JSON text with indentation, as ``json.dumps(data, ensure_ascii=False, indent=...)`` writes it, faster.

The standard library writes indented JSON in pure Python, one generator per nesting level;
a class's key (10,000 students, 900,000 values) took over a second. Here each string is
escaped by the standard library's C function and everything else is joined in one pass.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper where built

_OTHER = json.JSONEncoder(ensure_ascii=False)  # what this module does not write itself (it raises)


def indented_json(data: object, indent: int, sort_keys: bool = False) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=indent, sort_keys=sort_keys)``, byte for byte.

    >>> indented_json({"b": [1, 2.5], "a": {}}, 1, sort_keys=True)
    '{\\n "a": {},\\n "b": [\\n  1,\\n  2.5\\n ]\\n}'
    """
    out: list[str] = []
    _write(data, out, "\n", " " * indent, sort_keys)
    return "".join(out)


def _write(value: object, out: list[str], newline: str, step: str, sort_keys: bool) -> None:
    if isinstance(value, str):  # the common leaves first, without a call
        out.append(encode_basestring(value))
    elif isinstance(value, float) and value == value and value not in _INFINITIES:
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + step
        between = "," + inner
        out.append("{")
        items = sorted(value.items()) if sort_keys else value.items()
        first = True
        for key, item in items:
            out.append(inner if first else between)
            first = False
            out.append(encode_basestring(key if isinstance(key, str) else _key(key)))
            out.append(": ")
            _write(item, out, inner, step, sort_keys)
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + step
        between = "," + inner
        out.append("[")
        first = True
        for item in value:
            out.append(inner if first else between)
            first = False
            _write(item, out, inner, step, sort_keys)
        out.append(newline + "]")
    else:
        out.append(_scalar(value))


_INFINITIES = (float("inf"), -float("inf"))


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return encode_basestring(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return _OTHER.encode(value)  # raises TypeError, as json.dumps does


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: object) -> str:
    """A dictionary key that is not a string, as json.dumps turns it into one."""
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
