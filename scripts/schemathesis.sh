#!/usr/bin/env bash
# Fuzz the served API against openapi.yaml with schemathesis (see the README section
# "API fuzzing (schemathesis)"). Needs a built binary: $REFTRACK_BIN, default
# target/debug/reftrack. Uses the pinned schemathesis from PyPI in .venv-ci/
# ($REFTRACK_CI_VENV to use another), installed by scripts/ci_venv.sh and reused while
# scripts/requirements-ci.txt is unchanged. Extra arguments go to `schemathesis run`.
# Exits non-zero on any failure schemathesis reports.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="$(scripts/ci_venv.sh)"
export PATH="$VENV/bin:$PATH"
exec "$VENV/bin/python" scripts/schemathesis_setup.py "$@"
