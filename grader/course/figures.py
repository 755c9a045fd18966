"""What the course's pictures share: a CJK font for Chinese labels, and the labels of the class plots.

The score histogram and the item-analysis plot of the class summary are drawn here by the course
layer; the quiz's pictures (:mod:`grader.quiz.plots`) use the same font rule.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from functools import cache
from typing import cast

from matplotlib.figure import Figure
from matplotlib.text import Text

from grader.text.messages import localized

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Noto Serif CJK SC")

LABELS: dict[str, dict[str, str]] = {
    "no_cjk_font": {
        "en": "No Chinese font found; Chinese labels will show as boxes. Install one, e.g. "
              "`apt-get install fonts-noto-cjk` (Debian/Ubuntu) or Noto Sans CJK SC from fonts.google.com.",
        "zh": "没有找到中文字体,图中的中文会显示成方框。请安装一种,例如 `apt-get install fonts-noto-cjk`"
              "(Debian/Ubuntu),或从 fonts.google.com 下载 Noto Sans CJK SC。",
    },
    "scores_x": {"en": "score", "zh": "得分"},
    "scores_y": {"en": "students", "zh": "人数"},
    "scores_title": {"en": "{assignment}: {graded} graded, max {max}",
                     "zh": "{assignment}:已评分 {graded} 人,满分 {max}"},
    "items_x": {"en": "difficulty (share with full points)", "zh": "难度(得满分的比例)"},
    "items_y": {"en": "discrimination (point-biserial)", "zh": "区分度(点二列相关)"},
}


def label(key: str, lang: str = "en", **fields: object) -> str:
    """A label of the class plots in ``lang``."""
    return localized(LABELS, key, lang, **fields)


@cache
def cjk_font() -> str | None:
    """The name of an installed font with Chinese characters, or None.

    Fonts installed after matplotlib built its font cache (``fonts-noto-cjk`` .ttc files) are
    added to this process's font list when their file names say CJK.
    """
    from matplotlib import font_manager

    def known() -> str | None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        noto = sorted(n for n in installed if n.startswith("Noto Sans CJK"))
        return next((n for n in (*CJK_FONTS, *noto) if n in installed), None)

    if known() is None:
        for path in font_manager.findSystemFonts():
            if re.search(r"cjk|wqy|wenquanyi|sourcehansans", path, re.I):
                with contextlib.suppress(Exception):  # an unreadable font file is just not used
                    font_manager.fontManager.addfont(path)
    return known()


def cjk_figure(fig: Figure, lang: str) -> Figure:
    """Give every text of a Chinese figure a CJK font (first), DejaVu Sans for the rest of the glyphs."""
    if lang == "zh":
        font = cjk_font()
        if font is None:
            warnings.warn(label("no_cjk_font", lang), stacklevel=3)
        else:
            for text in fig.findobj(Text):  # Text and its subclass Annotation: the artists with a font
                cast(Text, text).set_fontfamily([font, "DejaVu Sans"])  # the stub types findobj as Artists
    return fig
