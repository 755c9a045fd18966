"""Markdown with LaTeX to one self-contained HTML page whose formulas are MathML.

Pure: text in, text out. The page needs no network and no script: styles are inline and
every ``$...$`` and ``$$...$$`` becomes MathML (``latex2mathml``, then :func:`polish` for how
Chromium lays it out), which browsers draw natively. A formula the converter cannot read is
shown as its LaTeX source.

Hostile text: what a student (or a roster) wrote enters the Markdown through :func:`literal`,
so it is never read as markup, math or a link. Raw HTML in the Markdown is escaped, and every
piece of HTML markdown-it renders then passes through one sanitising step (:func:`sanitize`,
nh3 with an allow-list of the HTML and MathML we emit), before the page is put together from
the pieces: no script, no event attribute, no URL but an embedded image.
A Content-Security-Policy in each page forbids scripts and remote loads as a second guard.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.etree import ElementTree

import nh3
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
        return polish(convert(latex, display="block" if display else "inline"))
    except Exception:  # noqa: BLE001 - any converter failure shows the source instead
        return f'<code class="math-error">{html.escape(latex)}</code>'


MATHML_NS = "http://www.w3.org/1998/Math/MathML"
CLOSING = {")": "(", "]": "[", "|": "|", "}": "{", "\u27e9": "\u27e8", "\u2016": "\u2016"}
SIGNS = {"\u2212", "-", "+", "\u00b1"}
ROWS = {"math", "mrow", "msqrt", "mstyle", "mtd", "mpadded", "mphantom", "menclose"}  # children in a row
SCRIPTS = {"msub", "msup", "msubsup"}


def polish(markup: str) -> str:
    """latex2mathml's MathML laid out as a reader expects it in a browser.

    - a script on a closing bracket, ``(wx − t)²``, takes the whole bracketed group as its base
      (latex2mathml puts the exponent on the bracket alone, so it floats above it);
    - a sign that starts a row or follows an operator (``= −1.25``) is a prefix operator, drawn
      against its operand instead of spaced like a subtraction;
    - letters spelling a word in a subscript (``h_{1,in}``) or in ``\\mathrm`` are one upright
      identifier, and a subscript's comma is not spaced like a list's.

    >>> polish(convert("(x)^2")).count("<msup><mrow><mo")
    1
    """
    root = ElementTree.fromstring(markup.replace(f' xmlns="{MATHML_NS}"', "", 1))
    for element in list(root.iter()):
        if element.tag in ROWS:
            _group_bracket_bases(element)
    for element in list(root.iter()):
        if element.tag in SCRIPTS and element.tag != "msup" and len(element) > 1:
            _subscript(element[1])
        _words(element, italic=False)
        if element.tag in ROWS:
            _signs(element)
    root.set("xmlns", MATHML_NS)
    return ElementTree.tostring(root, encoding="unicode")


def _text(element: ElementTree.Element, tag: str = "mo") -> str | None:
    return (element.text or "") if element.tag == tag else None


def _group_bracket_bases(row: ElementTree.Element) -> None:
    """Make ``( … )^2`` a script on an mrow of the whole group instead of on the ``)``."""
    i = 0
    while i < len(row):
        script = row[i]
        closing = _text(script[0]) if script.tag in SCRIPTS and len(script) else None
        if closing in CLOSING:
            opening = _opening(row, i, closing)
            if opening is not None:
                group = ElementTree.Element("mrow")
                group.extend([*row[opening:i], script[0]])
                for child in list(row[opening:i]):
                    row.remove(child)
                script.remove(script[0])
                script.insert(0, group)
                i = opening
        i += 1


def _opening(row: ElementTree.Element, end: int, closing: str) -> int | None:
    """The index of the bracket that the ``closing`` bracket at ``end`` closes, among the row's children."""
    depth = 0
    for j in range(end - 1, -1, -1):
        child = row[j]
        text = _text(child[0] if child.tag in SCRIPTS and len(child) else child)
        if text == closing and closing != CLOSING[closing]:
            depth += 1
        elif text == CLOSING[closing]:
            if depth == 0:
                return j
            depth -= 1
    return None


