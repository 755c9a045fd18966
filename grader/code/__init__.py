"""Code exercises: students implement the algorithms; their files run in a sandbox and are
graded on hidden tests against the engine's exact key, the reference solutions in
``solutions/`` and finite differences.

The entry point for the instructor workflow is :func:`grade_code_file`.
"""

from grader.code.exercises import EXERCISES, UnknownExercise, get_exercise
from grader.code.grade_code import CodeResult, TestResult, grade_code_file, grade_code_source
from grader.code.sandbox import Limits

__all__ = [
    "EXERCISES",
    "CodeResult",
    "Limits",
    "TestResult",
    "UnknownExercise",
    "get_exercise",
    "grade_code_file",
    "grade_code_source",
]
