"""``grader export FORMAT``: grades and questions in the formats instructors' systems import.

Each format is one module of this package defining ``EXPORTER`` (:class:`Exporter`);
:data:`EXPORTERS` is the registry the CLI takes its choices from. Adding a format is adding
a module and one line here.
"""

from __future__ import annotations

from grader.course.export import canvas, gradescope, moodle, moodle_xml
from grader.course.export.base import Export, Exporter, ExportError, ExportRequest, Gradebook, read_gradebook

EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    canvas.EXPORTER, moodle.EXPORTER, gradescope.EXPORTER, moodle_xml.EXPORTER)}

__all__ = ["EXPORTERS", "Export", "ExportError", "ExportRequest", "Exporter", "Gradebook", "read_gradebook"]
