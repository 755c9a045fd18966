"""The instructor's course workflow: assignments, rosters, sheets, grading runs, reports, exports."""
