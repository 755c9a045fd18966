"""`grader plot`: three valid PNGs of sensible size, and the numbers behind the pictures."""

from __future__ import annotations

import html
import re
import struct
import zlib

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.core.variants import canonical
from grader.course import figures
from grader.families import get_family
from grader.quiz import plots
from grader.quiz.session import quiz_variant

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and the chunk's CRC."""
    assert data[:8] == PNG, "PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16:29]
    (crc,) = struct.unpack(">I", data[29:33])
    assert zlib.crc32(kind + body) == crc, "IHDR checksum"
    assert data.endswith(b"IEND\xaeB`\x82"), "PNG ends with IEND"
    return struct.unpack(">II", body[:8])


@pytest.mark.parametrize("kind", plots.KINDS)
def test_cli_writes_a_valid_png(tmp_path, kind):
    out = tmp_path / f"{kind}.png"
    result = CliRunner().invoke(main, ["plot", kind, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    width, height = png_size(data)
    assert 800 <= width <= 2000 and 400 <= height <= 1200, (width, height)
    assert 20_000 < len(data) < 1_000_000
    assert f"Saved {out} ({width}x{height} pixels)." in result.output


def test_cli_plots_a_quiz_variant_and_refuses_bad_paths(tmp_path):
    result = CliRunner().invoke(main, ["plot", "network", "--seed", "11", "--out", str(tmp_path / "n.png")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["plot", "minima", "--out", str(tmp_path / "missing" / "m.png")])
    assert result.exit_code != 0 and "cannot write" in result.output and "Traceback" not in result.output
    assert CliRunner().invoke(main, ["plot", "heatmap"]).exit_code == 2


def test_descent_regimes_of_seed_000():
    paths = plots.descent_paths(canonical(get_family("gd_linear")))
    assert [(p.eta, p.regime) for p in paths] == [
        (0.2, "monotone"), (0.5, "monotone"), (1.6, "oscillating"), (2.1, "diverging")]
    seed_rate = paths[1]
    assert seed_rate.weights[:3].tolist() == [0, 0.5, 0.75] and seed_rate.losses[:2].tolist() == [0.5, 0.125]
    # around the optimum w* = t/x = 1
    assert np.all(np.sign(paths[2].weights[1:] - 1) != np.sign(paths[2].weights[:-1] - 1)), "oscillates"
    assert np.all(np.abs(paths[3].weights[1:] - 1) > np.abs(paths[3].weights[:-1] - 1)), "diverges"
    assert np.all(np.diff(paths[0].losses) < 0)


def test_minima_starts_end_in_both_minima():
    v = canonical(get_family("local_minima"))
    lows, peaks = plots.stationary(v)
    assert len(lows) == 2 and len(peaks) == 1
    for m in lows:  # L'(m) = 2 m^3 - 2 a m + s = 0 with a = 1, s = 0.3, by hand
        assert abs(2 * m**3 - 2 * m + 0.3) < 1e-9
    ends = [p[-1] for p in plots.minima_paths(v, [-1.5, -0.5, 0.5, 1.4])]
    assert np.allclose(ends, [lows[0], lows[0], lows[1], lows[1]], atol=1e-6)


def test_network_of_random_variants_draws():
    for seed in (1, 2, 3):
        figure = plots.network(quiz_variant(get_family("backprop_222"), seed))
        texts = [t.get_text() for t in figure.axes[0].texts]
        assert sum(t.startswith("w") for t in texts) == 8 and any("δ" in t for t in texts)


def _texts(fig) -> list:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize("kind", plots.KINDS)
def test_chinese_plots_have_chinese_labels_in_a_cjk_font(kind):
    if figures.cjk_font() is None:
        pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
    fig = plots.figure(kind, None, "zh")
    texts = _texts(fig)
    chinese = [t for t in texts if re.search(r"[\u4e00-\u9fff]", t.get_text())]
    assert chinese, "labels are in Chinese"
    assert all(t.get_fontfamily()[0] == figures.cjk_font() for t in chinese)
    english = " ".join(t.get_text() for t in _texts(plots.figure(kind, None, "en")))
    assert not re.search(r"[\u4e00-\u9fff]", english)


def test_without_a_cjk_font_a_chinese_plot_says_how_to_get_one(monkeypatch):
    monkeypatch.setattr(figures, "cjk_font", lambda: None)
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
        plots.figure("minima", None, "zh")


def test_descent_paths_have_their_own_colours_and_the_legend_covers_none():
    fig = plots.descent(canonical(get_family("gd_linear")))
    curve_ax = fig.axes[0]
    colours = [line.get_color() for line in curve_ax.get_lines()[1:] if line.get_marker() == "o"]
    assert len(colours) == 4 and len(set(colours)) == 4, colours
    fig.canvas.draw()
    (legend,) = fig.legends
    box = legend.get_window_extent()
    for ax in fig.axes:
        assert not box.overlaps(ax.get_window_extent()), "the legend sits outside the panels"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_picture_has_a_text_alternative_with_its_numbers(lang):
    v = canonical(get_family("gd_linear"))  # x = 1, t = 1, w0 = 0
    w, path = 0.0, []
    for _ in range(4):  # eta = 1.6: w <- w - eta x (w x - t)
        path.append(w)
        w -= 1.6 * (w - 1)
    alt = plots.describe("descent", v, lang)
    assert " → ".join(f"{x:.3g}" for x in path) in alt
    minima = plots.describe("minima", None, lang)
    roots = np.sort(np.roots([2, 0, -2, 0.3]).real)  # L'(w) = 2w(w^2 - 1) + 0.3 for seed 002
    assert all(f"{r:.3g}" in minima for r in roots)
    network = plots.describe("network", None, lang)
    assert "0.1385" in network and "0.7514" in network  # delta_o1 and o1 of seed 000
    from grader import quiz

    page = quiz.start("local_minima", canonical=True, lang=lang).plot().html()
    assert f'alt="{html.escape(minima)}"' in page, "the notebook's picture carries the text alternative"
