"""Shared helpers for the out-of-process test scripts (fault tests, API fuzzing set-up).

Python 3.11 standard library only. Importable from any script in this directory:

    from fixture import start_server, Api, setup

- `start_server(db_url)` spawns `$REFTRACK_BIN serve` (default `target/debug/reftrack`
  relative to the repository root) on a free local port and waits for `GET /readyz`.
- `Api(base_url).call(method, path, body, token, headers)` sends one JSON request and
  returns `(status, headers, body)`; the body is parsed JSON when it is JSON.
- `setup(base_url)` creates, through the API only, a brand with an API key and a
  program, and an influencer who accepted an invitation (so has an ambassador
  membership and a generated code). Its pieces, `new_brand`, `new_influencer`,
  `invite` and `accept`, build other arrangements (several brands, one influencer).
- `postgres_admin_url()`, `create_pg_database()`, `drop_pg_database()` and `psql()`
  manage scratch PostgreSQL databases with the `psql` CLI.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def binary_path() -> str:
    """The reftrack binary: `$REFTRACK_BIN` (relative to the working directory), else
    `target/debug/reftrack` in the repository."""
    given = os.environ.get("REFTRACK_BIN")
    path = os.path.abspath(given) if given else os.path.join(REPO_ROOT, "target", "debug", "reftrack")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"reftrack binary not found at {path}; build it or set REFTRACK_BIN")
    return path


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(db_url: str, extra_env: dict | None) -> dict:
    env = dict(os.environ)
    env["DATABASE_URL"] = db_url
    env.setdefault("RUST_LOG", "warn")
    if extra_env:
        env.update({k: str(v) for k, v in extra_env.items()})
    return env


class Server:
    """A running `reftrack serve` process."""

    def __init__(self, proc: subprocess.Popen, port: int, log_path: str, log_file):
        self.proc = proc
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self._log_file = log_file

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would; waits for the process to be gone."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._close_log()

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM and wait for a graceful exit (SIGKILL after `timeout`)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close_log()

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def _close_log(self) -> None:
        if self._log_file and not self._log_file.closed:
            self._log_file.close()


def start_server(db_url: str, port: int | None = None, extra_env: dict | None = None,
                 ready_timeout: float = 60.0, log_path: str | None = None) -> Server:
    """Spawn `reftrack serve` on `db_url` and wait until `GET /readyz` answers 200.

    stdout and stderr go to `log_path` (appended; default: a new temporary file that is
    kept, for post-mortems). `extra_env` is added to the environment (RUST_LOG defaults
    to `warn`).
    """
    port = port or free_port()
    env = _env(db_url, extra_env)
    env["REFTRACK_BIND"] = f"127.0.0.1:{port}"
    if log_path is None:
        fd, log_path = tempfile.mkstemp(prefix=f"reftrack-{port}-", suffix=".log")
        os.close(fd)
    log_file = open(log_path, "ab")
    proc = subprocess.Popen([binary_path(), "serve"], env=env, stdout=log_file,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(proc, port, log_path, log_file)
    deadline = time.monotonic() + ready_timeout
    api = Api(server.base_url, timeout=2.0)
    while True:
        if proc.poll() is not None:
            server._close_log()
            raise RuntimeError(f"reftrack serve exited with {proc.returncode}; log {log_path}:\n"
                               + server.log_tail())
        try:
            status, _, _ = api.call("GET", "/readyz")
            if status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"reftrack serve not ready after {ready_timeout}s; log {log_path}:\n"
                               + server.log_tail())
        time.sleep(0.05)


def run_cli(db_url: str, *args: str, extra_env: dict | None = None,
            timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Run `reftrack <args>` (e.g. `jobs run-once`) and return the finished process."""
    return subprocess.run([binary_path(), *args], env=_env(db_url, extra_env),
                          capture_output=True, text=True, timeout=timeout)


def verify_totals(db_url: str, when: str) -> list[str]:
    """Run `reftrack verify`: the running totals against the ledger, orders and clicks.
    Returns one violation per line it printed when it exits non-zero, else nothing."""
    done = run_cli(db_url, "verify")
    if done.returncode == 0:
        return []
    lines = [line for line in done.stdout.splitlines() if line.strip()] or [done.stderr.strip()[-400:]]
    return [f"reftrack verify {when} (exit {done.returncode}): {line[:400]}" for line in lines[:20]]


