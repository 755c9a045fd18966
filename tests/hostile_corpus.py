"""A class made of hostile input: answer sheets, roster rows and code files (issue 12).

:func:`build` writes the example assignment, a roster and a submissions folder into a folder.
Every payload that could run would create a file in ``canary`` (a shell command, a Python call,
a code file writing outside its sandbox), so "nothing executed" is "the canary folder is empty".
The answers are the parser's hostile corpus (``tests/test_hostile_input.py``), three to a
sheet, plus the class-level attacks: formulas whose expansion explodes, binary, huge, empty
and mis-encoded sheets, another student's or another assignment's sheet, links to the key,
a named pipe, folders, hidden files, hostile file names, and roster rows whose ids clash as
file names or carry markup, formulas and escapes. Used by ``tests/test_hostile_corpus.py``
and ``benchmarks/bench_hostile.py``.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.test_hostile_input import CORPUS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SLOTS = ["q1.dE_dw_expr", "q1.w_1", "q1.regime", "q2.delta_o1_expr", "q2.E", "q2.h1", "q1.eta_max"]
BOMBS = [
    "(i1+i2+w1+w2+w3+w4+w5+w6)^8*(w7+w8+b1+b2+t1+t2+h1+h2)^8",
    "((o1+t1+h1+h2)^8)^8",
    "(o1+t1)^8*(o1-t1)^8*(h1+h2)^8*(w5+w6)^8",
    "sigmoid((i1+i2+w1+w2)^8*(w3+w4+w5+w6)^8)",
]


def payloads(canary: Path) -> list[str]:
    """Text that creates a file in ``canary`` if a shell or Python ever runs it."""
    return [
        f"$(touch {canary}/shell)", f"`touch {canary}/backtick`", f"; touch {canary}/semicolon",
        f"__import__('os').system('touch {canary}/python')", f"open('{canary}/open', 'w')",
        f"{{{{ __import__('os').system('touch {canary}/template') }}}}",
    ]


ROSTER_NAMES = [
    '=HYPERLINK("http://e.example","x")', "+1+1", "-cmd", "@SUM(A1)", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "$\\text{<svg/onload=alert(1)>}$",
    "\x1b[2J\x1b]0;owned\x07", "\u202egnp.exe", "Robert'); DROP TABLE students;--", "名字" * 200, "a|b|c",
    "line\nbreak", "&amp;&lt;", "{{7*7}}", "${7*7}", "%s%s%n", "\\x00", "**bold** _it_",
]
ROSTER_IDS = [
    "ada.lovelace", "ada.byron", "ada", "a b", "a_b", "Ada", "ADA", "../up", "con", "x.", ".hidden", "a/b",
    "a\\b", "长名字", "s" * 300, "=1+1", "<b>", "-rf", "id;rm", "~root",
]


def hostile_answers(canary: Path) -> list[str]:
    """Every answer written into the sheets: the parser's corpus, the payloads and the bombs."""
    return list(CORPUS) + payloads(canary) + BOMBS


@dataclass(frozen=True)
class Corpus:
    """Where the class is, and how much hostile input it holds."""

    assignment: Path
    roster: Path
    submissions: Path
    students: list[str]  # roster ids, in roster order
    sheets: int
    roster_rows: int
    code_files: int
    other_entries: int


def _code_files(canary: Path) -> dict[str, str]:
    loop = "    while True:\n        pass\n"
    escape = '"\\x1b[2J<script>alert(1)</script> $\\\\text{<svg/onload=alert(1)>}$"'
    return {
        "shell": f"import os\nos.system('touch {canary}/code-shell')\n",
        "write": f"open('{canary}/code-write', 'w').write('x')\n",
        "subprocess": f"import subprocess\nsubprocess.run(['touch', '{canary}/code-subprocess'])\n",
        "loop": f"def forward_222(p):\n{loop}\n\ndef backward_222(p, f):\n{loop}",
        "markup": f"def forward_222(p):\n    raise ValueError({escape})\n\n\ndef backward_222(p, f):\n"
                  f"    raise RuntimeError({escape})\n",
        "syntax": "def forward_222(p:\n    return {}\n",
        "exit": "import sys\nsys.exit(0)\n",
        "recursion": "def forward_222(p):\n    return forward_222(p)\n\n\ndef backward_222(p, f):\n"
                     "    return backward_222(p, f)\n",
        "output": "print('x' * 10_000_000)\n",
        "binary": "\x00\x01\x02" * 100,
    }


