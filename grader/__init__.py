"""Auto-graded exercises on gradient descent and backpropagation.

The core (derivation, variants, parsing, grading) is pure; the CLI is a thin adapter.
"""

__version__ = "0.1.0"