def _subscript(script: ElementTree.Element) -> None:
    """A subscript's letter runs as words (``in``), its commas without a list's spacing."""
    _words(script, italic=True)
    for mo in script.iter("mo"):
        if mo.text == ",":
            mo.attrib.update({"separator": "true", "lspace": "0", "rspace": "0"})


def _words(row: ElementTree.Element, italic: bool) -> None:
    """Merge runs of single-letter identifiers into one: upright ones always, italic ones if ``italic``."""
    i = 0
    while i < len(row):
        run = 0
        variant = row[i].get("mathvariant")
        while (i + run < len(row) and _is_letter(row[i + run]) and row[i + run].get("mathvariant") == variant
               and (italic or variant == "normal")):
            run += 1
        if run > 1:
            row[i].text = "".join(child.text or "" for child in row[i:i + run])
            for child in list(row[i + 1:i + run]):
                row.remove(child)
        i += 1


def _is_letter(element: ElementTree.Element) -> bool:
    text = _text(element, "mi")
    return text is not None and len(text) == 1 and text.isalpha() and not len(element)


def _signs(row: ElementTree.Element) -> None:
    """A sign at the start of a row or after an operator (not a closing bracket) is a prefix."""
    for i, child in enumerate(row):
        if _text(child) in SIGNS and child.get("form") is None:
            before = row[i - 1] if i else None
            if before is None or before.tag == "mspace" or _text(before) not in (None, *CLOSING):
                child.set("form", "prefix")


def _render_math(content: str, options: dict) -> str:
    return mathml(content.strip(), bool(options.get("display_mode")))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    return md.use(dollarmath_plugin, double_inline=True, allow_digits=False, renderer=_render_math)


_MD = _parser()


def body(markdown: str) -> str:
    """The HTML of a Markdown text (without the page around it), sanitised.

    The text is rendered block by block (blocks are separated by blank lines; indented
    lines and list items stay with the block before them), and each block through a cache
    of templates in which its numbers are placeholders (see :func:`_templated`): a class's reports share
    their structure and differ in numbers, so most blocks are rendered once per class.
    A text with fenced code is rendered whole. Whatever markdown-it renders passes through
    :func:`sanitize` before it is cached or put together (numbers are filled into templates
    after it: digits, a point and a sign); the rest of the page is fixed text of this module.
    """
    if "```" in markdown or "~~~" in markdown:
        return sanitize(_MD.render(markdown))
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
# Where a minus is a sign, not a subtraction: at the start of a row, after an operator other than a closing bracket
PREFIX_PLACE = re.compile(r"(?:<mrow>|<math[^>]*>|<mspace[^>]*>(?:</mspace>)?|<mo[^>]*>[^<)\]|}]*</mo>)\Z")
SIGNED = re.compile(r"(?<![\\_^{\w.-])-?\d+\.\d+(?![\w.])")  # a decimal, with a minus sign attached
SIGNED_PARTS = re.compile(f"({SIGNED.pattern})")  # the same, kept by split
# decimals and integers, kept by split (the lookahead first, as a quick test at each place)
NUMBER_PARTS = re.compile(r"((?=[-\d])(?<![\\_^{\w.-])-?\d+(?:\.\d+)?(?![\w.]))")


@lru_cache(maxsize=4096)  # a report's headings, tables and formulas recur across the class
def _block(text: str) -> str:
    return _table(text) or _templated(text, _render)


