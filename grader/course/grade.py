"""``grader grade``: every student graded, their reports, the gradebook and the class summary.

Layout of ``grader grade ... --out DIR``::

    DIR/gradebook.csv, gradebook.json             one row per roster student
    DIR/summary.md, summary.html, scores.png      the class summary
    DIR/reports/<id>.md, <id>.html                each student's feedback and worked solution

Reports are staged and published together (:mod:`grader.course.files`); the gradebook is
replaced last. Everything printed to the terminal has its control characters removed.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from grader.core.collection import cycle_collection_paused
from grader.core.grading import Classmates, Expected, classmates
from grader.core.variants import Variant
from grader.course.assignment import Assignment
from grader.course.class_run import (
    chunked,
    class_expectations,
    in_background,
    run_chunks,
    safe_echo,
    warm_up,
)
from grader.course.files import output_lock, remove_stale_temporaries, staged, write_atomic, write_staged
from grader.course.gradebook import gradebook_csv, gradebook_json
from grader.course.inputs import InstructorError, class_roster, load_assignment, parsed_assignment, read_overrides
from grader.course.intake import Stray, Submission, intake, read_incoming
from grader.course.item_analysis import (
    ItemAnalysis,
    analyse,
    breakdown_csv,
    item_markdown,
    item_plot,
    items_csv,
    long_csv,
    variant_features,
)
from grader.course.overrides import apply_overrides, audit_csv, not_applied, with_report_section
from grader.course.report import QuestionOutcome, report_lines
from grader.course.roster import Student, file_stem
from grader.course.rows import Row
from grader.course.shared_wrong import flag_rows
from grader.course.student_grading import STUDENT_SECONDS, grade_family_sheets, grade_one
from grader.course.summary import assignment_max, class_scores, score_plot, summary, summary_markdown
from grader.text.html import joined, page, page_of


def class_keys(assignment: Assignment, student_ids: Sequence[str]
               ) -> tuple[dict[str, Classmates], dict[str, dict[str, Variant]]]:
    """Every roster student's key of every family question, to spot answers copied from a classmate,
    and each student's variant of each family question (question id, then student id)."""
    prepared = class_expectations(assignment, student_ids)
    return ({q: classmates(student_ids, column) for q, column in prepared.items()},
            {q: {s: e.variant for s, e in zip(student_ids, column, strict=True)} for q, column in prepared.items()})


def _grade_chunk(task: tuple) -> list[Row]:
    text, submissions, out, lang, folder, seconds, overrides, others = task
    assignment = parsed_assignment(text)
    prepared = class_expectations(assignment, [s.student.id for s in submissions])
    graded = grade_family_sheets(assignment, submissions, prepared, lang, seconds, others)
    rows = []
    for i, submission in enumerate(submissions):
        expected = {q: column[i] for q, column in prepared.items()}
        row = grade_one(assignment, submission, expected, Path(folder), lang, seconds, others, graded[i])
        row = apply_overrides(row, overrides.get(submission.student.id, ()), lang)
        write_report(assignment, row, expected, Path(out), lang)
        rows.append(row)
    return rows


def write_report(assignment: Assignment, row: Row, expected: dict[str, Expected], out: Path, lang: str) -> None:
    """A student's report as Markdown and HTML in ``out/reports``, ``out`` a staging folder (:func:`staged`)."""
    results = dict(row.results or ())
    outcomes = [QuestionOutcome(q, expected.get(q.id), results.get(q.id)) for q in assignment.questions]
    who = f"{row.student.name} ({row.student.id})" if row.student.name else row.student.id
    reason = row.reason.text(lang) if row.status != "graded" and row.reason else None
    lines = report_lines(assignment, who, outcomes, lang, not_graded=reason, notes=row.notes)
    report = joined(lines).rstrip() + "\n"
    markdown = with_report_section(report, row, lang)
    title = f"{assignment.title}: {row.student.id}"
    stem = file_stem(row.student.id)
    write_staged(out / "reports" / f"{stem}.md", markdown)
    write_staged(out / "reports" / f"{stem}.html",
                 page_of(lines, title, lang) if markdown is report else page(markdown, title, lang))


def grade_class(assignment_path: Path, submissions: Path, out: Path, roster_path: Path | None = None,
                jobs: int = 1, lang: str | None = None, echo: Callable[[str], None] = print,
                overrides_path: Path | None = None, student_seconds: float | None = STUDENT_SECONDS
                ) -> dict[str, float]:
    """``grader grade``: gradebook, reports and class summary; returns the time of each phase.

    ``overrides_path`` defaults to ``overrides.csv`` next to the assignment, when there is one;
    ``student_seconds`` is each student's time budget.
    """
    with output_lock(out, lang or "en"):
        return _grade_class(assignment_path, submissions, out, roster_path, jobs, lang, echo, overrides_path,
                            student_seconds)


