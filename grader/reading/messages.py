"""What a student reads when an answer cannot be parsed, in English and Simplified Chinese.

Pure data plus the caret renderer. :func:`grader.reading.parser.explain` picks a template by the
error's ``message_key`` and fills it with the error's fields; nothing here knows the error
classes, so adding a language means adding one column to :data:`MESSAGES` and :data:`HINTS`.

Placeholders: ``{pos}`` is the 1-based character position; the other names are the error's
fields, already quoted and shortened for display.
"""

from __future__ import annotations

import unicodedata

MESSAGES: dict[str, dict[str, str]] = {
    "EmptyAnswer": {
        "en": "Your answer is empty: please enter a number or a formula.",
        "zh": "答案为空：请输入一个数或一个公式。",
    },
    "TooLong": {
        "en": "Your answer is {length} characters long; at most {limit} characters are allowed.",
        "zh": "答案长 {length} 个字符，最多允许 {limit} 个字符。",
    },
    "UnexpectedCharacter": {
        "en": "Unexpected character {char} at position {pos}:",
        "zh": "第 {pos} 个字符 {char} 无法识别：",
    },
    "UnexpectedToken.operator": {
        "en": "Unexpected {token} at position {pos}: an operator such as +, -, *, / or ^ "
        "is missing before it, or it does not belong there.",
        "zh": "第 {pos} 个字符处的 {token} 不应出现在这里：它前面缺少 +、-、*、/ 或 ^ "
        "之类的运算符，或者它是多余的。",
    },
    "UnexpectedToken.operand": {
        "en": "Unexpected {token} at position {pos}: a number, a variable or '(' is expected here.",
        "zh": "第 {pos} 个字符处的 {token} 不应出现在这里：此处应为一个数、一个变量或“(”。",
    },
    "UnexpectedEnd": {
        "en": "Your answer ends too early: a number, a variable or '(' is missing at the end.",
        "zh": "答案不完整：末尾缺少一个数、一个变量或“(”。",
    },
    "UnbalancedParenthesis.unclosed": {
        "en": "The {char} at position {pos} is never closed: a matching {partner} is missing.",
        "zh": "第 {pos} 个字符处的 {char} 没有闭合：缺少与之配对的 {partner}。",
    },
    "UnbalancedParenthesis.unopened": {
        "en": "The {char} at position {pos} has no matching {partner} before it.",
        "zh": "第 {pos} 个字符处的 {char} 前面没有与之配对的 {partner}。",
    },
    "UnknownName": {
        "en": "{name} is not part of this problem; you may use {allowed}.",
        "zh": "{name} 不属于本题；可以使用的变量有：{allowed}。",
    },
    "UnknownName.none": {
        "en": "{name} is not part of this problem; this answer may not contain variables.",
        "zh": "{name} 不属于本题；本题的答案不能包含变量。",
    },
    "UnknownFunction": {
        "en": "{name} is not a function you may use here; the allowed functions are {allowed}.",
        "zh": "这里不能使用函数 {name}；允许使用的函数有：{allowed}。",
    },
    "MissingArgument": {
        "en": "The function {function} at position {pos} must be followed by its argument "
        "in parentheses, for example {example}.",
        "zh": "第 {pos} 个字符处的函数 {function} 后面必须用括号写出自变量，例如 {example}。",
    },
    "AmbiguousTimes": {
        "en": "{letter} between two numbers at position {pos} is ambiguous because {letter} is "
        "a variable of this problem; write * or × for a multiplication.",
        "zh": "第 {pos} 个字符处两个数之间的 {letter} 有歧义，因为 {letter} 是本题的变量；"
        "表示乘法请写 * 或 ×。",
    },
    "TooDeep": {
        "en": "Your answer is nested too deeply (more than {limit} levels of parentheses, "
        "signs or powers); please simplify it.",
        "zh": "答案嵌套过深（括号、正负号或乘方超过 {limit} 层）；请化简后再输入。",
    },
    "NumberTooLarge": {
        "en": "The number {literal} at position {pos} is too long or too large: numbers may "
        "have at most {max_digits} digits and must lie between 10^-{max_exponent} "
        "and 10^{max_exponent}.",
        "zh": "第 {pos} 个字符处的数 {literal} 太长或太大：数最多可有 {max_digits} 位数字，"
        "且必须介于 10^-{max_exponent} 与 10^{max_exponent} 之间。",
    },
    "ExponentTooLarge": {
        "en": "The power at position {pos} is too large to compute: its value would lie "
        "beyond 10^{limit} (or below 10^-{limit}).",
        "zh": "第 {pos} 个字符处的乘方太大，无法计算：其值会超过 10^{limit}"
        "（或小于 10^-{limit}）。",
    },
    "DegreeTooHigh": {
        "en": "The exponent at position {pos} is too large: powers of variables may have "
        "degree at most {limit}.",
        "zh": "第 {pos} 个字符处的指数太大：变量的乘方次数最多为 {limit}。",
    },
    "PowerTooComplex": {
        "en": "The power or root at position {pos} is too complicated to compute exactly; "
        "please use a simpler exponent or fewer digits.",
        "zh": "第 {pos} 个字符处的乘方或开方太复杂，无法精确计算；请使用更简单的指数或更少的数字。",
    },
    "NotANumber": {
        "en": "A number is expected here, but {name} at position {pos} is a variable; "
        "please enter the numerical value.",
        "zh": "这里需要一个数，但第 {pos} 个字符处的 {name} 是变量；请输入具体数值。",
    },
    "NonFinite.inf": {
        "en": "Your answer is infinite or too large to be represented; a finite number "
        "is expected.",
        "zh": "答案为无穷大或大到无法表示；这里需要一个有限的数。",
    },
    "NonFinite.nan": {
        "en": "Your answer is undefined (for example 0/0, or the logarithm or square root of "
        "a negative number); a finite number is expected.",
        "zh": "答案无定义（例如 0/0，或负数的对数或平方根）；这里需要一个有限的数。",
    },
}
"""Message templates by ``message_key`` and language."""

