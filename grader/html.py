"""Markdown with LaTeX to one self-contained HTML page whose formulas are MathML.

Pure: text in, text out. The page needs no network and no script: styles are inline and
every ``$...$`` and ``$$...$$`` becomes MathML (``latex2mathml``), which browsers draw
natively. Raw HTML in the Markdown is escaped, so a student's answer quoted in a report
can never inject markup. A formula the converter cannot read is shown as its LaTeX source.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       "Microsoft YaHei", sans-serif; max-width: 58rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; } h3 { font-size: 1.1rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #c8c8c8; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
code { background: #f4f4f4; padding: 0 0.2rem; border-radius: 3px; }
math[display="block"] { margin: 0.6rem 0; padding: 0.15rem 0; overflow-x: auto; overflow-y: hidden; }
.math-error { color: #a00; }
img { max-width: 100%; }
"""


DECIMAL = re.compile(r"(?<![\\_^{\w.])\d+\.\d+(?![\w.])")


def mathml(latex: str, display: bool = False) -> str:
    """One LaTeX formula as MathML; its escaped source if it cannot be converted.

    Formulas that differ only in their decimal numbers (a worked solution with each
    student's numbers) share one conversion: the numbers are swapped for placeholders,
    the template is converted once, and the numbers are put back as ``<mn>`` elements.

    >>> mathml("x = 0.25").count("<mn>0.25</mn>")
    1
    """
    numbers = DECIMAL.findall(latex)
    if not numbers:
        return _convert(latex, display)
    marks = [f"9.{i:08d}1" for i in range(1, len(numbers) + 1)]
    pieces = DECIMAL.split(latex)
    template = _convert("".join(p + m for p, m in zip(pieces, [*marks, ""], strict=True)), display)
    if any(template.count(f"<mn>{m}</mn>") != 1 for m in marks):
        return _convert(latex, display)
    for mark, number in zip(marks, numbers, strict=True):
        template = template.replace(f"<mn>{mark}</mn>", f"<mn>{number}</mn>")
    return template


@lru_cache(maxsize=8192)
def _convert(latex: str, display: bool) -> str:
    try:
        return convert(latex, display="block" if display else "inline")
    except Exception:  # noqa: BLE001 - any converter failure shows the source instead
        return f'<code class="math-error">{html.escape(latex)}</code>'


def _render_math(content: str, options: dict) -> str:
    return mathml(content.strip(), bool(options.get("display_mode")))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    return md.use(dollarmath_plugin, double_inline=True, allow_digits=False, renderer=_render_math)


_MD = _parser()


def body(markdown: str) -> str:
    """The HTML of a Markdown text (without the page around it).

    The text is rendered block by block (blocks are separated by blank lines; indented
    lines and list items stay with the block before them), and each block through a cache
    of templates in which its decimal numbers are placeholders: a class's reports share
    their structure and differ in numbers, so most blocks are rendered once per class.
    A text with fenced code is rendered whole.
    """
    if "```" in markdown or "~~~" in markdown:
        return _MD.render(markdown)
    return "".join(_block(block) for block in _blocks(markdown))


LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


def _blocks(markdown: str) -> list[str]:
    blocks: list[list[str]] = []
    gap = True
    for line in markdown.splitlines():
        if not line.strip():
            gap = True
            continue
        starts_new = gap and not line[0].isspace() and not (blocks and LIST_ITEM.match(line)
                                                                 and LIST_ITEM.match(blocks[-1][0]))
        if starts_new or not blocks:
            blocks.append([line])
        else:
            blocks[-1].extend([""] * gap + [line])
        gap = False
    return ["\n".join(b) + "\n" for b in blocks]


BLOCK_MARK = "7.{:08d}7"  # distinct from mathml's marks (9.xxxxxxxx1)
SIGNED = re.compile(r"(?<![\\_^{\w.-])-?\d+\.\d+(?![\w.])")  # a decimal, with a minus sign attached


def _block(text: str) -> str:
    return _table(text) or _templated(text, _render)


def _templated(text: str, render) -> str:
    """``render(text)`` through a cache of templates in which the decimals are placeholders."""
    numbers = SIGNED.findall(text)
    if not numbers:
        return render(text)
    marks = [BLOCK_MARK.format(i) for i in range(1, len(numbers) + 1)]
    pieces = SIGNED.split(text)
    rendered = render("".join(p + m for p, m in zip(pieces, [*marks, ""], strict=True)))
    if any(rendered.count(m) != 1 for m in marks):
        return _MD.render(text) if render is _render else _MD.renderInline(text)
    for mark, number in zip(marks, numbers, strict=True):
        if number.startswith("-") and f"<mn>{mark}</mn>" in rendered:  # as latex2mathml writes -0.5
            rendered = rendered.replace(f"<mn>{mark}</mn>", f"<mo>&#x02212;</mo><mn>{number[1:]}</mn>")
        else:
            rendered = rendered.replace(mark, number)
    return rendered


@lru_cache(maxsize=16384)
def _render(markdown: str) -> str:
    return _MD.render(markdown)


@lru_cache(maxsize=16384)
def _render_inline(markdown: str) -> str:
    return _MD.renderInline(markdown)


TABLE_RULE = re.compile(r"\|(?:\s*-{3,}\s*\|)+")
PIPE = re.compile(r"(?<!\\)\|")


def _table(text: str) -> str | None:
    """A plain pipe table (no alignment) rendered cell by cell, as markdown-it renders it."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) < 2 or not all(line.startswith("|") and line.rstrip().endswith("|") for line in lines):
        return None
    if not TABLE_RULE.fullmatch(lines[1].strip()):
        return None
    header = _cells(lines[0])
    width = len(header)
    if len(_cells(lines[1])) != width:
        return None
    out = ["<table>", "<thead>", "<tr>", *(f"<th>{_cell(c)}</th>" for c in header), "</tr>", "</thead>"]
    if len(lines) > 2:
        out.append("<tbody>")
        for line in lines[2:]:
            cells = (_cells(line) + [""] * width)[:width]
            out += ["<tr>", *(f"<td>{_cell(c)}</td>" for c in cells), "</tr>"]
        out.append("</tbody>")
    return "\n".join([*out, "</table>"]) + "\n"


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.replace("\\|", "|").strip() for c in PIPE.split(inner)]


def _cell(text: str) -> str:
    return _templated(text, _render_inline) if text else ""


def page(markdown: str, title: str, lang: str = "en") -> str:
    """A complete, self-contained HTML page for a Markdown text with LaTeX formulas."""
    lang_tag = "zh-CN" if lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang_tag}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{body(markdown)}</body>\n</html>\n"
    )