def _grade_class(assignment_path: Path, submissions: Path, out: Path, roster_path: Path | None, jobs: int,
                 lang: str | None, echo: Callable[[str], None], overrides_path: Path | None,
                 student_seconds: float | None) -> dict[str, float]:
    times = {}
    start = time.perf_counter()
    echo = safe_echo(echo)
    assignment, text = load_assignment(assignment_path)
    roster_path = roster_path or assignment_path.parent / "roster.csv"
    if not roster_path.is_file():
        raise InstructorError(f"no roster: {roster_path} does not exist; give one with --roster ROSTER.csv")
    students, warnings = class_roster(roster_path)
    lang = lang or assignment.lang
    overrides_path = overrides_path or assignment_path.parent / "overrides.csv"
    overrides = read_overrides(overrides_path, assignment, students, lang)
    remove_stale_temporaries(out)
    times["setup"] = time.perf_counter() - start
    start = time.perf_counter()
    read = in_background(jobs, _read_submissions, assignment, students, submissions)
    warm_up(assignment)
    others, variants = class_keys(assignment, [s.id for s in students])  # while the submissions are read
    submitted, strays = read()
    times["read and keys"] = time.perf_counter() - start
    start = time.perf_counter()
    by_student: dict[str, list] = {}
    for o in overrides:
        by_student.setdefault(o.student, []).append(o)
    with staged(out) as staging:
        chunks = [(text, list(c), str(staging), lang, str(submissions), student_seconds, by_student, others)
                  for c in chunked(submitted)]
        rows = [r for part in run_chunks(_grade_chunk, chunks, jobs, "grading", len(submitted)) for r in part]
        with cycle_collection_paused():
            rows = flag_rows(assignment, rows, others)
        times["grade"] = time.perf_counter() - start
        start = time.perf_counter()
    times["publish reports"] = time.perf_counter() - start
    start = time.perf_counter()
    write_outputs(assignment, rows, strays, out, lang, variants, jobs)
    audit = out / "overrides_audit.csv"
    if overrides:
        write_atomic(audit, audit_csv(rows, overrides), durable=True)
        echo(f"{len(overrides)} overrides from {overrides_path}; audit: {audit}")
        for o in not_applied(rows, overrides):
            echo(f"warning: {overrides_path}, line {o.line}: {o.student} is not graded; the override is not applied")
    elif audit.is_file():  # the last run had overrides and this one has none: say so loudly
        os.replace(audit, out / "overrides_audit.previous.csv")
        echo(f"warning: the previous grading applied overrides ({out / 'overrides_audit.previous.csv'}); "
             f"this run has none: {overrides_path} does not exist (give it with --overrides)")
    times["write"] = time.perf_counter() - start
    for w in warnings:
        echo(f"warning: {w}")
    _echo_summary(echo, rows, strays, out)
    return times


def _read_submissions(assignment: Assignment, students: Sequence[Student], submissions: Path
                      ) -> tuple[list[Submission], list[Stray]]:
    """The submissions folder read and matched to the roster (:func:`intake`)."""
    return intake(assignment, students, read_incoming(submissions))


def write_outputs(assignment: Assignment, rows: Sequence[Row], strays: Sequence[Stray], out: Path,
                  lang: str, variants: Mapping[str, Mapping[str, Variant]] | None = None, jobs: int = 1) -> None:
    """The class summary, then the gradebook (replaced last, each file atomically); ``variants``
    (question id, then student id) are the students' variants when the run has them, which spares
    generating them again for the item analysis; with ``jobs`` > 1, the item analysis and the plots
    are made in a second process."""
    with cycle_collection_paused():
        _write_outputs(assignment, rows, strays, out, lang, variants, jobs)


def _write_outputs(assignment: Assignment, rows: Sequence[Row], strays: Sequence[Stray], out: Path,
                   lang: str, variants: Mapping[str, Mapping[str, Variant]] | None, jobs: int) -> None:
    analysed = in_background(jobs, _analysis_long_table_and_plots, assignment, rows, lang, variants)
    overview = summary(assignment, rows)
    markdown = summary_markdown(assignment, rows, strays, "scores.png", lang, overview)
    gradebook = (gradebook_json(assignment, rows, strays, lang, overview), gradebook_csv(assignment, rows, lang))
    analysis, long_table, plot, items_png = analysed()
    write_atomic(out / "scores.png", plot)
    write_item_analysis(out, analysis, items_png, long_table)
    markdown += "\n" + item_markdown(analysis, "items.png", lang)
    write_atomic(out / "summary.md", markdown)
    embedded = markdown
    for name, png in (("scores.png", plot), ("items.png", items_png)):
        embedded = embedded.replace(f"]({name})", "](data:image/png;base64," + base64.b64encode(png).decode() + ")")
    write_atomic(out / "summary.html", page(embedded, f"{assignment.title}: summary", lang))
    write_atomic(out / "gradebook.json", gradebook[0], durable=True)
    write_atomic(out / "gradebook.csv", gradebook[1], durable=True)


def _analysis_long_table_and_plots(assignment: Assignment, rows: Sequence[Row], lang: str,
                        variants: Mapping[str, Mapping[str, Variant]] | None) -> tuple[ItemAnalysis, str, bytes, bytes]:
    """The item analysis, the long table (``answers_long.csv``) and the two plots (scores, items): what
    :func:`write_outputs` has made beside the summary and the gradebook."""
    graded = [r.student.id for r in rows if r.results is not None]
    analysis = analyse(rows, variant_features(assignment, graded, variants=variants))
    scores = score_plot(assignment, class_scores(rows), assignment_max(assignment), lang)
    return analysis, long_csv(rows), scores, item_plot(analysis, lang)


def write_item_analysis(out: Path, analysis: ItemAnalysis, plot: bytes, long_table: str) -> None:
    """``items.png`` (the analysis's ``plot``), ``answers_long.csv`` (the ``long_table``), ``items.csv``
    and ``items_by_variant.csv``."""
    write_atomic(out / "items.png", plot)
    for name, data in (("answers_long.csv", long_table), ("items.csv", items_csv(analysis)),
                       ("items_by_variant.csv", breakdown_csv(analysis))):
        write_atomic(out / name, data)


def _echo_summary(echo: Callable[[str], None], rows: Iterable[Row], strays: Sequence[Stray], out: Path) -> None:
    rows = list(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    echo(f"{len(rows)} students: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    for s in strays:
        echo(f"not on the roster: {s.reason.text('en')}")
    echo(f"gradebook: {out / 'gradebook.csv'}; reports: {out / 'reports'}; summary: {out / 'summary.html'}")
