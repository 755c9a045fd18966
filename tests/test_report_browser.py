"""A student's HTML report opened in headless Chromium lays its formulas out as mathematics.

Skips only when no Chromium is installed (scripts/screenshot-report.sh installs Debian's).
The page is loaded from a file with the network off; a probe script added to a copy of the
page (without its Content-Security-Policy, which forbids scripts) measures every formula:
each must have a size, and each fraction its numerator above its denominator, which only
happens when the browser renders the MathML.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.text.html import CSP
from tests.test_instructor import EXAMPLES

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "chromium-headless-shell",
                                            "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/screenshot-report.sh)")

PROBE = """<script>
const maths = [...document.querySelectorAll('math')];
const sized = maths.filter(m => { const r = m.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
const fractions = [...document.querySelectorAll('mfrac')];
const stacked = fractions.filter(f => f.children.length === 2 &&
  f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 0.5);
document.body.setAttribute('data-probe', [maths.length, sized.length, fractions.length, stacked.length].join(','));
</script>"""


def probe(path) -> tuple[int, int, int, int]:
    copy = path.with_name("probe.html")
    page = path.read_text(encoding="utf-8").replace(CSP, "")  # the page's policy forbids the probe's script
    copy.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--proxy-server=127.0.0.1:9", "--dump-dom", copy.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    ).stdout
    found = re.search(r'data-probe="(\d+),(\d+),(\d+),(\d+)"', dom)
    assert found, dom[-2000:]
    return tuple(int(g) for g in found.groups())


def test_the_report_formulas_are_laid_out_by_the_browser(tmp_path):
    out = tmp_path / "graded"
    result = CliRunner().invoke(main, ["grade", str(EXAMPLES / "hw1.toml"), str(EXAMPLES / "submissions"),
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = out / "reports" / "s002.html"
    html = report.read_text(encoding="utf-8")
    assert not re.search(r'(src|href)="https?:', html), "the page must need no network"
    maths, sized, fractions, stacked = probe(report)
    assert maths > 40 and sized == maths
    assert fractions > 5 and stacked == fractions


def test_the_screenshot_script_makes_a_picture(tmp_path):
    out = tmp_path / "graded"
    CliRunner().invoke(main, ["grade", str(EXAMPLES / "hw1.toml"), str(EXAMPLES / "submissions"),
                              "--out", str(out)], catch_exceptions=False)
    picture = tmp_path / "report.png"
    subprocess.run(["bash", str(EXAMPLES.parent / "scripts" / "screenshot-report.sh"),
                    str(out / "reports" / "s001.html"), str(picture)], check=True, timeout=180,
                   capture_output=True)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 20_000
