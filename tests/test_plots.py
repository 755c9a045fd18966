"""`grader plot`: three valid PNGs of sensible size, and the numbers behind the pictures."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from click.testing import CliRunner

from grader import plots
from grader.cli import main
from grader.families import get_family
from grader.quiz.session import quiz_variant
from grader.variants import canonical

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
