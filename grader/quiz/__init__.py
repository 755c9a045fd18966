"""The self-quiz: practise a family step by step in a terminal (``grader quiz``) or in Jupyter.

>>> from grader import quiz
>>> q = quiz.start("backprop_222", canonical=True)
>>> q.check("delta_o1", 0.1385).correct
True

Modules: :mod:`~grader.quiz.session` (the pure quiz state), :mod:`~grader.quiz.explain`
(hints and worked solutions from the derivation), :mod:`~grader.quiz.progress` (the
progress record), :mod:`~grader.quiz.terminal` and :mod:`~grader.quiz.notebook` (the two
front ends), :mod:`~grader.cli.quiz` (the click commands), :mod:`~grader.quiz.text`
(every sentence in English and Chinese), :mod:`~grader.quiz.reasons` (why the right option of a
choice is right), :mod:`~grader.quiz.plain` (Markdown and LaTeX as Unicode text for a terminal),
:mod:`~grader.quiz.widgets` (input boxes with a "read as" preview in Jupyter).
"""

from grader.quiz.notebook import Quiz, start

__all__ = ["Quiz", "start"]