def _templated(text: str, render) -> str:
    """``render(text)`` through a cache of templates in which the numbers are placeholders.

    A template whose rendering shows each placeholder once is split at them once
    (:func:`_fill_plan`); each text is then its pieces joined with its numbers. Integers are
    placeholders too when every placeholder lands alone in a formula's ``<mn>`` (what the
    number is, 2 or 0.5, then changes nothing around it: Markdown never sees inside a
    formula); otherwise only the decimals are (an integer may be a list's number).
    """
    parts = NUMBER_PARTS.split(text)  # fixed text at even places, the numbers at odd places
    if len(parts) == 1:
        return render(text)
    numbers = parts[1::2]
    parts[1::2] = _marks(len(numbers))
    plan = _fill_plan("".join(parts), len(numbers), render)
    if plan is not None:
        prose = {index for index in plan[2] if "." not in numbers[index]}
        if not prose:
            return _filled(plan, numbers)
        # the integers outside formulas stay as they are written, the other numbers are placeholders
        kept = [n for i, n in enumerate(numbers) if i not in prose]
        marks = iter(_marks(len(kept)))
        parts[1::2] = [n if i in prose else next(marks) for i, n in enumerate(numbers)]
        plan = _fill_plan("".join(parts), len(kept), render)
        if plan is not None and all("." in kept[index] for index in plan[2]):
            return _filled(plan, kept)
    parts = SIGNED_PARTS.split(text)  # the decimals alone
    if len(parts) == 1:
        return render(text)
    numbers = parts[1::2]
    parts[1::2] = _marks(len(numbers))
    plan = _fill_plan("".join(parts), len(numbers), render)
    if plan is None:
        return sanitize(_MD.render(text) if render is _render else _MD.renderInline(text))
    return _filled(plan, numbers)


FillPlan = tuple[tuple[str, ...], tuple[tuple[int, bool, bool], ...], tuple[int, ...]]


def _filled(plan: FillPlan, numbers: list[str]) -> str:
    """A template's fixed pieces joined with the numbers in their slots (see :func:`_fill_plan`)."""
    fixed, slots, _ = plan
    out = [fixed[0]]
    for (index, in_mn, prefix), after in zip(slots, fixed[1:], strict=True):
        number = numbers[index]
        if not in_mn:
            out.append(number)
        elif number[0] == "-":  # as sanitised latex2mathml writes -0.5; a sign after an operator is a prefix
            out += (PREFIX_MINUS if prefix else MINUS, number[1:])
        else:
            out += ("<mn>", number)
        out.append(after)
    return "".join(out)


MINUS, PREFIX_MINUS = "<mo>\u2212</mo><mn>", '<mo form="prefix">\u2212</mo><mn>'


@lru_cache(maxsize=64)
def _marks(count: int) -> tuple[str, ...]:
    return tuple(BLOCK_MARK.format(i) for i in range(1, count + 1))


@lru_cache(maxsize=16384)
def _fill_plan(marked: str, count: int, render) -> FillPlan | None:
    """How to fill ``render(marked)``: its fixed pieces and, between them, which number goes where
    (whether it stands alone in an ``<mn>``, which is dropped from the piece before it, and
    whether a minus sign there is a prefix: after an operator or at the start of a row), and
    the numbers that are not alone in an ``<mn>``.

    None when a placeholder is not shown exactly once (the text is then rendered whole).
    """
    rendered = render(marked)
    marks = _marks(count)
    if any(rendered.count(m) != 1 for m in marks):
        return None
    found = sorted((rendered.index(m), i, f"<mn>{m}</mn>" in rendered) for i, m in enumerate(marks))
    fixed, slots, done = [], [], 0
    for start, index, in_mn in found:
        if start < done:
            return None  # placeholders overlapping in the rendering: nothing to split safely
        before = rendered[done:start]
        fixed.append(before[:-4] if in_mn else before)  # "<mn>" goes out with the number
        slots.append((index, in_mn, in_mn and PREFIX_PLACE.search(rendered, 0, start - 4) is not None))
        done = start + len(marks[index])
    fixed.append(rendered[done:])
    return tuple(fixed), tuple(slots), tuple(index for index, in_mn, _ in slots if not in_mn)


@lru_cache(maxsize=16384)
def _render(markdown: str) -> str:
    return sanitize(_MD.render(markdown))


@lru_cache(maxsize=16384)
def _render_inline(markdown: str) -> str:
    return sanitize(_MD.renderInline(markdown))


TABLE_RULE = re.compile(r"\|(?:\s*-{3,}\s*\|)+")
PIPE = re.compile(r"(?<!\\)\|")


def _table(text: str) -> str | None:
    """A plain pipe table (no alignment) rendered cell by cell, as markdown-it renders it."""
    if not text.startswith("|"):
        return None
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
        out += [_row(line, width) for line in lines[2:]]
        out.append("</tbody>")
    return "\n".join([*out, "</table>"]) + "\n"


