"""Answer sheets: the plain-text file a student fills in, and a forgiving reader for it.

Pure: text (or bytes) in, data out. A sheet looks like this::

    # Answer sheet: hw1, Gradient descent by hand
    student: s001
    assignment: hw1

    q1.pred_1 = 0
    q1.E_1: 0.5            # '=' or ':' both work; comments start with '#'
    q1.dE_dw_expr = x*(w*x - t)

Reading forgives what students type: ``id = value`` or ``id: value`` (full-width ``：`` and
``＝`` too), any spacing, upper or lower case ids, an unqualified id (``E_1``) when only one
question has it, quotes around a value, a missing separator (``q1.E_1 0.5``). A line that
still cannot be read costs that answer only: it is reported with its line number and the
rest of the sheet is graded. An answer given twice with different values is graded as
invalid (the student must say which one they mean).
"""

from __future__ import annotations

import codecs
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar, cast

from grader.core.compare import Tolerance, allowed_error
from grader.core.evaluate import update_baseline
from grader.core.family import Answer, Derivation
from grader.core.grading import Expected
from grader.core.kinds import is_number
from grader.core.mistakes import significant_figures
from grader.core.statement import precision
from grader.course.assignment import Assignment, FamilyQuestion, asked_answers
from grader.course.question_kinds import question_kind
from grader.text.messages import localized

MAX_BYTES = 1_000_000  # an answer sheet is a few kilobytes; anything far larger is not one
MAX_VALUE = 1_000  # characters in one answer
T = TypeVar("T")
HEADERS = {"student": "student", "student_id": "student", "id": "student", "assignment": "assignment"}