def build(root: Path, canary: Path) -> Corpus:
    """Write the hostile class into ``root`` (created); payloads aim at ``canary``."""
    canary.mkdir(parents=True, exist_ok=True)
    submissions = root / "submissions"
    submissions.mkdir(parents=True)
    shutil.copy(EXAMPLES / "hw1.toml", root / "hw1.toml")
    bad = payloads(canary)
    answers = hostile_answers(canary)
    sheet_ids = [f"h{i:03d}" for i in range((len(answers) + 2) // 3)]
    rows = [(sid, bad[i % len(bad)]) for i, sid in enumerate(sheet_ids)]
    for i, sid in enumerate(sheet_ids):
        lines = [f"student: {sid}", "assignment: hw1"]
        for j, text in enumerate(answers[3 * i:3 * i + 3]):
            lines.append(f"{SLOTS[(i + j) % len(SLOTS)]} = {text}".replace("\n", " ").replace("\r", " "))
        (submissions / f"{sid}.txt").write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    bomb_ids = [f"bomb{i}" for i in range(len(BOMBS))]
    for sid, bomb in zip(bomb_ids, BOMBS, strict=True):
        (submissions / f"{sid}.txt").write_text(f"q2.delta_o1_expr = {bomb}\nq1.dE_dw_expr = {bomb}\n")
    rows += [(sid, "bomb") for sid in bomb_ids]
    special = _special_sheets(submissions, canary, root)
    rows += [(sid, "special") for sid in special]
    rows += [(f"r{i:02d}", name) for i, name in enumerate(ROSTER_NAMES)]
    rows += [(sid, f"clashing id {i}") for i, sid in enumerate(ROSTER_IDS)]
    code = _code_files(canary)
    for name, text in code.items():
        (submissions / f"c_{name}.py").write_text(text, encoding="utf-8", errors="surrogateescape")
        rows.append((f"c_{name}", f"code {name}"))
    (submissions / "c_write.txt").write_text("q1.w_1 = 0.5\n")
    others = _strays(submissions, canary)
    roster = root / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name"])
        writer.writerows(rows)
    return Corpus(root / "hw1.toml", roster, submissions, [sid for sid, _ in rows],
                  sheets=len(sheet_ids) + len(bomb_ids) + len(special),
                  roster_rows=len(ROSTER_NAMES) + len(ROSTER_IDS), code_files=len(code), other_entries=others)


def _special_sheets(submissions: Path, canary: Path, root: Path) -> list[str]:
    """Sheets that attack the reading and matching of files; returns their students' ids."""
    (root / "secret.txt").write_text("student: sp_link\nq1.w_1 = 0.5\n")
    files: dict[str, bytes] = {
        "sp_binary": bytes(range(256)) * 40,
        "sp_huge": b"q1.w_1 = " + b"9" * 2_000_000 + b"\n",
        "sp_long_line": b"q1.dE_dw_expr = " + b"x+" * 400_000 + b"x\n",
        "sp_many_lines": b"q1.w_1 = 0.5\n" * 60_000,
        "sp_empty": b"",
        "sp_utf16": "student: sp_utf16\nq1.w_1 = 0.5\n".encode("utf-16"),
        "sp_nul": b"q1.w_1 = 0.5\x00\n",
        "sp_crlf": b"student: sp_crlf\r\nq1.w_1 = 0.5\r\n\r\n",
        "sp_other": b"student: h000\nq1.w_1 = 0.5\n",
        "sp_markup_header": b"student: <svg/onload=alert(1)>\nq1.w_1 = 0.5\n",
        "sp_assignment": b"assignment: $(touch " + str(canary).encode() + b"/assignment)\nq1.w_1 = 1\n",
        "sp_bidi": "q1.w_1 = \u202e5.0\u202c\nq1.regime = \u200bmonotone\n".encode(),
        "sp_deep": b"q1.dE_dw_expr = " + b"(" * 5000 + b"x" + b")" * 5000 + b"\n",
        "sp_latin1": "student: sp_latin1\nq1.w_1 = 0,5 \xe9\n".encode("latin-1"),
    }
    for sid, data in files.items():
        (submissions / f"{sid}.txt").write_bytes(data)
    (submissions / "sp_dup.txt").write_text("q1.w_1 = 0.5\n")
    (submissions / "sp_dup_again.txt").write_text("student: sp_dup\nq1.w_1 = 0.25\n")
    (submissions / "sp_link.txt").symlink_to(root / "hw1.toml")
    (submissions / "sp_link_secret.txt").symlink_to(root / "secret.txt")
    os.mkfifo(submissions / "sp_pipe.txt")
    return [*files, "sp_dup", "sp_link", "sp_pipe"]


def _strays(submissions: Path, canary: Path) -> int:
    """Entries that belong to nobody; returns how many."""
    names = [f"$(touch {canary}|x).txt", "line\nbreak.txt", "\x1b[2Jansi.txt", ".hidden.txt", "名字.txt",
             "<img src=x onerror=alert(1)>.txt", "-rf.txt", "=1+1.txt", "nobody.py",
             os.fsdecode(b"h001\xff.txt"), "x\ngradebook: forged.txt"]
    for name in names:
        (submissions / name.replace("/", "_")).write_text("student: nobody\nq1.w_1 = 1\n")
    (submissions / "folder").mkdir()
    (submissions / "folder" / "h000.txt").write_text("q1.w_1 = 1\n")
    (submissions / "link_folder").symlink_to(submissions.parent, target_is_directory=True)
    (submissions / "dangling.txt").symlink_to(submissions.parent / "does-not-exist")
    return len(names) + 3