@lru_cache(maxsize=16384)  # a right answer's row recurs across a class
def _row(line: str, width: int) -> str:
    """A table's body row as HTML lines, cut or padded to ``width`` cells."""
    cells = (_cells(line) + [""] * width)[:width]
    return "\n".join(["<tr>", *(f"<td>{_cell(c)}</td>" for c in cells), "</tr>"])


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.replace("\\|", "|").strip() for c in PIPE.split(inner)]


@lru_cache(maxsize=16384)  # verdicts, points, answer ids and common answers recur in every table
def _cell(text: str) -> str:
    return _templated(text, _render_inline) if text else ""


# What starts a span, a link, an entity or math (an underscore between letters or digits starts nothing)
INLINE_MARKUP = re.compile(r"([\\`*\[\]<>&$|~]|(?<![^\W_])_|_(?![^\W_]))")
LINE_START = re.compile(r"^(?:[!-/:-@\[\]^{-~]|\d+(?=[.)]))")  # a heading, list, quote, rule or fence marker
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def literal(text: str, code_spans: bool = False) -> str:
    """Markdown that shows ``text`` as written, on one line: never markup, math, a link or an entity.

    Runs of white space, line breaks included, become one space; the characters that could
    start a span, a link, an entity or math are backslash-escaped (CommonMark), and so is a
    line-start marker. With ``code_spans``, backtick-quoted parts (the grader's messages quote
    a student's text that way) stay code spans, whose content Markdown shows as written.

    >>> print(literal("$x$ [a](b) <i>"))
    \\$x\\$ \\[a\\](b) \\<i\\>
    >>> print(literal("# 1. see `q1.w_7`", code_spans=True))
    \\# 1. see `q1.w_7`
    """
    text = " ".join(str(text).split())
    pieces, done = [], 0
    for span in CODE_SPAN.finditer(text) if code_spans else ():
        pieces += [INLINE_MARKUP.sub(r"\\\1", text[done:span.start()]), span.group(0).replace("|", "\\|")]
        done = span.end()
    pieces.append(INLINE_MARKUP.sub(r"\\\1", text[done:]))
    escaped = "".join(pieces)
    return LINE_START.sub(lambda m: m.group(0) + "\\" if m.group(0).isdigit() else "\\" + m.group(0), escaped,
                          count=1)


HTML_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "code",
             "pre", "em", "strong", "ul", "ol", "li", "br", "hr", "blockquote", "img"}
MATHML_TAGS = {"math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
               "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd", "munder", "mover", "munderover", "mpadded",
               "mphantom", "menclose", "merror", "mfenced", "semantics", "annotation"}
MATHML_ATTRIBUTES = {"xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "separators", "lspace",
                     "rspace", "movablelimits", "largeop", "symmetric", "form", "minsize", "maxsize", "accent",
                     "accentunder", "linethickness", "displaystyle", "scriptlevel", "width", "height", "depth",
                     "notation", "columnalign", "columnlines", "columnspacing", "rowalign", "rowlines",
                     "rowspacing", "frame", "open", "close", "encoding"}
EMBEDDED_IMAGE = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: an image's source must be an embedded PNG (nothing is fetched)."""
    if name in ("src", "href"):
        return value if tag == "img" and EMBEDDED_IMAGE.fullmatch(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=HTML_TAGS | MATHML_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"img": {"src", "alt"}, "code": {"class"}, "ol": {"start"},
                **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS}},
    attribute_filter=_attribute,
    url_schemes={"data"},
    url_relative="deny",
    link_rel=None,
)


def sanitize(fragment: str) -> str:
    """An HTML fragment reduced to the allow-listed HTML and MathML tags (the one sanitising step).

    >>> sanitize('<p onclick="x()">a<svg onload="x()"></svg><img src="https://e.example/p.png"></p>')
    '<p>a<img></p>'
    """
    return _CLEANER.clean(fragment)


CSP = ('<meta http-equiv="Content-Security-Policy" '
       "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")


def page(markdown: str, title: str, lang: str = "en") -> str:
    """A complete, self-contained HTML page for a Markdown text with LaTeX formulas (body sanitised)."""
    return _page(body(markdown), title, lang)


