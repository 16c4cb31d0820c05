#!/usr/bin/env python3
"""The influencer portal and the brand console in a real browser: Debian's Chromium over WebDriver, on both backends.

Starts `reftrack serve` on a fresh database (maturation every second), makes real data
through the JSON API only (scripts/portal_data.py): an influencer who is the ambassador
of two brands in two currencies, with orders paid, payable and on hold, refunds,
rewards and pending invitations. Then, in Chromium, it walks the portal as that
influencer would, page by page (`portal_pages.PAGES`: sign-in, overview, invitations,
codes, brand pages, orders, rewards, profile, sign-out, sign-up), and then a brand's day
in the console from an empty start (`console_pages.PAGES`: the brand signs up, creates a
program after a refused rate, invites an ambassador who accepts in a second browser,
makes an API key whose orders and refund show with their attribution, pays a batch from
its files and marks it paid, and invites a staff member who joins from the e-mail's link
and is refused the API keys), and a deal (`deals_pages.PAGES`: offered with a gift,
countered, accepted, proven, approved and shipped), each page checked against the JSON
API and acted on through its own forms and buttons. Mail goes to a local SMTP sink (scripts/smtp_sink.py).

Every page visited also gets `Chromium.look` (scripts/chromium.py): no console errors
(CSP violations included), exactly one `<h1>`, no horizontal scrolling at 375 px, and a
full-page screenshot at 1280 and 375 px wide in `target/screenshots/<backend>/` (not
committed). A page is one function in one of the two `PAGES` lists: add the next one
there.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/browser_suite.py [--backend sqlite|postgres|both] [--keep]
It needs /usr/bin/chromium and /usr/bin/chromedriver (`.ci/run` installs them) and
selenium, pinned in scripts/requirements-ci.txt: when the running Python lacks it, the
script runs itself again with `.venv-ci/bin/python` (`scripts/ci_venv.sh` makes it;
`$REFTRACK_CI_VENV` names another). Environment: REFTRACK_BIN,
REFTRACK_TEST_POSTGRES_URL (as the other scripts). Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

try:
    import selenium  # noqa: F401
except ImportError:
    VENV = os.path.join(fixture.REPO_ROOT, os.environ.get("REFTRACK_CI_VENV", ".venv-ci"))
    if os.access(os.path.join(VENV, "bin", "python"), os.X_OK) and \
            os.path.abspath(sys.prefix) != os.path.abspath(VENV):
        os.execv(os.path.join(VENV, "bin", "python"),
                 [os.path.join(VENV, "bin", "python"), os.path.abspath(__file__), *sys.argv[1:]])
    sys.exit("selenium is not installed: run scripts/ci_venv.sh (the pinned selenium into "
             ".venv-ci/), then this script again")

from selenium.common.exceptions import WebDriverException  # noqa: E402

import console_pages  # noqa: E402
import deals_pages  # noqa: E402
import portal_pages  # noqa: E402
from chromium import Chromium  # noqa: E402
from portal_data import make_world  # noqa: E402
from portal_walk import Failure, Walk  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

SHOTS_ROOT = os.path.join(fixture.REPO_ROOT, "target", "screenshots")


def where(e: Exception) -> str:
    """` at file:line` of the deepest frame in these scripts (not selenium's)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(here)]
    return f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""


def first_lines(text: str) -> str:
    """A WebDriver message without chromedriver's native stack trace."""
    return text.split("Stacktrace:")[0].strip()[:800]


def walk_pages(walk: Walk, pages: list, first) -> None:
    """Walks `pages` in order; a failure ends that page, and a failure of `first` (the
    sign-in or sign-up everything after it needs) ends the walk."""
    for page in pages:
        walk.page = page.__name__
        try:
            page(walk)
        except (Failure, WebDriverException, RuntimeError) as e:
            walk.failures.append(f"{walk.page}: {type(e).__name__}{where(e)}: {first_lines(str(e))}")
            if page is first:
                break


def run(backend: str, keep: bool) -> tuple[list[str], int]:
    """Walks the portal on one backend; returns the failures and the screenshots taken."""
    work = tempfile.mkdtemp(prefix=f"reftrack-browser-{backend}-")
    shots = os.path.join(SHOTS_ROOT, backend)
    shutil.rmtree(shots, ignore_errors=True)
    pg_name = server = browser = walk = sink = None
    failures: list[str] = []
    try:
        if backend == "postgres":
            pg_name, db_url = fixture.create_pg_database("reftrack_browser")
        else:
            db_url = os.path.join(work, "reftrack.db")
        # Mail goes to a local sink: the brand's day opens the team invitation's link.
        sink = SmtpSink()
        mail_env = {"REFTRACK_SMTP_URL": sink.url, "REFTRACK_MAIL_FROM": "Rewards <rewards@reftrack.example>"}
        server = fixture.start_server(db_url, extra_env={"REFTRACK_JOBS_INTERVAL_SECS": "1", **mail_env},
                                      log_path=os.path.join(work, "server.log"))
        started = time.monotonic()
        world = make_world(server.base_url)
        print(f"[{backend}] data made through the API in {time.monotonic() - started:.1f}s",
              flush=True)
        browser = Chromium(shots)
        walk = Walk(backend, server.base_url, world, browser)
        walk_pages(walk, portal_pages.PAGES, portal_pages.sign_in)
        # The brand's day starts in the same browser, signed out, on a world of its own.
        browser.driver.delete_all_cookies()
        day = Walk(backend, server.base_url, {"sink": sink}, browser)
        try:
            walk_pages(day, console_pages.PAGES + deals_pages.PAGES, console_pages.sign_up)
        finally:
            console_pages.close(day)
        walk.failures += day.failures
        walk.shots += day.shots
        failures = walk.failures
        if not server.alive():
            failures.append("the server died during the walk")
        pages = len(portal_pages.PAGES) + len(console_pages.PAGES) + len(deals_pages.PAGES)
        print(f"[{backend}] Chromium {browser.version}: {pages} pages, {walk.shots} "
              f"screenshots in {os.path.relpath(shots, fixture.REPO_ROOT)}, "
              f"{'ok' if not failures else f'{len(failures)} failure(s)'}", flush=True)
    except Exception as e:  # the set-up failed: report it like a failed check
        failures.append(f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.quit()
        if server:
            server.stop()
            if failures:
                print(f"[{backend}] server log:\n{server.log_tail()}", file=sys.stderr)
        if sink:
            sink.shutdown()
        if pg_name:
            fixture.drop_pg_database(pg_name)
        if keep or failures:
            print(f"[{backend}] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return failures, walk.shots if walk else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    started = time.monotonic()
    failed = 0
    for backend in backends:
        failures, _ = run(backend, args.keep)
        failed += bool(failures)
        for failure in failures:
            print(f"FAIL [{backend}] {failure}", file=sys.stderr)
    print(f"{len(backends) - failed} passed, {failed} failed ({time.monotonic() - started:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