def parse_body(headers: dict, raw: bytes):
    """Parsed JSON when the content type says JSON (and it parses), otherwise text."""
    text = raw.decode("utf-8", errors="replace")
    if "json" in headers.get("content-type", "") and text:
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


class Api:
    """A minimal JSON client. One connection per call, so it is safe across threads."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        parsed = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host = parsed.hostname or "127.0.0.1"
        self.port = parsed.port or 80
        self.timeout = timeout

    def request(self, method: str, path: str, body=None, token: str | None = None,
                headers: dict | None = None):
        """Send one request; returns (status, headers with lower-case names, raw bytes).

        Connection errors (refused, reset, timed out) propagate as OSError or
        http.client.HTTPException.
        """
        hdrs = {"accept": "application/json"}
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            if isinstance(data, str):
                data = data.encode("utf-8")
            hdrs["content-type"] = "application/json"
        if token:
            hdrs["authorization"] = f"Bearer {token}"
        if headers:
            hdrs.update(headers)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            resp_headers = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        return resp.status, resp_headers, raw

    def call(self, method: str, path: str, body=None, token: str | None = None,
             headers: dict | None = None):
        """Send one request; returns (status, headers with lower-case names, body).

        The body is parsed JSON when the response is JSON, otherwise text.
        """
        status, resp_headers, raw = self.request(method, path, body, token, headers)
        return status, resp_headers, parse_body(resp_headers, raw)

    def expect(self, status: int, method: str, path: str, body=None, token=None, headers=None):
        """`call`, raising when the status is not `status`; returns the body."""
        got, _, parsed = self.call(method, path, body=body, token=token, headers=headers)
        if got != status:
            raise RuntimeError(f"{method} {path}: expected {status}, got {got}: {parsed}")
        return parsed


def new_brand(api: Api, *, currency: str = "USD", program: dict | None = None,
              name: str | None = None) -> dict:
    """A brand and its owner, a checkout API key and one program, through the API.

    `program` is the body of `POST /v1/brand/programs` (a name is added when it has
    none); the default is 10 % commission, 15 % off, no hold and no rewards. The slug and
    the owner's e-mail carry a random suffix, so many brands can share one database.
    Returns the brand's `token`, `refresh_token`, `id`, `slug`, `name`, `currency`,
    `api_key`, `api_key_id`, `program` (the answer), `owner_email` and `owner_password`.
    """
    sfx = secrets.token_hex(4)
    owner_email = f"owner-{sfx}@brand-{sfx}.example"
    owner_password = f"owner passphrase {sfx}"
    slug = f"brand-{sfx}"
    name = name or f"Brand {sfx}"
    brand = api.expect(201, "POST", "/v1/brands", {
        "name": name, "slug": slug, "landing_url": f"https://shop-{sfx}.example/",
        "currency": currency, "owner_email": owner_email, "owner_password": owner_password,
    })
    token = brand["access_token"]
    key = api.expect(201, "POST", "/v1/brand/api-keys", {"name": f"Checkout {sfx}"}, token=token)
    body = dict(program or {
        "commission": {"type": "percent", "rate": "10"},
        "customer_discount": {"type": "percent", "value": "15"},
        "hold_days": 0,
        "rewards": [],
    })
    body.setdefault("name", f"Program {sfx}")
    made = api.expect(201, "POST", "/v1/brand/programs", body, token=token)
    return {
        "token": token, "refresh_token": brand["refresh_token"], "id": brand["brand"]["id"],
        "slug": slug, "name": name, "currency": currency, "api_key": key["secret"],
        "api_key_id": key["id"], "program": made, "owner_email": owner_email,
        "owner_password": owner_password,
    }


def new_influencer(api: Api, display_name: str = "Ana Brews") -> dict:
    """An influencer account (random e-mail); returns the sign-up answer plus `email`
    and `password`."""
    sfx = secrets.token_hex(4)
    email = f"ana-{sfx}@influencer.example"
    password = f"influencer passphrase {sfx}"
    infl = api.expect(201, "POST", "/v1/influencers",
                      {"email": email, "password": password, "display_name": display_name})
    return {**infl, "email": email, "password": password}


def invite(api: Api, brand: dict, email: str) -> dict:
    """The brand (a `new_brand` answer) invites `email` to its program; returns the
    invitation, with its one-time `token`."""
    return api.expect(201, "POST", "/v1/brand/invitations",
                      {"email": email, "program_id": brand["program"]["id"]}, token=brand["token"])


def accept(api: Api, influencer: dict, invitation: dict) -> dict:
    """The influencer (a `new_influencer` answer) accepts the invitation by its token;
    returns the membership, with its first code."""
    return api.expect(201, "POST", "/v1/me/invitations/accept", {"token": invitation["token"]},
                      token=influencer["access_token"])


def setup(base_url: str, *, hold_days: int = 0, rewards: list | None = None,
          commission_rate: str = "10", discount_percent: str = "15",
          currency: str = "USD") -> dict:
    """Brand + owner, API key, program, influencer with an accepted invitation.

    Everything goes through the public API. E-mails and the slug carry a random
    suffix, so many calls can share one database.
    """
    api = Api(base_url)
    brand = new_brand(api, currency=currency, program={
        "commission": {"type": "percent", "rate": commission_rate},
        "customer_discount": {"type": "percent", "value": discount_percent},
        "hold_days": hold_days,
        "rewards": rewards or [],
    })
    infl = new_influencer(api)
    membership = accept(api, infl, invite(api, brand, infl["email"]))
    return {
        "base_url": base_url,
        "brand_token": brand["token"],
        "brand_refresh_token": brand["refresh_token"],
        "influencer_token": infl["access_token"],
        "influencer_refresh_token": infl["refresh_token"],
        "influencer_id": infl["influencer"]["id"],
        "api_key": brand["api_key"],
        "api_key_id": brand["api_key_id"],
        "brand_id": brand["id"],
        "brand_slug": brand["slug"],
        "currency": currency,
        "program_id": brand["program"]["id"],
        "program": brand["program"],
        "membership_id": membership["id"],
        "code": membership["codes"][0]["code"],
        "code_id": membership["codes"][0]["id"],
        "influencer_email": infl["email"],
        "influencer_password": infl["password"],
        "owner_email": brand["owner_email"],
        "owner_password": brand["owner_password"],
    }


# --- PostgreSQL scratch databases (psql CLI) -----------------------------------------

def postgres_admin_url() -> str:
    return os.environ.get("REFTRACK_TEST_POSTGRES_URL") or DEFAULT_PG_ADMIN_URL


def pg_url_for(db_name: str, admin_url: str | None = None) -> str:
    """The admin URL with its database replaced by `db_name`."""
    parts = urllib.parse.urlsplit(admin_url or postgres_admin_url())
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + db_name, parts.query, ""))


def psql(db_url: str, sql: str, timeout: float = 60.0) -> list[list[str]]:
    """Run SQL with psql; returns rows (unaligned, tab-separated, no headers)."""
    out = subprocess.run(
        ["psql", db_url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed ({out.returncode}): {out.stderr.strip()}\nSQL: {sql}")
    return [line.split("\t") for line in out.stdout.splitlines() if line != ""]


def create_pg_database(prefix: str = "reftrack_fault") -> tuple[str, str]:
    """Create a uniquely named database; returns (name, url)."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    psql(postgres_admin_url(), f'CREATE DATABASE "{name}"')
    return name, pg_url_for(name)


def drop_pg_database(name: str) -> None:
    try:
        psql(postgres_admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as e:  # never mask the real outcome of a test run
        print(f"warning: could not drop database {name}: {e}", file=sys.stderr)


if __name__ == "__main__":
    # Smoke test: python3 scripts/fixture.py  (SQLite in a temporary directory)
    with tempfile.TemporaryDirectory() as tmp:
        srv = start_server(os.path.join(tmp, "smoke.db"), log_path=os.path.join(tmp, "smoke.log"))
        try:
            print(json.dumps(setup(srv.base_url, hold_days=0,
                                   rewards=[{"every_orders": 3, "sku": "FREE-BAG",
                                             "description": "A free bag"}]), indent=2,
                             default=str))
        finally:
            srv.stop()
