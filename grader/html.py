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
math[display="block"] { margin: 0.6rem 0; overflow-x: auto; }
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
    """The HTML of a Markdown text (without the page around it)."""
    return _MD.render(markdown)


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
