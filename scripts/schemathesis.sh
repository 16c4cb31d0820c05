#!/usr/bin/env bash
# Fuzz the served API against openapi.yaml with schemathesis (see the README section
# "API fuzzing (schemathesis)"). Needs a built binary: $REFTRACK_BIN, default
# target/debug/reftrack. Installs the pinned schemathesis from PyPI into .venv-ci/
# ($REFTRACK_CI_VENV to use another), reused while scripts/requirements-ci.txt is
# unchanged. Extra arguments go to `schemathesis run`. Exits non-zero on any failure
# schemathesis reports.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${REFTRACK_CI_VENV:-.venv-ci}"
REQUIREMENTS=scripts/requirements-ci.txt
STAMP="$VENV/.requirements-ci.txt"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! cmp -s "$REQUIREMENTS" "$STAMP"; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    cp "$REQUIREMENTS" "$STAMP"
fi

VENV="$(cd "$VENV" && pwd)"
export PATH="$VENV/bin:$PATH"
exec "$VENV/bin/python" scripts/schemathesis_setup.py "$@"
