#!/usr/bin/env bash
# The code sandbox's tests as an unprivileged user (default: nobody) with a virtual environment
# that user owns: the case where the grader cannot make the child another user and the child
# could write the installed packages if only the audit hook stood in its way. Run as root on a
# fresh machine; everything it needs is made under a temporary folder and removed at the end.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
user="${SANDBOX_TEST_USER:-nobody}"
group="$(id -g "$user")"
work="$(mktemp -d /tmp/gdbp-as-"$user".XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/src" "$work/home"
tar -C "$repo" --exclude=./.venv --exclude=./.git --exclude='*.egg-info' --exclude=__pycache__ -cf - . \
    | tar -C "$work/src" -xf -
chown -R "$user:$group" "$work"
chmod 700 "$work"
setpriv --reuid="$user" --regid="$group" --clear-groups \
    env HOME="$work/home" PATH=/usr/local/bin:/usr/bin:/bin PIP_NO_CACHE_DIR=1 bash -euo pipefail -c '
        cd "$1/src"
        python3 -m venv "$1/venv"
        "$1/venv/bin/pip" install -q -e . "pytest>=7"
        test "$(id -u)" != 0
        # the scan of the fork server'"'"'s memory needs root (the server is not dumpable); the main run has it
        "$1/venv/bin/python" -m pytest -q -p no:cacheprovider tests/test_code_sandbox.py tests/test_code_grade.py \
            tests/test_code_pool.py --deselect tests/test_code_pool.py::test_the_server_holds_no_student_data
    ' sandbox-as-user "$work"