MESSAGES: dict[str, dict[str, str]] = {
    "not_understood": {
        "en": "line {line}: not read as an answer; write `id = value`, e.g. `{example} = 0.75`.",
        "zh": "第 {line} 行:无法识别为答案;请写成 `编号 = 值`,例如 `{example} = 0.75`。",
    },
    "unknown_id": {
        "en": "line {line}: `{id}` is not an answer of this assignment.{hint}",
        "zh": "第 {line} 行:`{id}` 不是本次作业的答案编号。{hint}",
    },
    "did_you_mean": {"en": " Did you mean `{id}`?", "zh": "你是不是想写 `{id}`?"},
    "ambiguous_id": {
        "en": "line {line}: `{id}` is asked in several questions; write it with its question, e.g. `{example}`.",
        "zh": "第 {line} 行:多道题都有 `{id}`;请带上题号,例如 `{example}`。",
    },
    "conflict": {
        "en": "`{id}` is given {count} times with different values (lines {lines}); it is not graded. "
              "Keep one line per answer.",
        "zh": "`{id}` 出现了 {count} 次且数值不同(第 {lines} 行),因此不予评分。每个答案只写一行。",
    },
    "too_long": {
        "en": "line {line}: the answer to `{id}` is {length} characters long; at most {limit} are read.",
        "zh": "第 {line} 行:`{id}` 的答案有 {length} 个字符;最多读取 {limit} 个。",
    },
    "header_twice": {
        "en": "line {line}: a second `{header}:` line with another value ({value}); the first one counts.",
        "zh": "第 {line} 行:又出现了一行 `{header}:`,值不同({value});以第一行为准。",
    },
    "encoding_gb18030": {
        "en": "The file is not UTF-8; it was read as GB18030. Please save answer sheets as UTF-8.",
        "zh": "文件不是 UTF-8 编码,已按 GB18030 读取。请将答题纸保存为 UTF-8。",
    },
    "encoding_replaced": {
        "en": "The file is not valid UTF-8: {count} unreadable byte(s) (first on line {line}) were "
              "replaced; an answer on such a line may be unreadable. Please save answer sheets as UTF-8.",
        "zh": "文件不是有效的 UTF-8:{count} 个无法识别的字节(第一个在第 {line} 行)已被替换;"
              "这些行上的答案可能无法读取。请将答题纸保存为 UTF-8。",
    },
    "no_sheet": {"en": "No answer sheet was handed in, only code.", "zh": "只交了代码,没有交答题纸。"},
    "sheet_code": {"en": "Question {id} is a code exercise: hand in {file}",
                   "zh": "第 {id} 题是代码练习:请提交 {file}"},
    "sheet_title": {"en": "Answer sheet: {id}, {title}", "zh": "答题纸:{id},{title}"},
    "sheet_howto": {
        "en": "Write each answer after its '=' sign, one answer per line. Lines starting with '#' are\n"
              "comments. Numbers like 0.75, -1.5e-3 or 3/4; formulas like x*(w*x - t). Leave an\n"
              "answer empty to skip it. Do not change the student and assignment lines.",
        "zh": "在每个 '=' 后面写答案,每行一个答案。以 '#' 开头的行是注释。数字可写成 0.75、-1.5e-3\n"
              "或 3/4;公式可写成 x*(w*x - t)。不会的题留空即可。不要修改 student 和 assignment 两行。",
    },
    "sheet_question": {"en": "Question {id}", "zh": "第 {id} 题"},
    "sheet_formula": {"en": "{id}: a formula in {symbols}", "zh": "{id}:用 {symbols} 写出的公式"},
    "sheet_choice": {"en": "{id}: one of {options}", "zh": "{id}:从 {options} 中选一个"},
    "judge_numbers": {"en": "Numbers are accepted within {tolerance} of the exact value.",
                      "zh": "数值答案与精确值比较,允许误差为{tolerance}。"},
    "judge_figures": {"en": "Numbers are accepted when they agree with the exact value to {digits} "
                            "significant figures.",
                      "zh": "数值答案与精确值在 {digits} 位有效数字上一致即为正确。"},
    "judge_own": {"en": "{ids}: within {tolerance}.", "zh": "{ids}:允许误差为{tolerance}。"},
    "judge_own_figures": {"en": "{ids}: to {digits} significant figures.", "zh": "{ids}:{digits} 位有效数字。"},
    "judge_updates": {
        "en": "{ids}: an update is judged by its step (new value − old value), not by the new value: the step must "
              "be within the tolerance of the right step, so keep enough digits in the new value for its step.",
        "zh": "{ids}:更新按步长(新值 − 旧值)评判,而不是按新值本身:步长与正确步长之差须在允许误差之内,"
              "因此新值要保留足够的位数,使步长准确。",
    },
    "judge_formulas": {"en": "{ids}: a formula is right when it equals the right one; any equivalent form is accepted.",
                       "zh": "{ids}:公式与正确公式相等即为正确,任何等价写法都可以。"},
    "judge_digits": {"en": "Give numeric answers to at least {digits} significant figures.",
                     "zh": "数值答案至少保留 {digits} 位有效数字。"},
    "judge_own_digits": {"en": "Give {ids} to at least {digits} significant figures.",
                         "zh": "{ids} 至少保留 {digits} 位有效数字。"},
    "judging": {"en": "How answers are judged", "zh": "评分方式"},
    "asked_here": {"en": "**Asked in this assignment** (the lines of your answer sheet): {ids}; the other "
                         "quantities above are steps on the way and are not graded.",
                   "zh": "**本次作业要求作答**(即答题纸上的各行):{ids};上面列出的其他量是中间步骤,不计分。"},
}


def sheet_message(key: str, lang: str = "en", **fields: object) -> str:
    """A message of this module in ``lang`` (en or zh) with its fields filled."""
    return localized(MESSAGES, key, lang, **fields)


@dataclass(frozen=True)
class Problem:
    """Something on a sheet that could not be used, as a message key and its fields.

    ``answer`` is ``(question, answer id)`` when the problem costs a known answer.
    """

    line: int
    key: str
    fields: tuple[tuple[str, object], ...] = ()
    answer: tuple[str, str] | None = None

    def text(self, lang: str = "en") -> str:
        """The problem in words."""
        fields = dict(self.fields)
        if "hint" in fields and isinstance(fields["hint"], tuple):
            fields["hint"] = sheet_message(fields["hint"][0], lang, id=fields["hint"][1])
        return sheet_message(self.key, lang, line=self.line, **fields)


