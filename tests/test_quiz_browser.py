"""The quiz's pictures and explanations in headless Chromium, in English and Chinese.

A page holds each picture as the notebook shows it (with its text alternative) and the
worked solutions of gradient_meaning; a probe script checks that every image loaded, has
alt text, and that nothing is wider than a 1100-pixel page. A screenshot is taken too.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from grader import quiz
from grader.quiz import plots, render

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "chromium-headless-shell",
                                            "google-chrome") if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")

PROBE = """<script>
window.addEventListener('load', () => {
  const images = [...document.querySelectorAll('img')];
  const loaded = images.filter(i => i.complete && i.naturalWidth > 0 && i.alt.length > 40);
  const page = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > page + 1);
  document.body.setAttribute('data-probe', [images.length, loaded.length, wide.length].join(','));
});
</script>"""


def _chromium(*args: str) -> str:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--proxy-server=127.0.0.1:9", "--window-size=1100,1400", *args],
                          capture_output=True, text=True, timeout=180, check=False).stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pictures_and_explanations_fit_the_page_with_alt_text(tmp_path, lang):
    parts = []
    for kind, family in plots.FAMILY_OF.items():
        parts.append(quiz.start(family, canonical=True, lang=lang).plot(kind).html())
    q = quiz.start("gradient_meaning", canonical=True, lang=lang)
    parts.append(q.solution()._repr_html_())
    parts.append(render.hint_html(q.hint("q2").hint))
    page = tmp_path / "quiz.html"
    page.write_text(f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><body style="margin:8px">'
                    + "".join(parts) + PROBE + "</body></html>", encoding="utf-8")
    dom = _chromium("--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    found = re.search(r'data-probe="(\d+),(\d+),(\d+)"', dom)
    assert found, dom[-2000:]
    images, loaded, wide = (int(g) for g in found.groups())
    assert images == len(plots.FAMILY_OF) and loaded == images, "every picture loads and has alt text"
    assert wide == 0, "no element is wider than the page"
    shot = tmp_path / f"quiz-{lang}.png"
    _chromium(f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
