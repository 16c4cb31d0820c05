#!/usr/bin/env python3
"""Crash safety of webhook delivery: `kill -9` while an attempt is in flight, restart, delivered.

For each backend (SQLite file, PostgreSQL scratch database):
  1. a local receiver (ThreadingHTTPServer on 127.0.0.1, a random port) verifies the
     Standard Webhooks signature and the timestamp of every request and records
     (webhook-id, arrival time, answer); it answers 503 to about 5 % of first arrivals
     (so retries happen), holds 0.5 % up to a second (a slow receiver), and holds
     the request it is told to until the test releases it;
  2. `reftrack serve` starts on a fresh database with
     `REFTRACK_WEBHOOKS_ALLOW_PRIVATE=true` and `REFTRACK_WEBHOOK_RETRY_SCHEDULE=1,1,1,1,1`;
     a brand, program, ambassador and API key are created (scripts/fixture.py) and a
     webhook endpoint for `order.recorded` pointing at the receiver;
  3. several cycles of: threads record orders through `POST /v1/checkout/orders`; after
     1.5-2.5 s the receiver holds the next delivery request open, and while it is held
     the server is SIGKILLed. The database is then read with the server down: the held
     delivery must be `pending` with a lease (`locked_until`), i.e. claimed and in flight
     (every such lease left by a killed process is recorded); the server is restarted
     on the same database;
  4. after the last restart a few more orders are recorded, and the test waits (up to
     90 s after the last kill) until every delivery is done: a delivery claimed by a
     killed process is attempted again only when its 60 s lease has ended;
  5. checks: every `order.recorded` event in `outbox_events` reached the receiver with a
     valid signature and a fresh timestamp, under its own event id as `webhook-id` and
     with the same body on every attempt, and every order acknowledged with 201 has
     exactly one such event; every `webhook_deliveries` row is `succeeded`; for each
     delivery, requests received <= `attempts` <= requests received + leases it lost
     to a kill (no attempt counted twice, none made without being counted); a delivery
     whose attempt was killed is not tried again before its lease ended; no order was
     answered with a 5xx; the server logs hold no ERROR and no panic.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/webhook_crash_test.py [--backend sqlite|postgres|both] [--cycles 3]
Environment: REFTRACK_BIN (default target/debug/reftrack), REFTRACK_TEST_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/postgres). Exit status 1 on any violation.
A run takes about 1.5 minutes per backend, most of it waiting for the last lease.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from fixture import Api, setup, start_server  # noqa: E402
from inbox_crash_test import Database, parse_time  # noqa: E402

CONNECTION_ERRORS = (OSError, http.client.HTTPException)
LEASE_SECS = 60
# After the last kill: the lease (60 s), a pass every 250 ms, and a loaded machine.
DRAIN_AFTER_LAST_KILL_SECS = 90.0
RETRY_SCHEDULE = "1,1,1,1,1"
# How old (or new) a webhook-timestamp may be when it arrives (README: refuse replays).
TIMESTAMP_TOLERANCE_SECS = 300
# ERROR lines a kill may legitimately cause; none is known so far.
EXPECTED_ERRORS: tuple[str, ...] = ()
# tracing colours its levels unless NO_COLOR is set, in a file too: "\x1b[31mERROR\x1b[0m".
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(line: str) -> str:
    """A log line without its colour codes."""
    return ANSI.sub("", line)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def signature_verifies(secret: str, headers: dict, body: bytes) -> bool:
    """Standard Webhooks: `v1,` base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed
    with the bytes of the secret's base64 after `whsec_`; any of the signatures."""
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    except (KeyError, ValueError):
        return False
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in headers.get("webhook-signature", "").split(" "))


# --- the receiver -----------------------------------------------------------------------

