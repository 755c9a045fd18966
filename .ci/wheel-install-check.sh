#!/usr/bin/env bash
# Builds a wheel, installs it into a clean venv outside the repository, and grades with it:
# every code exercise's reference solution at full marks, and the bundled class (answer sheets
# and code files) with a gradebook byte-identical to the one the editable install writes.
# Usage: .ci/wheel-install-check.sh EDITABLE_VENV
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
editable=${1:?usage: $0 EDITABLE_VENV}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
clean_path=/usr/local/bin:/usr/bin:/bin

"$editable/bin/pip" wheel -q --no-deps -w "$work/dist" "$repo"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work/dist"/*.whl
cp -r "$repo/examples" "$work/examples"
mkdir "$work/code"
for exercise in sigmoid gd_linear chain mlp backprop_222 gradient_check; do
    cp "$repo/solutions/$exercise.py" "$work/code/$exercise.py"
done

cd "$work"  # nothing of the repository can be imported from here
env PATH=$clean_path venv/bin/python - <<'PY'
import grader, pathlib, sys
where = pathlib.Path(grader.__file__).resolve()
sys.exit(f"grader imported from {where}, not from the wheel" if "site-packages" not in str(where) else 0)
PY
for exercise in sigmoid gd_linear chain mlp backprop_222 gradient_check; do
    env PATH=$clean_path venv/bin/grader code check "code/$exercise.py" --exercise "$exercise" --json > "code/$exercise.json"
    env PATH=$clean_path venv/bin/python - "code/$exercise.json" <<'PY'
import json, sys
result = next(iter(json.load(open(sys.argv[1])).values()))
if result["score"] != result["max"] or result["max"] <= 0:
    sys.exit(f"{sys.argv[1]}: the reference solution scored {result['score']}/{result['max']} from the wheel")
PY
done
env PATH=$clean_path venv/bin/grader grade examples/hw1.toml examples/submissions --out graded-wheel > /dev/null
cd "$repo"
env PATH=$clean_path "$editable/bin/grader" grade examples/hw1.toml examples/submissions --out "$work/graded-editable" > /dev/null
cmp "$work/graded-wheel/gradebook.csv" "$work/graded-editable/gradebook.csv"
python3 - "$work/graded-wheel/gradebook.csv" <<'PY'
import csv, sys
rows = {row["student_id"]: row for row in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
s001 = rows["s001"]  # the bundled class's all-right student (examples/make_submissions.py)
if s001["status"] != "graded" or float(s001["total"]) != float(s001["max"]):
    sys.exit(f"s001 from the wheel install: {s001}")
PY
echo "wheel install: code exercises and the bundled class graded as by the editable install"