HINTS: dict[str, dict[str, str]] = {
    "=": {
        "en": "Enter only the value or the formula, without '='.",
        "zh": "只需输入数值或公式，不要写“=”。",
    },
    ",": {
        "en": "A comma is only allowed as a decimal comma between digits, as in 0,5.",
        "zh": "逗号只能作为数字之间的小数点使用，例如 0,5。",
    },
    "[": {
        "en": "Use round parentheses ( ) for grouping.",
        "zh": "请用圆括号 ( ) 分组。",
    },
    "'": {
        "en": "Quotation marks are not needed.",
        "zh": "不需要引号。",
    },
    "%": {
        "en": "Write percentages as numbers, e.g. 0.05 instead of 5%.",
        "zh": "百分数请写成小数，例如用 0.05 代替 5%。",
    },
}
"""Extra advice after an unexpected character, by character."""

for _same, _as in (("]", "["), ("{", "["), ("}", "["), ('"', "'"), ("`", "'")):
    HINTS[_same] = HINTS[_as]

LIST_SEPARATOR = {"en": ", ", "zh": "、"}

SNIPPET_WIDTH = 70
"""Longest stretch of the answer shown above the caret."""

SNIPPET_CONTEXT = 25
"""Characters shown on each side of the offending spot when the answer is long."""


def describe_char(char: str) -> str:
    """Quote one character for a message, naming invisible or control characters.

    >>> describe_char("$"), describe_char("\\u202e")
    ("'$'", 'U+202E (RIGHT-TO-LEFT OVERRIDE)')
    """
    if _is_visible(char) and char != " ":
        return f"'{char}'"
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code


def quote(text: str, limit: int = 40) -> str:
    """Backtick-quote a piece of the answer, shortened and with invisible characters replaced."""
    shown = "".join(_shown(c)[0] for c in text[:limit])
    return f"`{shown}…`" if len(text) > limit else f"`{shown}`"


def render_snippet(text: str, start: int, end: int) -> str:
    """Two indented lines: (a window of) the answer and carets under ``text[start:end]``.

    >>> print(render_snippet("0.5$2", 3, 4))
      0.5$2
         ^
    """
    start = max(0, min(start, len(text)))
    end = max(start + 1, min(end, len(text)))
    lo, hi = 0, len(text)
    if len(text) > SNIPPET_WIDTH:
        lo = max(0, start - SNIPPET_CONTEXT)
        hi = min(len(text), lo + SNIPPET_WIDTH, max(end, start + 1) + SNIPPET_CONTEXT)
    line, marks = ["…"] if lo > 0 else [], [" "] if lo > 0 else []
    for index in range(lo, hi):
        shown, width = _shown(text[index])
        line.append(shown)
        marks.append(("^" if start <= index < end else " ") * width)
    if start >= len(text):
        marks.append("^")
    if hi < len(text):
        line.append("…")
    return "  " + "".join(line).rstrip() + "\n  " + "".join(marks).rstrip()


def _is_visible(char: str) -> bool:
    category = unicodedata.category(char)
    return not (category[0] in "CZ" and char != " ") and category not in ("Mn", "Me")


def _shown(char: str) -> tuple[str, int]:
    """How one character is drawn in a snippet, and how many columns it takes."""
    if char in "\t\n\r" or unicodedata.category(char) == "Zs":
        return " ", 1
    if not _is_visible(char):
        return "\ufffd", 1
    return char, 2 if unicodedata.east_asian_width(char) in "WF" else 1