class Receiver:
    """A webhook receiver on 127.0.0.1 that records every request.

    Each request becomes a dict: `id` (webhook-id), `ts` (webhook-timestamp), `arrived`
    (Unix time), `verified`, `fresh` (timestamp within the tolerance), `type`,
    `order_id` (for order events), `body`, `held`, `answer` (the status it answered)
    and `answer_sent` (False when writing the answer failed). With `fail_rate`, that
    share of first arrivals of an id is answered 503; with `slow_rate`, that share is
    held `slow_secs` before a 200; `arm_hold()` holds the next request until
    `release()`.
    """

    def __init__(self, rng: random.Random | None = None, fail_rate: float = 0.0,
                 slow_rate: float = 0.0, slow_secs: tuple[float, float] = (0.5, 1.5)):
        self.secret: str | None = None
        self.rng = rng or random.Random()
        self.fail_rate = fail_rate
        self.slow_rate = slow_rate
        self.slow_secs = slow_secs
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.by_id: dict[str, list[dict]] = defaultdict(list)
        self._armed = False
        self._hold_max = 0.0
        self.holding = threading.Event()   # set when an armed hold has begun
        self.held_request: dict | None = None
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as reqwest would like

            def do_POST(self):  # noqa: N802 (the standard library's name)
                receiver._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 64
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def arm_hold(self, max_secs: float) -> None:
        """Hold the next request that arrives (at most `max_secs`, or until `release`)."""
        with self.lock:
            self._release.clear()
            self.holding.clear()
            self.held_request = None
            self._hold_max = max_secs
            self._armed = True

    def release(self) -> None:
        with self.lock:
            self._armed = False
        self._release.set()

    def shutdown(self) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def snapshot(self) -> tuple[list[dict], dict[str, list[dict]]]:
        with self.lock:
            return list(self.requests), {k: list(v) for k, v in self.by_id.items()}

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        arrived = time.time()
        body = h.rfile.read(int(h.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in h.headers.items()}
        rec = {"id": headers.get("webhook-id"), "ts": headers.get("webhook-timestamp"),
               "arrived": arrived, "body": body, "held": False, "answer": None,
               "answer_sent": None, "type": None, "order_id": None}
        rec["verified"] = self.secret is not None and signature_verifies(self.secret, headers, body)
        try:
            rec["fresh"] = abs(arrived - int(rec["ts"])) <= TIMESTAMP_TOLERANCE_SECS
            rec["skew"] = arrived - int(rec["ts"])
        except (TypeError, ValueError):
            rec["fresh"], rec["skew"] = False, None
        try:
            parsed = json.loads(body)
            rec["type"] = parsed.get("type")
            rec["order_id"] = ((parsed.get("data") or {}).get("order") or {}).get("order_id")
        except (ValueError, AttributeError):
            pass
        with self.lock:
            first = rec["id"] not in self.by_id
            if self._armed:
                self._armed = False
                rec["held"] = True
                self.held_request = rec
                hold_max = self._hold_max
            self.requests.append(rec)
            self.by_id[rec["id"]].append(rec)
            fail = first and self.fail_rate > 0 and self.rng.random() < self.fail_rate
            slow = self.slow_rate > 0 and self.rng.random() < self.slow_rate
            slow_for = self.rng.uniform(*self.slow_secs)
        status = 200
        if rec["held"]:
            self.holding.set()
            self._release.wait(hold_max)
        elif fail:
            status = 503
        elif slow:
            time.sleep(slow_for)
        rec["answer"] = status
        try:
            h.send_response(status)
            h.send_header("content-length", "0")
            h.end_headers()
            h.wfile.flush()
            rec["answer_sent"] = True
        except OSError:
            rec["answer_sent"] = False
            h.close_connection = True


# --- load -------------------------------------------------------------------------------

class Load:
    """The orders sent and what came back, shared by the load threads."""

    def __init__(self, fx: dict, rng: random.Random):
        self.fx = fx
        self.rng = rng
        self.lock = threading.Lock()
        self.n = 0
        self.acked: set[str] = set()
        self.unknown: set[str] = set()     # connection error after sending
        self.refused = 0
        self.statuses: Counter = Counter()
        self.problems: list[str] = []

    def body(self) -> dict:
        with self.lock:
            self.n += 1
            order_id = f"wh-{self.n}-{secrets.token_hex(3)}"
            lines = [{"sku": f"SKU-{self.rng.randint(1, 5)}", "quantity": self.rng.randint(1, 3),
                      "unit_price": self.rng.randint(500, 5000)} for _ in range(self.rng.randint(1, 2))]
        return {"order_id": order_id, "code": self.fx["code"], "currency": "USD",
                "discount_total": 0, "lines": lines}

    def one(self, api: Api) -> bool:
        """Sends one order; False when the server refused the connection (it is down)."""
        body = self.body()
        order_id = body["order_id"]
        try:
            status, _, parsed = api.call("POST", "/v1/checkout/orders", body, token=self.fx["api_key"])
        except ConnectionRefusedError:
            with self.lock:
                self.refused += 1
                self.statuses["connection-refused"] += 1
            return False
        except CONNECTION_ERRORS:
            with self.lock:
                self.unknown.add(order_id)
                self.statuses["connection-error"] += 1
            return True
        with self.lock:
            self.statuses[str(status)] += 1
            if status == 201:
                self.acked.add(order_id)
            else:
                self.problems.append(f"order {order_id}: answered {status} {str(parsed)[:300]}")
        return True

    def worker(self, base_url: str, stop: threading.Event) -> None:
        api = Api(base_url, timeout=20.0)
        while not stop.is_set():
            if not self.one(api):
                return


# --- one backend ------------------------------------------------------------------------

def to_unix(db_text: str) -> float:
    """A TIMESTAMP column (UTC, without a zone) as Unix time."""
    return parse_time(db_text).replace(tzinfo=datetime.timezone.utc).timestamp()


def leases(db: Database) -> list[tuple]:
    """Deliveries that a worker holds (or held when it was killed): (delivery id, event id,
    attempts, locked_until)."""
    return db.rows("SELECT id, event_id, attempts, locked_until FROM webhook_deliveries "
                   "WHERE status = 'pending' AND locked_until IS NOT NULL")


def wait_delivered(db: Database, rc: Receiver, brand: str, endpoint: str, deadline: float,
                   lost: dict) -> tuple[bool, list[tuple]]:
    """Polls until no event is undispatched, every delivery is succeeded and every
    `order.recorded` event reached the receiver; returns (done, deliveries not done)."""
    last_report = 0.0
    while True:
        undispatched = int(db.rows("SELECT COUNT(*) FROM outbox_events "
                                   f"WHERE brand_id = '{brand}' AND dispatched_at IS NULL")[0][0])
        open_ = db.rows("SELECT id, event_id, status, attempts, locked_until, next_attempt_at, "
                        f"last_status, last_error FROM webhook_deliveries WHERE endpoint_id = '{endpoint}' "
                        "AND status <> 'succeeded'")
        events = {r[0] for r in db.rows("SELECT id FROM outbox_events "
                                        f"WHERE brand_id = '{brand}' AND event_type = 'order.recorded'")}
        _, by_id = rc.snapshot()
        missing = events - set(by_id)
        if not undispatched and not open_ and not missing:
            return True, []
        now = time.time()
        if now > deadline:
            return False, open_
        if now - last_report >= 10:
            waiting_lease = [r for r in open_ if (r[0], r[4]) in lost and to_unix(r[4]) > now]
            log(f"  waiting: {undispatched} event(s) undispatched, {len(open_)} deliveries not "
                f"succeeded ({len(waiting_lease)} under the lease of a killed process, the last "
                f"until {max((r[4] for r in waiting_lease), default='-')} UTC), {len(missing)} "
                "event(s) not received")
            last_report = now
        time.sleep(0.5)


def run_backend(backend: str, cycles: int, threads: int, seed: int, corrupt: bool = False) -> bool:
    log(f"=== webhook crash test on {backend}: {cycles} kill -9 cycles during a delivery, "
        f"{threads} order threads ===")
    started = time.monotonic()
    rng = random.Random(seed)
    tmpdir = tempfile.mkdtemp(prefix="reftrack-webhook-crash-")
    pg_name = None
    server = None
    problems: list[str] = []
    rc = Receiver(random.Random(rng.randrange(2**32)), fail_rate=0.05, slow_rate=0.005,
                  slow_secs=(0.3, 1.0))
    # (delivery id, locked_until) -> (event id, attempts at the kill, kill time)
    lost: dict[tuple[str, str], tuple[str, int, float]] = {}
    held_at_kill: list[dict] = []
    try:
        if backend == "sqlite":
            url = os.path.join(tmpdir, "webhooks.db")
            db = Database("sqlite", url, sqlite_path=url)
        else:
            pg_name, url = fixture.create_pg_database("reftrack_webhook_crash")
            db = Database("postgres", url)
        logs = os.path.join(tmpdir, "server.log")
        env = {"REFTRACK_WEBHOOKS_ALLOW_PRIVATE": "true", "REFTRACK_WEBHOOK_RETRY_SCHEDULE": RETRY_SCHEDULE}
        server = start_server(url, log_path=logs, extra_env=env)
        fx = setup(server.base_url, hold_days=0)
        endpoint = Api(server.base_url).expect(201, "POST", "/v1/brand/webhooks", {
            "url": rc.url, "events": ["order.recorded"], "description": "crash test receiver",
        }, token=fx["brand_token"])
        rc.secret = endpoint["secret"]
        brand = fx["brand_id"]
        log(f"brand {fx['brand_slug']}, endpoint {endpoint['id']} -> {rc.url}")
        load = Load(fx, rng)
        last_kill = time.time()
        for cycle in range(1, cycles + 1):
            before = (len(load.acked), len(load.unknown), len(rc.requests))
            stop = threading.Event()
            workers = [threading.Thread(target=load.worker, args=(server.base_url, stop), daemon=True)
                       for _ in range(threads)]
            for w in workers:
                w.start()
            time.sleep(rng.uniform(1.5, 2.5))
            rc.arm_hold(20.0)
            if not rc.holding.wait(15.0):
                problems.append(f"cycle {cycle}: no delivery request arrived within 15 s of arming the "
                                "hold (deliveries stalled?)")
            time.sleep(rng.uniform(0.1, 0.5))
            held = rc.held_request
            server.kill()
            last_kill = kill_time = time.time()
            stop.set()
            for w in workers:
                w.join(timeout=30)
            # The server is down: what it held stays as it was at the kill.
            now_leases = leases(db)
            rc.release()
            new = []
            for did, eid, attempts, until in now_leases:
                key = (did, until)
                if key not in lost and to_unix(until) > kill_time:
                    lost[key] = (eid, int(attempts), kill_time)
                    new.append((did, eid, attempts, until))
            if corrupt and cycle == 1 and held is not None:
                # Self-check of the checker: the killed attempt's lease is dropped, so the
                # restarted server tries it at once.
                db.execute("UPDATE webhook_deliveries SET locked_until = NULL "
                           f"WHERE event_id = '{held['id']}' AND status = 'pending'")
                log(f"--corrupt: dropped the lease of event {held['id']}'s delivery")
            in_flight = "no request held"
            if held is not None:
                held_at_kill.append(held)
                mine = [r for r in now_leases if r[1] == held["id"] and to_unix(r[3]) > kill_time]
                if mine:
                    in_flight = (f"event {held['id']} was in flight (delivery {mine[0][0]} pending, "
                                 f"attempt {mine[0][2]}, lease until {mine[0][3]} UTC)")
                else:
                    row = db.rows("SELECT id, status, attempts, locked_until FROM webhook_deliveries "
                                  f"WHERE event_id = '{held['id']}'")
                    problems.append(f"cycle {cycle}: the receiver held event {held['id']} open at the kill, "
                                    f"but its delivery is not pending under a lease: {row}")
                    in_flight = f"event {held['id']} held, but NOT in flight in the database: {row}"
            log(f"cycle {cycle}: killed; {len(load.acked) - before[0]} orders acknowledged, "
                f"{len(load.unknown) - before[1]} unknown at the kill, {len(rc.requests) - before[2]} "
                f"delivery requests received; {in_flight}; {len(new)} lease(s) left by the killed "
                f"process{'' if len(new) <= 1 else ': ' + str(new)}")
            server = start_server(url, log_path=logs, extra_env=env)
        # The restarted server takes new work too.
        api = Api(server.base_url, timeout=20.0)
        for _ in range(20):
            load.one(api)
        deadline = max(last_kill + DRAIN_AFTER_LAST_KILL_SECS, time.time() + 30)
        log(f"waiting (up to {deadline - time.time():.0f} s) for every delivery: {len(lost)} attempt(s) "
            f"were killed in flight, and their deliveries are tried again only after the "
            f"{LEASE_SECS} s lease")
        waited_from = time.monotonic()
        done, open_ = wait_delivered(db, rc, brand, endpoint["id"], deadline, lost)
        log(f"{'everything delivered' if done else 'NOT everything delivered'} after "
            f"{time.monotonic() - waited_from:.1f} s of waiting")
        for row in open_[:20]:
            problems.append(f"delivery {row[0]} (event {row[1]}) is {row[2]} at the end: attempts {row[3]}, "
                            f"locked_until {row[4]!r}, next_attempt_at {row[5]!r}, last_status {row[6]!r}, "
                            f"last_error {row[7]!r}")
        time.sleep(1.0)  # a few more passes: they must send nothing more
        server.stop()
        server = None
        summary = verify(db, rc, load, brand, endpoint["id"], lost, held_at_kill, problems)
        with open(logs, encoding="utf-8", errors="replace") as f:
            for line in map(plain, f):
                if ("panicked" in line or " ERROR " in line) and not any(e in line for e in EXPECTED_ERRORS):
                    problems.append(f"server log: {line.rstrip()[:400]}")
        log(f"orders: {dict(sorted(load.statuses.items()))}; {len(load.acked)} acknowledged, "
            f"{len(load.unknown)} unknown at a kill")
        log(f"summary: {summary}")
        if len(load.acked) < 30:
            problems.append(f"only {len(load.acked)} orders were acknowledged; the load did not run")
    except Exception as e:  # a crash of the harness or the server is a failure too
        problems.append(f"harness error: {type(e).__name__}: {e}")
    finally:
        if server is not None:
            server.kill()
        rc.shutdown()
        if pg_name:
            fixture.drop_pg_database(pg_name)
    elapsed = time.monotonic() - started
    if problems:
        log(f"FAIL ({backend}, {elapsed:.1f}s): {len(problems)} violation(s):")
        for item in problems[:50]:
            print(f"  - {item}")
        if len(problems) > 50:
            print(f"  … and {len(problems) - 50} more")
        print(f"  server log: {os.path.join(tmpdir, 'server.log')}")
        return False
    shutil.rmtree(tmpdir, ignore_errors=True)
    log(f"PASS ({backend}, {elapsed:.1f}s)")
    return True


def verify(db: Database, rc: Receiver, load: Load, brand: str, endpoint: str,
           lost: dict, held_at_kill: list[dict], problems: list[str]) -> dict:
    requests, by_id = rc.snapshot()
    events = {r[0]: r for r in db.rows("SELECT id, event_type, data FROM outbox_events "
                                       f"WHERE brand_id = '{brand}' AND event_type = 'order.recorded'")}
    deliveries = {r[1]: r for r in db.rows("SELECT id, event_id, status, attempts FROM webhook_deliveries "
                                           f"WHERE endpoint_id = '{endpoint}'")}
    orders = {r[0] for r in db.rows(f"SELECT order_id FROM orders WHERE brand_id = '{brand}'")}

    # Every request: signed with the endpoint's secret, fresh, for an event of the brand.
    for rec in requests:
        if not rec["verified"]:
            problems.append(f"request for webhook-id {rec['id']!r}: the signature does not verify")
        if not rec["fresh"]:
            problems.append(f"request for webhook-id {rec['id']!r}: webhook-timestamp {rec['ts']!r} is "
                            f"{rec['skew']} s from its arrival (tolerance {TIMESTAMP_TOLERANCE_SECS} s)")
        if rec["id"] not in events:
            problems.append(f"request for webhook-id {rec['id']!r} (type {rec['type']!r}): no such "
                            "order.recorded event of the brand")
    # Every event: its order, its delivery, received under its id with one body.
    event_of_order: dict[str, list[str]] = defaultdict(list)
    for eid, (_, _, data) in events.items():
        try:
            order_id = json.loads(data)["order"]["order_id"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"event {eid}: data does not name an order: {data[:200]!r}")
            continue
        event_of_order[order_id].append(eid)
        got = by_id.get(eid, [])
        if not got:
            problems.append(f"event {eid} (order {order_id}) never reached the receiver")
            continue
        if not any(r["verified"] for r in got):
            problems.append(f"event {eid} (order {order_id}) never arrived with a valid signature")
        bodies = {r["body"] for r in got}
        if len(bodies) != 1:
            problems.append(f"event {eid}: {len(got)} requests carried {len(bodies)} different bodies")
        named = {r["order_id"] for r in got}
        if named != {order_id}:
            problems.append(f"event {eid} is order {order_id}, but its requests name orders "
                            f"{sorted(map(str, named))}")
        if eid not in deliveries:
            problems.append(f"event {eid} (order {order_id}) has no delivery to the endpoint")
    # One webhook-id per order, across all attempts.
    ids_per_order: dict[str, set] = defaultdict(set)
    for rec in requests:
        if rec["order_id"]:
            ids_per_order[rec["order_id"]].add(rec["id"])
    for order_id, ids in ids_per_order.items():
        if len(ids) != 1:
            problems.append(f"order {order_id} arrived under {len(ids)} webhook-ids: {sorted(map(str, ids))}")
    for order_id in sorted(load.acked):
        n = len(event_of_order.get(order_id, []))
        if n != 1:
            problems.append(f"acknowledged order {order_id} has {n} order.recorded events")
    if set(event_of_order) != orders:
        problems.append(f"order.recorded events name {len(event_of_order)} orders, the orders table has "
                        f"{len(orders)}: missing {sorted(orders - set(event_of_order))[:5]}, extra "
                        f"{sorted(set(event_of_order) - orders)[:5]}")
    for order_id, eids in event_of_order.items():
        if len(eids) > 1:
            problems.append(f"order {order_id} has {len(eids)} order.recorded events: {eids}")
    problems.extend(load.problems)  # answers other than 201 (a 5xx above all)

    # Attempts: received <= attempts <= received + leases lost to a kill.
    lost_per_event = Counter(eid for eid, _, _ in lost.values())
    attempts_total = 0
    retried = 0
    for eid, (did, _, status, attempts) in deliveries.items():
        attempts = int(attempts)
        attempts_total += attempts
        retried += attempts > 1
        received = len(by_id.get(eid, []))
        if status != "succeeded":
            problems.append(f"delivery {did} (event {eid}) is {status} after {attempts} attempts")
        if not received <= attempts <= received + lost_per_event[eid]:
            problems.append(f"delivery {did} (event {eid}): {attempts} attempts counted, {received} requests "
                            f"received, {lost_per_event[eid]} attempt(s) killed in flight")
        if eid not in events:
            problems.append(f"delivery {did} names event {eid}, not an order.recorded event of the brand")
    # A killed attempt's delivery: tried again with the same id, not before the lease ended.
    redelivered_after = []
    for (did, until), (eid, attempts, kill_time) in lost.items():
        later = sorted(r["arrived"] for r in by_id.get(eid, []) if r["arrived"] > kill_time)
        if not later:
            problems.append(f"delivery {did} (event {eid}), killed in flight at attempt {attempts}, never "
                            "arrived again")
            continue
        lease_end = to_unix(until)
        if later[0] < lease_end - 1.0:
            problems.append(f"delivery {did} (event {eid}) was tried again {lease_end - later[0]:.1f} s "
                            f"before the lease of the killed attempt ended ({until} UTC)")
        redelivered_after.append(later[0] - kill_time)
    for held in held_at_kill:
        answered = [r for r in by_id.get(held["id"], []) if not r["held"] and r["answer"] == 200]
        if not any(r["answer_sent"] for r in answered):
            problems.append(f"event {held['id']}, held at a kill, was never answered 200 afterwards")
    if not lost:
        problems.append("no attempt was killed in flight: the test did not test what it is for")
    skews = [abs(r["skew"]) for r in requests if r["skew"] is not None]
    return {
        "order.recorded events": len(events),
        "deliveries": len(deliveries),
        "attempts counted": attempts_total,
        "requests received": len(requests),
        "answered 503 on purpose": sum(1 for r in requests if r["answer"] == 503),
        "held at a kill": len(held_at_kill),
        "attempts killed in flight": len(lost),
        "deliveries tried more than once": retried,
        "killed attempt to its retry (s)": [round(s, 1) for s in redelivered_after],
        "max |webhook-timestamp - arrival| (s)": round(max(skews, default=0), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--cycles", type=int, default=3, help="kill -9 / restart cycles")
    ap.add_argument("--threads", type=int, default=3, help="threads recording orders")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--corrupt", action="store_true",
                    help="self-check: drop the lease of the first killed attempt (must fail)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    log(f"seed {seed}")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ok = True
    for backend in backends:
        ok = run_backend(backend, args.cycles, args.threads, seed, args.corrupt) and ok
    log("webhook crash test passed" if ok else "webhook crash test FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
