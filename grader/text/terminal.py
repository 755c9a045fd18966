"""Text printed to a terminal: nothing a student wrote can send escape sequences to it."""

from __future__ import annotations

import unicodedata

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_text(text: str, one_line: bool = False) -> str:
    """Text safe to print: control characters (ESC sequences, bell, C1) and bidi overrides removed.

    Line breaks and tabs stay, unless ``one_line`` (then they, and Unicode line separators,
    become spaces, so that a file name cannot forge a line of output).

    >>> terminal_text("s\x1b[31mRED\x1b]0;title\x07 \u202egnp.exe")
    's[31mRED]0;title gnp.exe'
    """
    kept = "" if one_line else "\n\t"
    spaced = "\n\t\r\u2028\u2029" if one_line else ""
    return "".join(" " if c in spaced else c for c in text
                   if c in kept or c in spaced or (unicodedata.category(c) != "Cc" and c not in BIDI))
