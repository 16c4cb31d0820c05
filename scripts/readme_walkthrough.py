#!/usr/bin/env python3
"""The README's quick start, run as written against a fresh server, on both backends.

The commands come from README.md itself: every fenced ```sh block right after a
`<!-- walkthrough -->` line, in order, joined into one bash script run with
`set -euo pipefail` in an empty temporary directory. So the README cannot drift from
what works: a command that fails, a field that is missing or an answer that differs
from the README fails this script (and `.ci/run`).

What is checked. A comment `# → text` (several such lines in a row make one multi-line
text) shows the answer of the command above it; `…` stands for any text. The script
compares it with what that command printed, and, for a command whose answer is piped
into the README's `field` helper, with the whole answer `field` was given (so the
README can show an answer and keep one value of it in a shell variable). Output is
compared exactly otherwise, after turning CRLF into LF and trimming the ends.

Only two things are changed before running, both textual and listed here:
- `localhost:8080` in commands, and `127.0.0.1:8080` in shown answers (referral links),
  become the test server's `127.0.0.1:<free port>`;
- `target/release/reftrack` becomes `$REFTRACK_BIN` (default `target/debug/reftrack`).
The server runs with `DATABASE_URL` set for the script too (so `reftrack jobs run-once`
finds the same database, as it does for a reader in the directory where they started
`serve`), and with its own maturation job off (`REFTRACK_JOBS_INTERVAL_SECS=0`), so the
README's `jobs run-once` is the pass that approves, every time.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/readme_walkthrough.py [--backend sqlite|postgres|both] [--keep] [--readme FILE]
Environment: REFTRACK_BIN, REFTRACK_TEST_POSTGRES_URL (as the other scripts). Exit
status 1 when a step fails or answers differently from the README.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

README = os.path.join(fixture.REPO_ROOT, "README.md")
MARKER = "<!-- walkthrough -->"
ARROW = "# → "
# The walk must keep reaching a payout file: fewer checked answers than this means
# blocks lost their marker, and the script would prove little.
MIN_CHECKPOINTS = 15

# Installed after the README's own `field` is defined: the same function, which also
# writes the answer it was given to the output being checked (once per answer, so two
# values taken from one answer show it once).
FIELD_SHIM = r'''
eval "__readme_$(declare -f field)"
# `field` runs in a subshell ($(...)): the last answer shown is kept in a file.
__last_answer=$(mktemp)
trap 'rm -f "$__last_answer"' EXIT
field() {
    local answer
    answer=$(cat)
    if [ "$answer" != "$(cat "$__last_answer")" ]; then
        printf '%s\n' "$answer" >&3
        printf '%s' "$answer" >"$__last_answer"
    fi
    printf '%s' "$answer" | __readme_field "$@"
}
'''


def walkthrough_blocks(text: str) -> list[str]:
    """The ```sh blocks that follow a walkthrough marker, in order."""
    blocks = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == MARKER:
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines) or lines[j].strip() != "```sh":
                raise SystemExit(f"README.md:{i + 1}: {MARKER} must be followed by a ```sh block")
            body = []
            j += 1
            while j < len(lines) and lines[j].strip() != "```":
                body.append(lines[j])
                j += 1
            blocks.append("\n".join(body))
            i = j
        i += 1
    return blocks


def build_script(blocks: list[str], port: int) -> tuple[str, list[str]]:
    """The bash script and the expected texts, one per checkpoint."""
    expected: list[str] = []
    out: list[str] = ["set -euo pipefail", "exec 3>&1"]
    if not blocks or not re.search(r"^field\(\)", blocks[0], re.M):
        raise SystemExit("the first walkthrough block must define the `field` helper")
    for n, block in enumerate(blocks):
        pending: list[str] = []
        for line in block.splitlines():
            stripped = line.strip()
            if stripped.startswith(ARROW) or stripped == ARROW.strip():
                text = stripped[len(ARROW):] if stripped.startswith(ARROW) else ""
                pending.append(text.replace("127.0.0.1:8080", f"127.0.0.1:{port}"))
                continue
            if pending:
                out.append(checkpoint(len(expected)))
                expected.append("\n".join(pending))
                pending = []
            line = line.replace("localhost:8080", f"127.0.0.1:{port}")
            line = line.replace("target/release/reftrack", '"$REFTRACK_BIN"')
            out.append(line)
        if pending:
            out.append(checkpoint(len(expected)))
            expected.append("\n".join(pending))
        if n == 0:
            out.append(FIELD_SHIM)
    out.append(checkpoint(len(expected)))  # the end: everything after the last check
    return "\n".join(out) + "\n", expected


