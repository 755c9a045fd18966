"""What the learner and the instructor read: formulas set as mathematics, the class summary in words.

The MathML is read back as XML and checked for the structure a browser needs (the browser
test, test_pages_browser.py, measures the laid-out result); the summary's alt text is checked
against the scores in gradebook.json, binned here by hand.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from grader import quiz
from grader.cli import main
from grader.course.item_analysis import TEXT, analyse, item_plot
from grader.course.rows import STATUSES
from grader.course.summary import SUMMARY_TEXT, status_text
from grader.text.html import body, mathml
from grader.text.messages import MISTAKE_NAMES, MISTAKES, mistake_text
from tests.test_instructor import EXAMPLES
from tests.test_item_analysis import CLASS

MINUS = "\u2212"


def tree(markup: str) -> ElementTree.Element:
    return ElementTree.fromstring(re.sub(r' xmlns="[^"]*"', "", markup))


def text(element: ElementTree.Element) -> str:
    return "".join(element.itertext())


@pytest.mark.parametrize("latex", [r"(wx-t)^2", r"\frac{1}{2}(o_1 - t_1)^2", r"((a)^2+b)^3", r"[x - 1]^2",
                                   r"E = \frac12 (o_1 - t_1)^2 + \frac12 (o_2 - t_2)^2"])
def test_an_exponent_on_a_bracket_has_the_whole_group_as_base(latex):
    scripts = list(tree(mathml(latex)).iter("msup"))
    assert scripts
    for script in scripts:
        base = text(script[0])
        assert base[0] in "([" and base[-1] in ")]", base
        assert base.count("(") == base.count(")") and base.count("[") == base.count("]"), base


@pytest.mark.parametrize(("latex", "prefix"), [
    ("E = -1.25", [True]), ("-x", [True]), (r"a \cdot (-0.5)", [True]), ("x - 1", [False]),
    ("(a) - 1", [False]), ("y = -x - 2", [True, False]), (r"\left(-0.5\right)", [True]),
])
def test_a_sign_is_a_prefix_and_a_subtraction_is_not(latex, prefix):
    minus = [mo for mo in tree(mathml(latex)).iter("mo") if mo.text == MINUS]
    assert [mo.get("form") == "prefix" for mo in minus] == prefix


@pytest.mark.parametrize(("markdown", "prefix"), [
    ("$$E = -0.5 - 1.25$$", [True, False]), ("$$x = (1) -0.5$$", [False]), ("$x = -0.25$", [True]),
])
def test_a_negative_number_filled_into_a_template_is_a_prefix_sign(markdown, prefix):
    found = re.findall(r'<mo( form="prefix")?>' + MINUS + "</mo>", body(markdown))
    assert [bool(f) for f in found] == prefix


def test_a_subscript_word_is_one_upright_identifier_and_its_comma_has_no_gap():
    (script,) = tree(mathml(r"h_{1,in}")).iter("msub")
    parts = list(script[1])
    assert [(p.tag, p.text) for p in parts] == [("mn", "1"), ("mo", ","), ("mi", "in")]
    assert parts[1].get("lspace") == parts[1].get("rspace") == "0"
    (script,) = tree(mathml(r"\delta_{h1}")).iter("msub")
    assert [(p.tag, p.text) for p in script[1]] == [("mi", "h"), ("mn", "1")], "a letter and its index stay apart"
    assert [mi.text for mi in tree(mathml(r"w_{\mathrm{new}}")).iter("mi")] == ["w", "new"]


@pytest.fixture(scope="module", params=["en", "zh"])
def graded(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"summary-{request.param}")
    result = CliRunner().invoke(main, ["grade", str(EXAMPLES / "hw1.toml"), str(EXAMPLES / "submissions"),
                                       "--out", str(out), "--lang", request.param], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return request.param, out


def test_the_summary_names_statuses_and_mistakes_in_words_of_its_language(graded):
    lang, out = graded
    summary = (out / "summary.md").read_text(encoding="utf-8")
    for key in (*MISTAKES, *(s for s in STATUSES if "_" in s)):
        assert key not in summary, f"internal key {key} shown"
    assert mistake_text("half_forgotten", lang) in summary and "(1: s002)" in summary
    status_cells = re.findall(r"^\| (?:s\d{3} \| )?([^|]+?) \| (?:\d+ \||s\d{3})", summary, re.M)
    flagged = re.findall(r"^\| s\d{3} \| ([^|]+?) \|", summary, re.M)
    assert len(flagged) == 6 and len(status_cells) >= 7
    for cell in (*status_cells, *flagged):
        if lang == "zh":
            assert not re.search(r"[A-Za-z]", cell), f"English status {cell!r} in the Chinese summary"
    if lang == "zh":
        assert "| 代码题:backprop_222 |" in summary and "| oscillating(震荡收敛) |" in summary
    else:
        assert "| code: backprop_222 |" in summary and "| oscillating |" in summary


def test_the_histogram_alt_text_gives_the_count_of_each_bin(graded):
    lang, out = graded
    book = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    scores = [s["score"] for s in book["students"] if s["score"] is not None]
    top = book["summary"]["max"]
    bins = min(20, int(top))
    width = top / bins
    counts: dict[int, int] = {}
    for score in scores:
        counts[min(int(score // width), bins - 1)] = counts.get(min(int(score // width), bins - 1), 0) + 1
    alt = re.search(r"!\[([^\]]+)\]\(scores\.png\)", (out / "summary.md").read_text(encoding="utf-8")).group(1)
    said = {"en": "{n} scored {lo:g} to {hi:g}", "zh": "{n} 人得分在 {lo:g} 到 {hi:g} 之间"}[lang]
    for k, n in counts.items():
        assert said.format(n=n, lo=k * width, hi=(k + 1) * width) in alt, alt
    assert str(len(scores)) in alt and len(re.findall("scored" if lang == "en" else "得分在", alt)) == len(counts)
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img[^>]* alt="[^"]{60,}"', html)) == 2, "both plots have a text alternative"


def test_every_mistake_and_status_has_a_name_in_both_languages():
    assert set(MISTAKE_NAMES) == set(MISTAKES)
    for table in (MISTAKE_NAMES, SUMMARY_TEXT, TEXT):
        for key, entry in table.items():
            assert set(entry) == {"en", "zh"} and all(entry.values()), key
    assert len({status_text(s, "zh") for s in STATUSES}) == len(STATUSES)


def test_the_item_plot_is_labelled_in_the_chosen_language():
    analysis = analyse(CLASS, {})
    assert item_plot(analysis, "zh") != item_plot(analysis, "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_verdict_says_right_once(lang):
    q = quiz.start("backprop_222", canonical=True, lang=lang)
    said = str(q.check("delta_o1", 0.1385))
    assert said.startswith("✓") and said.count({"en": "right", "zh": "正确"}[lang]) == 1
    assert "Correct" not in said and "正确。正确" not in said
