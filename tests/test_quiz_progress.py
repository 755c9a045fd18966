"""The progress record: counting, picking the weakest step, JSON round trip, atomic files."""

from __future__ import annotations

import json

import pytest

from grader.quiz import progress
from grader.quiz.session import AnswerState, Attempt

RIGHT = Attempt("1", "correct", "")
WRONG = Attempt("2", "incorrect", "", mistake="sign_flipped")


def test_first_judged_attempt_decides_right_or_wrong():
    p = progress.Progress()
    p = progress.record(p, "backprop_222", AnswerState("o1", (RIGHT,)))
    p = progress.record(p, "backprop_222", AnswerState("o1", (WRONG, RIGHT), hints=2))
    p = progress.record(p, "backprop_222", AnswerState("o2", (Attempt("x", "invalid", ""), RIGHT)))
    p = progress.record(p, "backprop_222", AnswerState("E", shown=True))
    record = p.family("backprop_222")
    assert record.answers["o1"] == progress.Tally(right=1, wrong=1, hints=2)
    assert record.answers["o2"] == progress.Tally(right=1, wrong=0), "unreadable input does not count"
    assert record.answers["E"] == progress.Tally(right=0, wrong=1)
    assert record.mistakes == {"sign_flipped": 1}


def test_weakest_step_is_the_one_most_often_wrong():
    p = progress.Progress()
    assert progress.weakest(p) is None
    for _ in range(2):
        p = progress.record(p, "gd_linear", AnswerState("w_1", (WRONG,)))
    p = progress.record(p, "backprop_222", AnswerState("delta_h1", (WRONG,)))
    p = progress.record(p, "backprop_222", AnswerState("delta_h2", (RIGHT,)))
    weak = progress.weakest(p)
    assert (weak.family, weak.step, weak.wrong, weak.total) == ("gd_linear", "epoch 1", 2, 2)
    p = progress.record(p, "backprop_222", AnswerState("delta_h2", (WRONG,)))
    p = progress.record(p, "backprop_222", AnswerState("delta_h1", (WRONG,)))
    weak = progress.weakest(p)
    assert (weak.family, weak.step, weak.wrong, weak.total) == ("backprop_222", "hidden deltas", 3, 4)


def test_json_round_trip_and_file(tmp_path):
    p = progress.started(progress.Progress(), "chain_rule")
    p = progress.record(p, "chain_rule", AnswerState("h_value", (WRONG, RIGHT), hints=1))
    path = tmp_path / "deep" / "progress.json"
    progress.save(p, path)
    assert progress.load(path) == (p, None)
    assert json.loads(path.read_text(encoding="utf-8"))["families"]["chain_rule"]["sessions"] == 1
    assert [f.name for f in path.parent.iterdir()] == ["progress.json"]


@pytest.mark.parametrize("text", [
    "{", "[]", '{"version": 2}', '{"version": 1, "families": []}',
    '{"version": 1, "families": {"x": {"answers": {"a": {"right": -1}}}}}',
    '{"version": 1, "families": {"x": {"answers": {"a": {"right": true}}}}}',
    '{"version": 1, "families": {"x": {"mistakes": [1]}}}',
])
def test_malformed_files_are_moved_aside_with_a_reason(tmp_path, text):
    path = tmp_path / "progress.json"
    path.write_text(text, encoding="utf-8")
    record, trouble = progress.load(path)
    assert record == progress.Progress()
    reason, backup = trouble
    assert reason and backup.read_text(encoding="utf-8") == text
    assert not path.exists()


def test_data_dir_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv(progress.ENV, str(tmp_path / "env"))
    assert progress.data_dir() == tmp_path / "env"
    assert progress.data_dir(tmp_path / "option") == tmp_path / "option"
    monkeypatch.delenv(progress.ENV)
    assert "gdbp-grader" in str(progress.data_dir())