def checkpoint(n: int) -> str:
    return f"printf '\\n@@checkpoint {n}@@\\n'"


def matches(pattern: str, actual: str) -> bool:
    regex = ".*?".join(re.escape(part) for part in pattern.split("…"))
    return re.fullmatch(regex, actual, re.S) is not None


def run(backend: str, keep: bool, readme: str) -> list[str]:
    """Runs the walk on one backend; returns the failures."""
    failures: list[str] = []
    work = tempfile.mkdtemp(prefix=f"reftrack-readme-{backend}-")
    pg_name = None
    if backend == "postgres":
        pg_name, db_url = fixture.create_pg_database("reftrack_readme")
    else:
        db_url = os.path.join(work, "server", "reftrack.db")
        os.makedirs(os.path.dirname(db_url))
    env_extra = {"REFTRACK_JOBS_INTERVAL_SECS": "0"}
    server = fixture.start_server(db_url, extra_env=env_extra,
                                  log_path=os.path.join(work, "server.log"))
    try:
        with open(readme, encoding="utf-8") as f:
            script, expected = build_script(walkthrough_blocks(f.read()), server.port)
        if len(expected) < MIN_CHECKPOINTS:
            failures.append(f"only {len(expected)} checked answers in the README's walk-through "
                            f"(at least {MIN_CHECKPOINTS} expected): did a block lose its marker?")
        walk_dir = os.path.join(work, "walk")
        os.makedirs(walk_dir)
        with open(os.path.join(work, "walk.sh"), "w", encoding="utf-8") as f:
            f.write(script)
        env = dict(os.environ, DATABASE_URL=db_url, REFTRACK_BIN=fixture.binary_path(),
                   RUST_LOG="warn")
        proc = subprocess.run(["bash", os.path.join(work, "walk.sh")], cwd=walk_dir, env=env,
                              capture_output=True, text=True, timeout=300)
        with open(os.path.join(work, "walk.out"), "w", encoding="utf-8") as f:
            f.write(proc.stdout)
        segments = re.split(r"\n@@checkpoint (\d+)@@\n", "\n" + proc.stdout)
        # segments: [text, n, text, n, ...]: the text before checkpoint n is its answer.
        reached = 0
        for i in range(1, len(segments), 2):
            n = int(segments[i])
            reached = n + 1
            if n >= len(expected):
                continue
            actual = segments[i - 1].replace("\r\n", "\n").strip()
            want = expected[n].strip()
            if not matches(want, actual):
                failures.append(f"answer {n + 1} differs from the README:\n  README: {want}\n"
                                f"  got:    {actual}")
        if proc.returncode != 0:
            step = expected[reached] if reached < len(expected) else "(after the last check)"
            failures.append(f"the walk stopped with exit status {proc.returncode} before the "
                            f"answer shown as: {step}\n  output: {segments[-1].strip()[-2000:]}\n"
                            f"  stderr: {proc.stderr.strip()[-2000:]}")
        elif reached < len(expected) + 1:
            failures.append(f"the walk ended after {reached} of {len(expected)} checks")
        if not server.alive():
            failures.append("the server died during the walk")
        print(f"[{backend}] {len(expected)} answers checked, "
              f"{'ok' if not failures else f'{len(failures)} failure(s)'}; files written: "
              f"{', '.join(sorted(os.listdir(walk_dir))) or 'none'}", flush=True)
    finally:
        server.stop()
        if failures:
            print(f"[{backend}] server log:\n{server.log_tail()}", file=sys.stderr)
        if pg_name:
            fixture.drop_pg_database(pg_name)
        if keep or failures:
            print(f"[{backend}] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--readme", default=README,
                        help="the file to read the walk from (to see a changed copy fail)")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    failures = []
    for backend in backends:
        failures += [f"[{backend}] {f}" for f in run(backend, args.keep, args.readme)]
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    print(f"{len(backends) - len({f.split(']')[0] for f in failures})} passed, "
          f"{len({f.split(']')[0] for f in failures})} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
