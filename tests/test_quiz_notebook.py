"""The Jupyter API (`from grader import quiz`) and the demo notebook executed by nbclient."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import quiz
from grader.quiz.notebook import Notice, Picture, Verdict

NOTEBOOK = Path(__file__).resolve().parents[1] / "exercises" / "quiz_demo.ipynb"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture()
def q():
    return quiz.start("backprop_222", canonical=True)


def test_check_returns_a_verdict_that_renders_as_html_and_text(q):
    v = q.check("delta_o1", 0.1385)
    assert isinstance(v, Verdict) and v.correct
    assert str(v) == repr(v) == "✓ delta_o1 = 0.1385: right.", "the verdict is not said twice (right. Correct.)"
    assert "<div" in v._repr_html_() and "right" in v._repr_html_() and "Correct." not in v._repr_html_()
    wrong = q.check("delta_o1", 0.7414)
    assert not wrong.correct and wrong.mistake == "activation_derivative_dropped"
    assert "Likely mistake" in str(wrong) and "Likely mistake" in wrong._repr_html_()


def test_carried_forward_in_the_notebook(q):
    q.check("o1", 0.8)
    by_hand = 0.5 * ((0.8 - 0.01) ** 2 + (0.7729284653 - 0.99) ** 2)
    v = q.check("E", by_hand)
    assert v.correct and v.result.carried_forward and "earlier o1" in str(v)


def test_hint_and_solution_render_formulas(q):
    idea = q.hint("delta_h1")
    assert "Hint 1/3" in str(idea) and "delta_o1, delta_o2, h1, w5, w7" in str(idea) and " = " not in str(idea)
    h = q.hint("delta_h1")
    assert "Hint 2/3" in str(h) and "delta_h1 = h1*(1 - h1)*(delta_o1*w5 + delta_o2*w7)" in str(h)
    assert r"$\delta_{h_{1}} = h_{1} \left(1 - h_{1}\right)" in h._repr_html_()
    assert "0.00877" not in str(h) + h._repr_html_()
    s = q.solution("hidden deltas")
    assert "0.00877135" in str(s) and "$$" in s._repr_html_()
    assert "data:image/png;base64," in s._repr_html_(), "the worked solution shows the network"
    assert q.session.state("delta_h1").outcome == "shown"
    assert len(q.solution().steps) == 7 and len(q.solution(2).steps) == 1
    assert q.solution("delta_o2").steps[0].step == "output deltas"


def test_mistyped_ids_get_a_message_not_an_exception(q):
    for shown in (q.check("delta_o3", 1), q.hint("nope"), q.solution("nothing"), q.solution(99)):
        assert isinstance(shown, Notice) and "backprop_222" in str(shown) and shown._repr_html_()
    unreadable = q.check("o1", "0.7.5")
    assert unreadable.result.status == "invalid"


def test_summary_and_markdown(q):
    q.check("h1_in", 0.3775)
    assert "Score 1 of 41" in str(q.summary()) and "Score 1 of 41" in q.summary()._repr_html_()
    md = q._repr_markdown_()
    assert "2-2-2" in md and "h1_in ✓" in md and "$i_1 = 0.05$" in md


def test_start_checks_its_arguments():
    assert quiz.start("gd_linear", seed=7).variant == quiz.start("gd_linear", seed=7).variant
    assert quiz.start("gd_linear", seed=7).seed == 7
    with pytest.raises(ValueError, match="unknown topic"):
        quiz.start("backprop")
    with pytest.raises(ValueError, match="lang"):
        quiz.start("gd_linear", lang="fr")


def test_chinese_in_the_notebook():
    q = quiz.start("gd_linear", canonical=True, lang="zh")
    assert "正确" in str(q.check("w_1", 0.5))
    assert "提示" in str(q.hint("w_2"))


def test_plot_is_a_png():
    picture = quiz.start("local_minima", canonical=True).plot()
    assert isinstance(picture, Picture) and picture._repr_png_().startswith(PNG)
    assert quiz.start("chain_rule", seed=1).plot() is None


def test_demo_notebook_runs_and_shows_the_verdicts(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert "quiz.start(" in notebook.cells[1].source, "the notebook uses the Jupyter API"
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    plain = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Correct." not in plain, "a verdict says right once"
    for verdict in ("✓ o1 = 0.7514: right.", "✓ E = 0.2984: right.",
                    "✗ delta_o1 = 0.7414: wrong. Likely mistake: the activation derivative σ′",
                    "✓ delta_o1 = 0.1385: right.", "✓ delta_h1 = 0.00877: right.", "✓ delta_o1_expr ="):
        assert verdict in plain, verdict
    assert "Likely mistake" in html and "for delta_h1:" in html and "Worked solution: hidden deltas" in html
    assert "Score 6 of 41" in plain
    assert "Hint 2/3 for delta_h1" in plain, "the second hint of the demo gives the formula"
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs), "input boxes"
    images = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2 and all(re.fullmatch(r"[A-Za-z0-9+/=\s]+", i) for i in images)


def test_input_boxes_preview_how_an_answer_is_read_and_show_the_verdict():
    pytest.importorskip("ipywidgets")
    q = quiz.start("gd_linear", canonical=True, lang="zh")
    form = q.boxes()
    (row,) = form.children[1:]  # step 1 has one answer: dE_dw_expr
    (box, button), preview, verdict = row.children[0].children, row.children[1], row.children[2]
    assert box.description == "dE_dw_expr" and "求导" in form.children[0].value
    box.value = "x(wx-t)"
    assert preview.value.startswith("读作 $x") and r"\left(" in preview.value
    box.value = "x(wx-"
    assert "<pre" in preview.value and "dE_dw_expr" not in verdict.value
    box.value = "x*(w*x - t)"
    button.click()
    assert "正确" in verdict.value and q.session.state("dE_dw_expr").correct
    later = q.boxes("第 2 轮")
    assert [r.children[0].children[0].description for r in later.children[1:]] == ["pred_2", "E_2", "grad_2", "w_2"]
    regime = q.boxes(4).children[-1]
    regime.children[0].children[0].value = "震荡收敛"
    assert "oscillating" in regime.children[1].value
    assert isinstance(q.boxes("nope"), Notice)
