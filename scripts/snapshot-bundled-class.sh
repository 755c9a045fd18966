#!/usr/bin/env bash
# Rewrites tests/data/bundled_class/ from the bundled example (see tests/test_bundled_snapshot.py).
# Run it only when an output change is intended, and commit the snapshot with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
grader=${GRADER:-.venv/bin/grader}
snapshot=tests/data/bundled_class
rm -rf "$snapshot"
"$grader" generate examples/hw1.toml --roster examples/roster.csv --out "$snapshot/sheets" >/dev/null
"$grader" grade examples/hw1.toml examples/submissions --out "$snapshot/graded" >/dev/null
find "$snapshot" -name '*.png' -delete
python3 - "$snapshot" <<'PY'
import re, sys
from pathlib import Path
for page in Path(sys.argv[1]).rglob("*.html"):
    data = page.read_bytes()
    page.write_bytes(re.sub(rb"data:image/png;base64,[A-Za-z0-9+/=]+", b"data:image/png;base64,PICTURE", data))
PY
echo "wrote $snapshot"