def _page(body_html: str, title: str, lang: str) -> str:
    """The page around a body's HTML."""
    lang_tag = "zh-CN" if lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang_tag}">\n<head>\n<meta charset="utf-8">\n{CSP}\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{body_html}</body>\n</html>\n"
    )


# --- Markdown blocks rendered once per class, filled per student ---------------------------------


@dataclass(frozen=True)
class Rendered:
    """Markdown blocks with their HTML already made (see :func:`with_text`)."""

    markdown: str
    html: str


Lines = Sequence["str | Rendered"]


def joined(lines: Lines) -> str:
    """The Markdown of ``lines`` (lines of text and rendered blocks), joined by line breaks."""
    return "\n".join(line if isinstance(line, str) else line.markdown for line in lines)


def page_of(lines: Lines, title: str, lang: str = "en") -> str:
    """:func:`page` of the Markdown :func:`joined` from ``lines``, each :class:`Rendered`'s HTML used as it is.

    The HTML between rendered blocks is :func:`body` of that Markdown. A rendered block must be
    a block of its own in the joined Markdown (see :func:`_blocks`): a blank line before and
    after it, its first line and the first line after it neither indented nor a list item;
    otherwise, or with fenced code anywhere, the whole text is rendered, as :func:`page` does.
    """
    out: list[str] = []
    text: list[str] = []
    written = False  # whether ``text`` has a line that is not blank
    gap, after_rendered = True, False  # at the start or after a blank line; just after a rendered block
    for line in lines:
        if isinstance(line, str):
            if "```" in line or "~~~" in line:
                return page(joined(lines), title, lang)
            text.append(line)
            if not line.strip():
                gap = True
                continue
            if after_rendered and (not gap or line[0].isspace() or LIST_ITEM.match(line)):
                return page(joined(lines), title, lang)
            written, gap, after_rendered = True, line.endswith("\n"), False
            continue
        first = line.markdown.split("\n", 1)[0]
        if (not gap or not first.strip() or first[0].isspace() or LIST_ITEM.match(first)
                or "```" in line.markdown or "~~~" in line.markdown):
            return page(joined(lines), title, lang)
        if written:
            out.append(body("\n".join(text)))
        text, written = [], False
        out.append(line.html)
        gap, after_rendered = line.markdown.endswith("\n"), True
    if written:
        out.append(body("\n".join(text)))
    return _page("".join(out), title, lang)


TEXT_SLOT = "Tqxslotxq"  # where a block's text goes (letters only: Markdown and the number templates leave it be)
# text that Markdown shows as it is, away from a line's start (no space at its ends, where a line's is dropped)
PLAIN_TEXT = re.compile(r"[A-Za-z0-9(),._~-](?:[A-Za-z0-9 (),._~-]*[A-Za-z0-9(),._~-])?")


def with_text(block: str, text: str) -> str | Rendered:
    """Markdown block(s) with ``text`` in place of :data:`TEXT_SLOT`, with their HTML when the text is plain.

    A heading or a line that differs per student only by a name or a file name is rendered once:
    the HTML of ``block`` (its slot once, not at a line's start) with the text put in, which is
    what markdown-it makes of the text, since plain text (letters, digits, spaces and ``(),._~-``)
    is shown as it is there, outside a formula, and needs no escaping or sanitising. Other text
    gives the Markdown alone (rendered with the page).
    """
    filled = block.replace(TEXT_SLOT, text)
    if not PLAIN_TEXT.fullmatch(text):
        return filled
    pieces = _text_template(block)
    return filled if pieces is None else Rendered(filled, text.join(pieces))


@lru_cache(maxsize=1024)
def _text_template(block: str) -> tuple[str, str] | None:
    """The HTML of ``block`` split at its one :data:`TEXT_SLOT`, outside a formula; None if it cannot be."""
    before = block.partition(TEXT_SLOT)[0]
    if block.count(TEXT_SLOT) != 1 or not before.rpartition("\n")[2].strip() or "```" in block or "~~~" in block:
        return None
    rendered = body(block)
    head, _, tail = rendered.partition(TEXT_SLOT)
    if rendered.count(TEXT_SLOT) != 1 or head.count("<math") != head.count("</math>"):
        return None
    return head, tail
