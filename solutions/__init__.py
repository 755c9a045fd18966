"""Reference solutions of the code exercises, installed as ``grader.solutions``.

The code grader imports them in its own process to compute the hidden tests' expected
values; the sandboxed student code can never read them.
"""
