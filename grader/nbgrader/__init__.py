"""nbgrader adapter: per-student variants in an ordinary nbgrader course, graded by nbgrader itself.

* :mod:`grader.nbgrader.notebook` builds the source notebook of an assignment (pure: an
  assignment file in, an nbformat notebook out).
* :mod:`grader.nbgrader.runtime` is what that notebook imports inside the Jupyter kernel:
  it works out whose variant to show and to grade (:mod:`grader.nbgrader.identity`),
  collects the answers and prints the grader's feedback in nbgrader's test cells
  (:mod:`grader.nbgrader.report`).
* :mod:`grader.nbgrader.cli` is the ``grader nbgrader`` command group.

Importing this package imports neither nbformat nor IPython; the modules that need them do.
"""
