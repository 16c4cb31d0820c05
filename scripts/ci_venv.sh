#!/usr/bin/env bash
# The Python tools of .ci/run (schemathesis, selenium), pinned in
# scripts/requirements-ci.txt, in a virtual environment: .venv-ci/ by default
# ($REFTRACK_CI_VENV to use another). Created on first use and reinstalled only when
# the pins change (a copy of the requirements file in the environment is the stamp), so
# every step that needs one of these tools shares one install. Prints the
# environment's absolute path; pip's own output goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${REFTRACK_CI_VENV:-.venv-ci}"
REQUIREMENTS=scripts/requirements-ci.txt
STAMP="$VENV/.requirements-ci.txt"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
if ! cmp -s "$REQUIREMENTS" "$STAMP"; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
    cp "$REQUIREMENTS" "$STAMP"
fi

cd "$VENV" && pwd