@dataclass(frozen=True)
class Sheet:
    """What a sheet says: its headers, its answers per question, and the lines it lost.

    ``answers`` maps question id to answer id to the raw text given. ``invalid`` holds the
    answers that were given but cannot be graded (conflicting duplicates, over-long
    values), each with its problem.
    """

    student: str | None
    assignment: str | None
    answers: Mapping[str, Mapping[str, str]]
    problems: tuple[Problem, ...] = ()
    invalid: Mapping[tuple[str, str], Problem] = field(default_factory=dict)
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """True when the sheet has no answer at all (blank lines, comments and headers only)."""
        return not any(self.answers.values()) and not self.invalid and not any(
            p.key in ("not_understood", "unknown_id", "ambiguous_id") for p in self.problems
        )


@dataclass(frozen=True)
class Decoded:
    """A file's bytes as text, or why they are not an answer sheet.

    ``reason`` is ``"binary"`` or ``"too_large"`` when ``text`` is None; ``note`` is a
    :class:`Problem` about the encoding when the text was recovered from non-UTF-8 bytes.
    """

    text: str | None
    reason: str | None = None
    note: Problem | None = None


# --- reading ----------------------------------------------------------------------------

def decode(data: bytes, size: int | None = None) -> Decoded:
    """Bytes of a submitted file as text: UTF-8 (with or without BOM), UTF-16 with a BOM,
    GB18030 (Chinese Windows), else UTF-8 with the unreadable bytes replaced and noted.

    ``size`` is the file's full size when ``data`` holds only its first bytes.

    >>> decode("q1.w_1 = 0.5".encode()).text
    'q1.w_1 = 0.5'
    >>> decode(bytes(range(256))).reason
    'binary'
    """
    if (size if size is not None else len(data)) > MAX_BYTES:
        return Decoded(None, "too_large")
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _text_or_binary(data.decode(codec))
            except UnicodeDecodeError:
                break
    try:
        return _text_or_binary(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        first_bad = error.start
    if _looks_binary(data):
        return Decoded(None, "binary")
    try:  # Chinese Windows ("ANSI" = GBK): common characters are all in GB2312, both bytes >= 0xA1,
        data.decode("gb2312")  # which Latin-1 accents followed by ASCII letters never are
        text = data.decode("gb18030")
        if re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text):
            return _text_or_binary(text, Problem(0, "encoding_gb18030"))
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    line = data[:first_bad].count(b"\n") + 1
    note = Problem(line, "encoding_replaced", (("count", text.count("\ufffd")),))
    return _text_or_binary(text, note)


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 5 % control characters other than whitespace."""
    if b"\x00" in data:
        return True
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls > 0.05 * max(len(data), 1)


# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F) other than tab,
# line feed, form feed and carriage return
CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _text_or_binary(text: str, note: Problem | None = None) -> Decoded:
    controls = len(CONTROLS.findall(text))
    if "\x00" in text or controls > 0.05 * max(len(text), 1):
        return Decoded(None, "binary")
    return Decoded(text, note=note)


SEPARATOR = re.compile(r"\s*(?:[:=：＝]\s*)+")
QUOTES = ("\"\"", "''", "``", "“”", "‘’", "「」")
OPENING_QUOTES = frozenset(pair[0] for pair in QUOTES)


def parse_sheet(text: str, questions: Mapping[str, Sequence[str]]) -> Sheet:
    """Read a sheet's text; ``questions`` maps each question id to the answer ids it asks.

    >>> s = parse_sheet("student: s1\\nq1.w_1 = 0.5\\nE_1: 1/8 # a comment", {"q1": ["w_1", "E_1"]})
    >>> s.student, dict(s.answers["q1"])
    ('s1', {'w_1': '0.5', 'E_1': '1/8'})
    """
    ids = _ids(questions)
    headers: dict[str, tuple[int, str]] = {}
    given: dict[tuple[str, str], list[tuple[int, str]]] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().strip("\ufeff")
        if not line:
            continue
        key, value = _split(line, ids)
        header = ids.header(key) if key is not None else None
        if header:
            if header in headers and headers[header][1] != value:
                problems.append(Problem(number, "header_twice", (("header", header), ("value", value))))
            headers.setdefault(header, (number, value))
            continue
        if key is None:
            problems.append(Problem(number, "not_understood", (("example", ids.example),)))
            continue
        found = ids.find(key)
        if isinstance(found, Problem):
            problems.append(Problem(number, found.key, found.fields))
            continue
        if value:
            given.setdefault(found, []).append((number, value))
    answers: dict[str, dict[str, str]] = {q: {} for q in questions}
    invalid: dict[tuple[str, str], Problem] = {}
    first_lines = {qa: values[0][0] for qa, values in given.items()}
    for (q, a), values in sorted(given.items(), key=lambda item: item[1][0][0]):
        label = f"{q}.{a}"
        if len({v for _, v in values}) > 1:
            lines = ", ".join(str(n) for n, _ in values)
            invalid[q, a] = Problem(values[0][0], "conflict",
                                    (("id", label), ("count", len(values)), ("lines", lines)), (q, a))
        elif len(values[0][1]) > MAX_VALUE:
            invalid[q, a] = Problem(values[0][0], "too_long",
                                    (("id", label), ("length", len(values[0][1])), ("limit", MAX_VALUE)), (q, a))
        else:
            answers[q][a] = values[0][1]
    problems.extend(invalid.values())
    problems.sort(key=lambda p: p.line)
    return Sheet(headers.get("student", (0, None))[1], headers.get("assignment", (0, None))[1],
                 answers, tuple(problems), invalid, first_lines)


def _normal(text: str) -> str:
    """Full-width letters, digits and punctuation as ASCII; spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _split(line: str, ids: _Ids) -> tuple[str | None, str]:
    """A line as (key, value); a key of None when the line has no recognisable key."""
    match = SEPARATOR.search(line)
    if match and match.start() > 0:
        return line[:match.start()].strip(), _unquote(line[match.end():].strip())
    first, _, rest = line.partition(" ")
    known = _normal(first).lower() in HEADERS or not isinstance(ids.find(first), Problem)
    if rest.strip() and known:
        return first, _unquote(rest.strip())
    return None, ""


