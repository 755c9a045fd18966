"""nbgrader adapter: per-student variants in an ordinary nbgrader course, graded outside the students' kernels.

* :mod:`grader.nbgrader.notebook` builds the source notebook of an assignment (pure: an
  assignment file and the course's student ids in, an nbformat notebook out, with each
  student's parameters and neither the salt nor any key).
* :mod:`grader.nbgrader.runtime` is what that notebook imports inside the Jupyter kernel:
  it works out whose numbers to show (:mod:`grader.nbgrader.identity`), gives feedback while the
  student works (:mod:`grader.nbgrader.report`) and, while nbgrader autogrades, only records
  the raw answers (:mod:`grader.nbgrader.record`).
* :mod:`grader.nbgrader.regrade` grades recorded answers in the instructor's process (pure);
  :mod:`grader.nbgrader.course` reads the course's nbgrader configuration and writes scores,
  comments and flags into nbgrader's gradebook; :mod:`grader.nbgrader.flags` and
  :mod:`grader.nbgrader.export` read the flags back.
* :mod:`grader.cli.nbgrader` is the ``grader nbgrader`` command group.

Importing this package imports neither nbformat, nbgrader nor IPython; the modules that need them do.
"""
