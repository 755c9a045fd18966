"""A report, the class summary, the quiz notebook and the plots in headless Chromium, in English and Chinese.

Each page is opened at the width of a laptop window (1100 px) with the network off; a probe
script (added to a copy of the page, whose Content-Security-Policy forbids scripts) measures
the laid-out page and writes what it found into the DOM, which ``--dump-dom`` returns:

- nothing is wider than the page, except inside an element that scrolls by itself (a long
  display formula); the page itself never scrolls sideways;
- an exponent on a bracketed group, ``(wx − t)²``, has the whole group as its base;
- a minus after ``=`` sits against its number (``= −1.25``), while a subtraction keeps its spaces;
- the subscript of ``h_{1,in}`` is ``1``, a comma and the word ``in``, set without a gap;
- every picture loads and has a text alternative.

A screenshot of each page is taken too (a PNG in the test's folder).
"""

from __future__ import annotations

import html
import json
import re

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.text.html import CSP
from tests.test_instructor import EXAMPLES
from tests.test_quiz_browser import CHROMIUM, _chromium

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")

PROBE = """<script>
window.addEventListener('load', () => {
  const page = document.documentElement.clientWidth;
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const inScroller = e => { for (let p = e.parentElement; p; p = p.parentElement) { if (scrolls(p)) return true; }
                            return false; };
  const all = [...document.body.querySelectorAll('*')];
  const wide = all.filter(e => e.getBoundingClientRect().right > page + 1 && !inScroller(e));
  const long = [...document.querySelectorAll('math[display=block]')].filter(m => m.scrollWidth > m.clientWidth + 1);
  const cut = long.filter(m => !scrolls(m));
  const text = e => e.textContent.replace(/\\s+/g, '');
  const grouped = [...document.querySelectorAll('msup, msubsup')].filter(s => /[)\\]]$/.test(text(s.children[0])));
  const unbalanced = grouped.filter(s => { const t = text(s.children[0]);
    return (t.split('(').length !== t.split(')').length) || (t.split('[').length !== t.split(']').length); });
  const gap = (a, b) => b.getBoundingClientRect().left - a.getBoundingClientRect().right;
  const minus = [...document.querySelectorAll('mo')].filter(m => m.textContent.trim() === '\\u2212'
    && m.nextElementSibling && m.previousElementSibling);
  const signs = minus.filter(m => m.previousElementSibling.tagName === 'mo'
    && m.previousElementSibling.textContent.trim() === '=').map(m => gap(m, m.nextElementSibling));
  const subtractions = minus.filter(m => ['mi', 'msub'].includes(m.previousElementSibling.tagName))
    .map(m => gap(m, m.nextElementSibling));
  const named = [...document.querySelectorAll('msub')].filter(s => /^[0-9j],in$/.test(text(s.children[1])));
  const words = named.map(s => { const parts = [...s.children[1].children];
    const comma = parts.find(p => p.textContent === ',');
    return [...s.children[1].querySelectorAll('mi')].some(p => p.textContent === 'in') && comma
      ? gap(comma, comma.nextElementSibling) : 99; });
  const images = [...document.querySelectorAll('img')];
  const described = images.filter(i => i.complete && i.naturalWidth > 0 && i.alt.length > 40);
  document.body.setAttribute('data-probe', JSON.stringify({
    page, scroll: document.documentElement.scrollWidth, wide: wide.map(e => e.tagName + ' ' + text(e).slice(0, 40)),
    cut: cut.length, long: long.map(m => text(m).slice(0, 12)),
    grouped: grouped.length, unbalanced: unbalanced.length, signs, subtractions,
    named: named.length, words, images: images.length, described: described.length}));
});
</script>"""


def measure(page_path, tmp_path, width: int = 1100) -> dict:
    """The probe's findings for a page opened at ``width`` pixels; a screenshot is saved beside it."""
    copy = tmp_path / f"probe-{page_path.stem}-{width}.html"
    text = page_path.read_text(encoding="utf-8").replace(CSP, "")
    copy.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(f"--window-size={width},1400", "--virtual-time-budget=5000", "--dump-dom", copy.as_uri())
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, dom[-2000:]
    shot = tmp_path / f"{page_path.stem}-{width}.png"
    _chromium(f"--window-size={width},1400", f"--screenshot={shot}", page_path.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return json.loads(html.unescape(found.group(1)))


def assert_fits(found: dict) -> None:
    """Nothing sticks out of the page, and no display formula is cut off."""
    assert found["scroll"] <= found["page"] + 1, "the page scrolls sideways"
    assert found["wide"] == [], "elements wider than the page"
    assert found["cut"] == 0, "a display formula is cut instead of scrolling"


@pytest.fixture(scope="module", params=["en", "zh"])
def graded(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"graded-{request.param}")
    result = CliRunner().invoke(main, ["grade", str(EXAMPLES / "hw1.toml"), str(EXAMPLES / "submissions"),
                                       "--out", str(out), "--lang", request.param], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_a_report_fits_the_page_and_sets_brackets_signs_and_subscripts(graded, tmp_path):
    found = measure(graded / "reports" / "s002.html", tmp_path)
    assert_fits(found)
    assert found["grouped"] > 5 and found["unbalanced"] == 0, "an exponent has its whole bracketed group as base"
    assert len(found["signs"]) > 5 and max(found["signs"]) < 1.0, "a sign after = sits against its number"
    assert len(found["subtractions"]) > 5 and min(found["subtractions"]) > 2.0, "a subtraction keeps its spaces"
    assert found["named"] >= 2 and max(found["words"]) < 1.0, "h_{1,in}: 1, comma, the word in, no gap"


def test_the_long_delta_line_scrolls_inside_itself_on_a_narrow_window(graded, tmp_path):
    found = measure(graded / "reports" / "s002.html", tmp_path, width=600)
    assert_fits(found)
    assert any(line.startswith("δh1=") for line in found["long"]), "the δh1 line is wider than the page: it scrolls"


def test_the_summary_fits_the_page_and_its_plots_have_text_alternatives(graded, tmp_path):
    found = measure(graded / "summary.html", tmp_path)
    assert_fits(found)
    assert found["images"] == 2 and found["described"] == 2, "histogram and item plot load and have alt text"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_quiz_notebook_fits_the_page(tmp_path, lang):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    from tests.test_quiz_notebook import NOTEBOOK

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace("canonical=True)", f'canonical=True, lang="{lang}")')
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    exported, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    assert lang != "zh" or "正确" in exported
    page = tmp_path / f"quiz-{lang}.html"
    page.write_text(exported, encoding="utf-8")
    found = measure(page, tmp_path)
    assert_fits(found)
    assert found["images"] >= 2 and found["described"] == found["images"], "the pictures have alt text"
