#!/usr/bin/env bash
# Render a grader HTML page (a student's report, by default s002's of the bundled example
# class) in headless Chromium and save a screenshot, to see that its formulas display with
# no network access (MathML, no script, no web font).
#
#   scripts/screenshot-report.sh [REPORT.html] [OUT.png]
#
# Installs Debian's chromium with apt-get when no Chromium is found (needs root or sudo), and
# grades the bundled class first when no report is given. Not part of .ci/run: the test
# tests/test_report_browser.py runs the same check when Chromium is installed and skips otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

find_chromium() {
    for name in chromium chromium-browser chromium-headless-shell google-chrome; do
        if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    done
    return 1
}

if ! CHROMIUM=$(find_chromium); then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk
    CHROMIUM=$(find_chromium)
fi

REPORT=${1:-}
OUT=${2:-out/screenshots/report.png}
if [ -z "$REPORT" ]; then
    GRADER=grader
    [ -x .venv/bin/grader ] && GRADER=.venv/bin/grader
    "$GRADER" grade examples/hw1.toml examples/submissions --out out/graded >/dev/null
    REPORT=out/graded/reports/s002.html
fi
mkdir -p "$(dirname "$OUT")"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --disable-background-networking \
    --window-size=1100,2400 --screenshot="$OUT" "file://$(realpath "$REPORT")" >/dev/null 2>&1
echo "screenshot of $REPORT: $OUT"