def _unquote(value: str) -> str:
    if len(value) < 2 or value[0] not in OPENING_QUOTES:
        return value
    for pair in QUOTES:
        if len(value) >= 2 and value[0] == pair[0] and value[-1] == pair[1]:
            return value[1:-1].strip()
    return value


_IDS: dict[tuple, _Ids] = {}
_IDS_MAX = 100  # answer-id tables; a class run reads every sheet with one
_MEMO_MAX = 10_000  # keys remembered per table (a sheet's keys are mostly the same as the last one's)


def _ids(questions: Mapping[str, Sequence[str]]) -> _Ids:
    """The answer-id table of ``questions``, made once for all the sheets of a class."""
    signature = tuple((q, tuple(answers)) for q, answers in questions.items())
    found = _IDS.get(signature)
    if found is None:
        if len(_IDS) >= _IDS_MAX:
            _IDS.clear()
        found = _IDS[signature] = _Ids(questions)
    return found


class _Ids:
    """The answer ids of an assignment, found forgivingly; each key typed is looked up once."""

    def __init__(self, questions: Mapping[str, Sequence[str]]) -> None:
        self._found: dict[str, tuple[str, str] | Problem] = {}
        self._headers: dict[str, str | None] = {}
        self.exact = {f"{q}.{a}": (q, a) for q, answers in questions.items() for a in answers}
        self.folded: dict[str, list[tuple[str, str]]] = {}
        self.bare: dict[str, list[tuple[str, str]]] = {}
        for label, qa in self.exact.items():
            self.folded.setdefault(label.lower(), []).append(qa)
            self.bare.setdefault(qa[1].lower(), []).append(qa)
        self.example = next(iter(self.exact), "q1.answer")

    def header(self, key: str) -> str | None:
        """The header a key names (``student`` or ``assignment``), or None."""
        found = self._headers.get(key, "")
        if found == "":
            if len(self._headers) >= _MEMO_MAX:
                self._headers.clear()
            found = self._headers[key] = HEADERS.get(_normal(key).replace(" ", "_").lower())
        return found

    def find(self, key: str) -> tuple[str, str] | Problem:
        """The (question, answer) a key names, or the problem with it (line number 0)."""
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= _MEMO_MAX:
                self._found.clear()
            found = self._found[key] = self._find(key)
        return found

    def _find(self, key: str) -> tuple[str, str] | Problem:
        key = re.sub(r"\s*\.\s*", ".", _normal(key)).strip("`*_ ")
        if key in self.exact:
            return self.exact[key]
        for table, text in ((self.folded, key.lower()), (self.bare, key.lower())):
            found = table.get(text, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return Problem(0, "ambiguous_id", (("id", key), ("example", ".".join(found[0]))))
        close = difflib.get_close_matches(key, list(self.exact), n=1, cutoff=0.75)
        hint = ("did_you_mean", close[0]) if close else ""
        return Problem(0, "unknown_id", (("id", key[:60]), ("hint", hint)))


# --- writing ----------------------------------------------------------------------------

def code_file(assignment: Assignment, student: str, question: str) -> str:
    """The name a student's file for a question handed in as a file of its own (a code question)
    must have: ``<id>.py`` when the assignment has one such question, else ``<id>_<question>.py``."""
    own_files = [q for q in assignment.questions if question_kind(q).own_file]
    return f"{student}.py" if len(own_files) == 1 else f"{student}_{question}.py"


def asked_statement(question: FamilyQuestion, statement: str) -> str:
    """A family's statement cut down to the answers the question asks.

    A family's statement ends with its numbered list of every answer; when the question asks
    only some, that list is replaced by one line per solution step naming the asked answers.
    """
    if question.settings.selected is None:
        return statement
    lines = statement.rstrip("\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.startswith("1. ")), len(lines))
    steps: dict[str, list[str]] = {}
    for answer in asked_answers(question):
        steps.setdefault(answer.step, []).append(f"`{answer.id}`")
    listed = [f"{n}. {step}: {', '.join(ids)}" for n, (step, ids) in enumerate(steps.items(), 1)]
    return "\n".join(lines[:first] + listed) + "\n"


def asked_ids(assignment: Assignment) -> dict[str, tuple[str, ...]]:
    """The answer ids each question asks on the sheet (what :func:`parse_sheet` needs); a question
    asking none there (a code question) is left out."""
    asked = {q.id: question_kind(q).sheet_ids(q) for q in assignment.questions}
    return {q: ids for q, ids in asked.items() if ids}


def judging_rules(question: FamilyQuestion, lang: str = "en", expected: Expected | None = None,
                  quote: str = "", formulas: bool = True) -> list[str]:
    """How a question's answers are judged, one sentence each: the tolerance of numbers (and of
    the answers that have their own), updates by their step, formulas by equivalence.

    Without ``expected`` the rules are the assignment's, the same for every student (the answer
    sheet); with it, a tolerance this variant tightens (the seed's own numbers) is the tighter one.
    ``quote`` goes around answer ids (a backtick in Markdown); ``formulas`` False leaves out the
    rule for formulas (where they are asked as a value, as in Moodle).
    """
    settings = question.settings
    answers = asked_answers(question)
    numeric = [a.id for a in answers if is_number(a)]

    def ids(names: Sequence[str]) -> str:
        return ", ".join(f"{quote}{n}{quote}" for n in names)

    lines = []
    if numeric:
        lines.append(_tolerance_text(settings.tolerance, lang, "judge_numbers", "judge_figures"))
        own: dict[Tolerance, list[str]] = {}
        for a in numeric:
            tolerance = _tolerance(question, a, expected)
            if tolerance != settings.tolerance:
                own.setdefault(tolerance, []).append(a)
        lines += [_tolerance_text(t, lang, "judge_own", "judge_own_figures", ids=ids(names))
                  for t, names in own.items()]
        updates = _updates(question, numeric)
        if updates:
            lines.append(sheet_message("judge_updates", lang, ids=ids(updates)))
    for kind, rule in JUDGING_RULES.items():
        named = [a.id for a in answers if a.kind == kind]
        if named and (formulas or rule != "judge_formulas"):
            lines.append(sheet_message(rule, lang, ids=ids(named)))
    return lines


def judging_note(question: FamilyQuestion, expected: Expected, lang: str = "en", formulas: bool = True) -> str:
    """A problem statement's closing paragraph (Markdown): how the question's answers are judged and
    the significant figures its numbers need.

    The figures are the same for every student of the question: they come from the tolerances,
    never from this variant's values. Updates (judged by their step) and answers with an absolute
    tolerance get no count of figures, since one would tell the size of the step or of the key;
    their rules say what is judged instead. A drawn variant's note is the question's (its
    tolerances are the question's), made once per question and language.
    """
    if expected.variant.key is not None:
        return _per_question(question, ("judging_note", lang, formulas),
                             lambda: _judging_note(question, expected, lang, formulas))
    return _judging_note(question, expected, lang, formulas)


def _judging_note(question: FamilyQuestion, expected: Expected, lang: str, formulas: bool) -> str:
    lines = judging_rules(question, lang, expected, "`", formulas)
    numeric = [a.id for a in asked_answers(question) if is_number(a)]
    if numeric:
        default = significant_figures(1.0, allowed_error(1.0, question.settings.tolerance))
        figures: dict[int, list[str]] = {}
        for a in numeric:
            needed = _figures(question, expected, a)
            if needed is not None:
                figures.setdefault(needed, []).append(a)
        lines.append(sheet_message("judge_digits", lang, digits=default))
        lines += [sheet_message("judge_own_digits", lang, digits=d, ids=", ".join(f"`{a}`" for a in names))
                  for d, names in sorted(figures.items()) if d > default]
    return f"**{sheet_message('judging', lang)}**\n\n" + "\n".join(f"- {line}" for line in lines) + "\n"


def problem_statement(question: FamilyQuestion, expected: Expected, lang: str = "en", formulas: bool = True,
                      asked_only: bool = False) -> str:
    """A question's statement with its variant's numbers, closed by :func:`judging_note` in place of the
    family's sentence about the default tolerance; ``asked_only`` cuts its list down to the asked answers
    (as the nbgrader notebook shows it), else a question asking only some answers names them
    under the list (:func:`asked_note`)."""
    params = expected.variant.params
    family = expected.variant.family
    text = family.statement(params, lang).removesuffix(precision(family, params, lang))
    if asked_only:
        text = asked_statement(question, text)
    elif len(asked_answers(question)) < len(family.answers):
        text = text.strip() + "\n\n" + asked_note(question, lang)
    return text.strip() + "\n\n" + judging_note(question, expected, lang, formulas)


def asked_note(question: FamilyQuestion, lang: str = "en") -> str:
    """The sentence under a family's full list that names the answers a question asks (when it
    asks only some), so that a student knows which lines of the statement are graded."""
    return sheet_message("asked_here", lang, ids=", ".join(f"`{a.id}`" for a in asked_answers(question)))


def _tolerance(question: FamilyQuestion, answer_id: str, expected: Expected | None) -> Tolerance:
    tolerance = question.settings.tolerance_for(answer_id)
    return tolerance if expected is None else expected.tolerance(answer_id, tolerance)


def _tolerance_text(tolerance: Tolerance, lang: str, within: str, figures: str, **fields: object) -> str:
    if tolerance.mode == "sigfigs":
        return sheet_message(figures, lang, digits=int(tolerance.value), **fields)
    return sheet_message(within, lang, tolerance=tolerance.describe(lang), **fields)


def _updates(question: FamilyQuestion, numeric: Sequence[str]) -> list[str]:
    """The numeric answers that update a quantity (judged by their step)."""
    derivation = question.family.derivation()
    return [a for a in numeric if update_baseline(derivation, a) is not None]


def _figures(question: FamilyQuestion, expected: Expected, answer_id: str) -> int | None:
    """The significant figures an answer needs under a relative tolerance or significant figures
    (the worst leading digit, the same for every key); None for an update or an absolute
    tolerance, whose count would depend on this variant's values."""
    tolerance = _tolerance(question, answer_id, expected)
    if tolerance.mode == "absolute" or update_baseline(expected.variant.family.derivation(), answer_id) is not None:
        return None
    return significant_figures(1.0, allowed_error(1.0, tolerance))


def _formula_note(derivation: Derivation, answer: Answer, lang: str) -> str:
    return sheet_message("sheet_formula", lang, id=answer.id, symbols=", ".join(derivation.usable(answer.id)))


def _choice_note(derivation: Derivation, answer: Answer, lang: str) -> str:
    return sheet_message("sheet_choice", lang, id=answer.id, options=", ".join(answer.options))


# The answer kinds' presentation on a sheet, by kind name; a kind missing here is written as a
# number is: no note above its line, no rule of its own.
SHEET_NOTES: dict[str, Callable[[Derivation, Answer, str], str]] = {"symbolic": _formula_note, "choice": _choice_note}
JUDGING_RULES: dict[str, str] = {"symbolic": "judge_formulas"}


def answer_sheet(assignment: Assignment, student: str, lang: str | None = None) -> str:
    """The blank answer sheet of one student (the same for every student but the header)."""
    lang = lang or assignment.lang
    out = [f"# {sheet_message('sheet_title', lang, id=assignment.id, title=assignment.title)}"]
    out += [f"# {line}" for line in sheet_message("sheet_howto", lang).splitlines()]
    out += [f"student: {student}", f"assignment: {assignment.id}"]
    for question in assignment.questions:
        out += question_kind(question).sheet_lines(question, lang, code_file(assignment, student, question.id))
    return "\n".join(out) + "\n"


def family_sheet_lines(question: FamilyQuestion, lang: str) -> list[str]:
    """A family question's part of the answer sheet (the same for every student)."""
    return _per_question(question, ("sheet_lines", lang), partial(_sheet_lines, question, lang))


def _sheet_lines(question: FamilyQuestion, lang: str) -> list[str]:
    """A family question's part of the answer sheet: its rules, then a line per asked answer."""
    out = ["", f"# {sheet_message('sheet_question', lang, id=question.id)}"]
    derivation = question.family.derivation()
    out.append(f"# {sheet_message('judging', lang)}:")
    out += [f"#   {line}" for line in judging_rules(question, lang)]
    for answer in asked_answers(question):
        note = SHEET_NOTES.get(answer.kind)
        if note is not None:
            out.append(f"# {note(derivation, answer, lang)}")
        out.append(f"{question.id}.{answer.id} = ")
    return out


_PER_QUESTION: dict[tuple, tuple[FamilyQuestion, object]] = {}
_PER_QUESTION_MAX = 1_000  # entries; a class run parses its assignment once per chunk


def _per_question(question: FamilyQuestion, what: tuple, make: Callable[[], T]) -> T:
    """``make()`` remembered for one question object: text that is the same for every student."""
    key = (id(question), *what)
    found = _PER_QUESTION.get(key)
    if found is None or found[0] is not question:
        if len(_PER_QUESTION) >= _PER_QUESTION_MAX:
            _PER_QUESTION.clear()
        found = _PER_QUESTION[key] = (question, make())
    return cast(T, found[1])
