#!/usr/bin/env python3
"""Crash safety of the shop inbox: signed Shopify deliveries, `kill -9` mid-flight, verify.

For each backend (SQLite file, PostgreSQL scratch database):
  1. start `reftrack serve` on a fresh database, create a brand, program and ambassador
     (scripts/fixture.py), give the ambassador the code CRASH10 and connect a Shopify
     integration with a random signing secret;
  2. several cycles of: threads send signed `orders/paid` deliveries (each its own order
     id and `X-Shopify-Event-Id`, body based on tests/fixtures/shopify/orders_paid.json)
     to `POST /v1/integrations/{id}/webhook`, and the server is SIGKILLed after 1-2 s
     while deliveries are in flight and being processed (a 200 answer is
     "acknowledged", a connection error "unknown outcome", a refused connection "not
     delivered"), then restarted on the same database;
  3. after the last restart: re-send every unknown and undelivered delivery exactly as
     before (same body, same event id: what Shopify does until it gets a 2xx) and a
     sample of acknowledged ones (they must answer 200 `duplicate` with the event id
     of the first answer), then wait (up to 90 s) until no event is `received`: the
     worker in `serve` takes an event whose 30 s lease ran out;
  4. read the database directly and check: every acknowledged or re-sent delivery has
     exactly one `shop_events` row (by dedupe key, with the id it was answered with),
     and it is `processed` with its order; that order is in `orders` exactly once; no
     order without its event; at most one commission entry per order (exactly one when
     it earned a commission); as many events as distinct event ids acknowledged.

`--latency N` instead measures, on a fresh SQLite server, N deliveries sent one at a
time: from just before the POST to the moment its order row exists (the SQLite file
polled every 5 ms); prints the median, p90 and max.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/inbox_crash_test.py [--backend sqlite|postgres|both] [--cycles 3]
    python3 scripts/inbox_crash_test.py --latency 100
Environment: REFTRACK_BIN (default target/debug/reftrack), REFTRACK_TEST_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/postgres). Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime
import hashlib
import hmac
import http.client
import json
import math
import os
import random
import secrets
import shlex
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from fixture import Api, parse_body, setup, start_server  # noqa: E402

FIXTURE_ORDER = os.path.join(fixture.REPO_ROOT, "tests", "fixtures", "shopify", "orders_paid.json")
CODE = "CRASH10"
CONNECTION_ERRORS = (OSError, http.client.HTTPException)
# Long enough for a lease of 30 s, a worker pass every 2 s, and a loaded machine.
DRAIN_TIMEOUT_SECS = 90.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Violations:
    def __init__(self):
        self.items: list[str] = []
        self._lock = threading.Lock()

    def add(self, msg: str) -> None:
        with self._lock:
            self.items.append(msg)

    def __bool__(self) -> bool:
        return bool(self.items)


# --- deliveries -------------------------------------------------------------------------

class Shop:
    """The Shopify side: builds and signs `orders/paid` deliveries."""

    def __init__(self, integration_id: str, secret: str, rng: random.Random):
        self.path = f"/v1/integrations/{integration_id}/webhook"
        self.secret = secret.encode("utf-8")
        self.rng = rng
        with open(FIXTURE_ORDER, encoding="utf-8") as f:
            self.template = json.load(f)
        self._lock = threading.Lock()
        # Shopify order ids are 13-digit numbers; a random start keeps runs apart.
        self._next_id = 7_000_000_000_000 + rng.randrange(10**9) * 1000

    def new_delivery(self) -> dict:
        with self._lock:
            self._next_id += 1
            order_id = self._next_id
            prices = [self.rng.randint(500, 9000) for _ in self.template["line_items"]]
        order = copy.deepcopy(self.template)
        order["id"] = order_id
        order["admin_graphql_api_id"] = f"gid://shopify/Order/{order_id}"
        order["name"] = f"#{order_id % 100000}"
        order["discount_codes"][0]["code"] = CODE
        for application in order.get("discount_applications", []):
            if application.get("type") == "discount_code":
                application["code"] = application["title"] = CODE
        # Varied prices with a 10% discount per line, so commissions differ; the other
        # totals are left as in the fixture (the mapping does not check them).
        for item, cents in zip(order["line_items"], prices):
            item["price"] = f"{cents / 100:.2f}"
            discount = cents * item["quantity"] // 10
            for allocation in item["discount_allocations"]:
                allocation["amount"] = f"{discount / 100:.2f}"
                discount = 0
        body = json.dumps(order).encode("utf-8")
        return {"order_id": order_id, "event_id": str(uuid.uuid4()), "body": body,
                "hmac": base64.b64encode(hmac.new(self.secret, body, hashlib.sha256).digest()).decode()}

    def headers(self, delivery: dict) -> dict:
        return {
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Hmac-Sha256": delivery["hmac"],
            "X-Shopify-Event-Id": delivery["event_id"],
            "X-Shopify-Shop-Domain": "crash-shop.myshopify.com",
            "X-Shopify-API-Version": "2024-04",
        }

    def send(self, api: Api, delivery: dict):
        """POST the delivery; returns (status, parsed body). Connection errors propagate."""
        status, headers, raw = api.request("POST", self.path, delivery["body"],
                                           headers=self.headers(delivery))
        return status, parse_body(headers, raw)


class State:
    """What the shop sent and what came back, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.deliveries: dict[str, dict] = {}       # event id -> delivery (everything sent)
        self.acked: dict[str, str] = {}             # event id -> shop_events id answered
        self.answered_ids: dict[str, set] = defaultdict(set)  # event id -> ids in answers
        self.unknown: set[str] = set()              # connection error after sending
        self.undelivered: set[str] = set()          # connection refused: never reached it
        self.resent: set[str] = set()
        self.statuses: Counter = Counter()
        self.server_errors: list[str] = []

    def record_answer(self, event_id: str, status: int, parsed, phase: str) -> None:
        """Notes one answer (caller holds the lock)."""
        kind = parsed.get("status") if isinstance(parsed, dict) else None
        self.statuses[f"{phase}:{status} {kind or ''}".strip()] += 1
        if status == 200 and kind in ("stored", "duplicate"):
            self.acked.setdefault(event_id, parsed.get("event_id"))
            self.answered_ids[event_id].add(parsed.get("event_id"))
            self.unknown.discard(event_id)
            self.undelivered.discard(event_id)
        elif phase == "load":  # re-sends report their own violations
            self.server_errors.append(f"{phase} delivery {event_id}: {status} {parsed}")


def load_worker(base_url: str, shop: Shop, st: State, stop: threading.Event) -> None:
    api = Api(base_url, timeout=20.0)
    while not stop.is_set():
        delivery = shop.new_delivery()
        event_id = delivery["event_id"]
        with st.lock:
            st.deliveries[event_id] = delivery
        try:
            status, parsed = shop.send(api, delivery)
        except ConnectionRefusedError:
            with st.lock:  # never reached the server: it is down (killed)
                st.undelivered.add(event_id)
                st.statuses["load:connection-refused"] += 1
            return
        except CONNECTION_ERRORS:
            with st.lock:
                st.unknown.add(event_id)
                st.statuses["load:connection-error"] += 1
            continue
        with st.lock:
            st.record_answer(event_id, status, parsed, "load")
            if not (status == 200 and isinstance(parsed, dict)
                    and parsed.get("status") in ("stored", "duplicate")):
                st.unknown.add(event_id)  # a non-2xx answer: Shopify would send it again


def resend(base_url: str, shop: Shop, st: State, v: Violations, rng: random.Random,
           sample_size: int) -> Counter:
    """After the last restart: Shopify's retries of unknown outcomes, then of a sample of
    acknowledged deliveries (which must be recognised as duplicates)."""
    api = Api(base_url, timeout=30.0)
    counts = Counter()
    for event_id in sorted(st.unknown | st.undelivered):
        why = "unknown" if event_id in st.unknown else "undelivered"
        status, parsed = shop.send(api, st.deliveries[event_id])
        kind = parsed.get("status") if isinstance(parsed, dict) else None
        counts[f"{why}-resend:{status} {kind or ''}".strip()] += 1
        st.resent.add(event_id)
        st.record_answer(event_id, status, parsed, f"{why}-resend")
        if status != 200 or kind not in ("stored", "duplicate"):
            v.add(f"re-sent {why} delivery {event_id}: {status} {parsed}")
    acked_before = sorted(e for e in st.acked if e not in st.resent)
    for event_id in rng.sample(acked_before, min(sample_size, len(acked_before))):
        status, parsed = shop.send(api, st.deliveries[event_id])
        kind = parsed.get("status") if isinstance(parsed, dict) else None
        counts[f"acked-resend:{status} {kind or ''}".strip()] += 1
        st.resent.add(event_id)
        st.record_answer(event_id, status, parsed, "acked-resend")
        if status != 200 or kind != "duplicate" or parsed.get("event_id") != st.acked[event_id]:
            v.add(f"re-sent acknowledged delivery {event_id} (answered {st.acked[event_id]}): "
                  f"expected 200 duplicate with the same event id, got {status} {parsed}")
    return counts


# --- database access --------------------------------------------------------------------

class Database:
    def __init__(self, backend: str, url: str, sqlite_path: str | None = None):
        self.backend = backend
        self.url = url
        self.sqlite_path = sqlite_path

    def rows(self, sql: str) -> list[tuple]:
        """Rows as tuples of strings ('' for NULL), the same on both backends."""
        if self.backend == "sqlite":
            con = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                out = con.execute(sql).fetchall()
            finally:
                con.close()
            return [tuple("" if v is None else str(v) for v in row) for row in out]
        return [tuple(r) for r in fixture.psql(self.url, sql)]

    def execute(self, sql: str) -> None:
        if self.backend == "sqlite":
            con = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                con.executescript(sql)
                con.commit()
            finally:
                con.close()
        else:
            fixture.psql(self.url, sql)


def wait_drained(db: Database, integration_id: str, timeout: float) -> tuple[float, list[tuple]]:
    """Polls until no event of the integration is `received`; returns the seconds it took
    and the events still `received` at the end (empty when drained)."""
    started = time.monotonic()
    sql = ("SELECT id, dedupe_key, attempts, locked_until FROM shop_events "
           f"WHERE integration_id = '{integration_id}' AND status = 'received'")
    last_report = started
    while True:
        pending = db.rows(sql)
        waited = time.monotonic() - started
        if not pending or waited > timeout:
            return waited, pending
        if time.monotonic() - last_report >= 10:
            log(f"  {len(pending)} event(s) still received after {waited:.0f}s")
            last_report = time.monotonic()
        time.sleep(0.5)


def parse_time(text: str) -> datetime.datetime:
    """A TIMESTAMP column as SQLite or psql prints it."""
    return datetime.datetime.fromisoformat(text.strip().replace("T", " ").rstrip("Z"))


def verify(db: Database, fx: dict, integration_id: str, st: State, v: Violations) -> dict:
    brand = fx["brand_id"]
    events = db.rows("SELECT id, dedupe_key, status, detail, order_id, attempts, topic "
                     f"FROM shop_events WHERE integration_id = '{integration_id}'")
    orders = db.rows(f"SELECT id, order_id, commission FROM orders WHERE brand_id = '{brand}'")
    commissions = db.rows("SELECT id, order_id FROM ledger_entries "
                          f"WHERE brand_id = '{brand}' AND kind = 'commission'")

    events_by_key: dict[str, list[tuple]] = defaultdict(list)
    for row in events:
        events_by_key[row[1]].append(row)
    orders_by_shop_id: dict[str, list[tuple]] = defaultdict(list)
    order_pks = set()
    for row in orders:
        orders_by_shop_id[row[1]].append(row)
        order_pks.add(row[0])
    commission_entries: dict[str, list[str]] = defaultdict(list)
    for entry_id, order_pk in commissions:
        if order_pk not in order_pks:
            v.add(f"commission entry {entry_id} names order {order_pk!r}, not an order of the brand")
        commission_entries[order_pk].append(entry_id)

    # Every acknowledged or re-sent delivery: one event, processed, with its order once.
    must_exist = set(st.acked) | st.resent
    for event_id in sorted(must_exist):
        delivery = st.deliveries[event_id]
        expected_order = f"shopify:{delivery['order_id']}"
        rows = events_by_key.get(event_id, [])
        if len(rows) != 1:
            v.add(f"delivery {event_id} (order {expected_order}) has {len(rows)} shop_events rows: {rows}")
            continue
        pk, _, status, detail, order_id, attempts, topic = rows[0]
        answered = st.answered_ids.get(event_id, set())
        if answered != {pk}:
            v.add(f"delivery {event_id}: stored as event {pk}, but answered with event id(s) "
                  f"{sorted(map(str, answered))}")
        if status != "processed" or order_id != expected_order:
            v.add(f"delivery {event_id}: event {pk} is {status!r} (order_id {order_id!r}, attempts "
                  f"{attempts}, topic {topic!r}, detail {detail!r}); expected processed {expected_order}")
        found = orders_by_shop_id.get(expected_order, [])
        if len(found) != 1:
            v.add(f"delivery {event_id} (event {pk}, {status}): order {expected_order} is in orders "
                  f"{len(found)} times")
    # Nothing else in the inbox, and as many events as distinct event ids acknowledged.
    for key, rows in events_by_key.items():
        if key not in st.acked:
            v.add(f"shop_events has {[r[0] for r in rows]} for dedupe key {key!r}, which was never "
                  f"acknowledged (statuses {[r[2] for r in rows]})")
    if len(events) != len(st.acked):
        v.add(f"{len(events)} shop_events rows, but {len(st.acked)} distinct event ids were acknowledged")
    # No order without its (processed) event; no order twice; at most one commission.
    processed_orders = {r[4] for r in events if r[2] == "processed"}
    for shop_id, rows in orders_by_shop_id.items():
        if len(rows) > 1:
            v.add(f"order {shop_id} is in orders {len(rows)} times: {[r[0] for r in rows]}")
        if shop_id not in processed_orders:
            v.add(f"order {shop_id} ({rows[0][0]}) has no processed shop event")
        for pk, _, commission in rows:
            n = len(commission_entries.get(pk, []))
            if n > 1:
                v.add(f"order {shop_id} ({pk}) has {n} commission entries: {commission_entries[pk]}")
            elif commission and int(commission) > 0 and n != 1:
                v.add(f"order {shop_id} ({pk}) earned {commission} but has {n} commission entries")
    # Diagnostic: events run again after a kill whose order the killed attempt had
    # already recorded (the window between recording and marking the event processed).
    rerun = db.rows("SELECT e.id, e.processed_at, o.created_at FROM shop_events e "
                    "JOIN orders o ON o.brand_id = e.brand_id AND o.order_id = e.order_id "
                    f"WHERE e.integration_id = '{integration_id}' AND e.attempts >= 2")
    recorded_before = sum(1 for _, done, created in rerun
                          if done and created and (parse_time(done) - parse_time(created)).total_seconds() > 1)
    statuses = Counter(r[2] for r in events)
    return {
        "rerun_events": len(rerun),
        "recorded_by_killed_attempt": recorded_before,
        "events": len(events),
        "event_statuses": dict(statuses),
        "orders": len(orders),
        "commission_entries": len(commissions),
        "orders_with_commission": sum(1 for r in orders if r[2] and int(r[2]) > 0),
        "max_attempts": max((int(r[5]) for r in events), default=0),
        "attempts": dict(sorted(Counter(int(r[5]) for r in events).items())),
    }


# --- one backend ------------------------------------------------------------------------

def connect_shop(base_url: str, fx: dict, rng: random.Random) -> Shop:
    """The ambassador's code CRASH10 and a Shopify integration with a random secret."""
    api = Api(base_url)
    api.expect(201, "POST", f"/v1/brand/ambassadors/{fx['membership_id']}/codes", {"code": CODE},
               token=fx["brand_token"])
    secret = f"shpss_{secrets.token_hex(16)}"
    integration = api.expect(201, "POST", "/v1/brand/integrations",
                             {"platform": "shopify", "name": "Crash shop", "signing_secret": secret},
                             token=fx["brand_token"])
    return Shop(integration["id"], secret, rng)


def run_backend(backend: str, cycles: int, threads: int, seed: int, sample_size: int,
                corrupt: bool) -> bool:
    log(f"=== inbox crash test on {backend}: {cycles} kill -9 cycles, {threads} threads ===")
    started = time.monotonic()
    rng = random.Random(seed)
    tmpdir = tempfile.mkdtemp(prefix="reftrack-inbox-crash-")
    pg_name = None
    server = None
    v = Violations()
    st = State()
    try:
        if backend == "sqlite":
            url = os.path.join(tmpdir, "inbox.db")
            db = Database("sqlite", url, sqlite_path=url)
        else:
            pg_name, url = fixture.create_pg_database("reftrack_inbox_crash")
            db = Database("postgres", url)
        logs = os.path.join(tmpdir, "server.log")
        server = start_server(url, log_path=logs)
        fx = setup(server.base_url, hold_days=0)
        shop = connect_shop(server.base_url, fx, rng)
        integration_id = shop.path.split("/")[3]
        log(f"brand {fx['brand_slug']}, code {CODE}, integration {integration_id}")
        for cycle in range(1, cycles + 1):
            before = (len(st.acked), len(st.unknown), len(st.undelivered))
            stop = threading.Event()
            workers = [threading.Thread(target=load_worker, daemon=True,
                                        args=(server.base_url, shop, st, stop))
                       for _ in range(threads)]
            for w in workers:
                w.start()
            time.sleep(rng.uniform(1.0, 2.0))
            server.kill()
            stop.set()
            for w in workers:
                w.join(timeout=30)
            in_db = db.rows("SELECT status, COUNT(*) FROM shop_events "
                            f"WHERE integration_id = '{integration_id}' GROUP BY status")
            log(f"cycle {cycle}: killed; {len(st.acked) - before[0]} acknowledged, "
                f"{len(st.unknown) - before[1]} unknown, {len(st.undelivered) - before[2]} "
                f"refused at the kill; events in the database: {dict(in_db)}")
            server = start_server(url, log_path=logs)
        restarted = time.monotonic()
        counts = resend(server.base_url, shop, st, v, rng, sample_size)
        log(f"re-sent {len(st.resent)} deliveries: {dict(sorted(counts.items()))}")
        waited, pending = wait_drained(db, integration_id, DRAIN_TIMEOUT_SECS)
        if pending:
            for row in pending:
                v.add(f"event {row[0]} (event id {row[1]}) still received {waited:.0f}s after the "
                      f"re-sends (attempts {row[2]}, locked_until {row[3]!r})")
        else:
            log(f"no event received {time.monotonic() - restarted:.1f}s after the last restart")
        server.stop()
        server = None
        if corrupt:
            # Self-check of the checker: a second commission entry for one order.
            pk, membership = db.rows(
                "SELECT o.id, l.membership_id FROM orders o JOIN ledger_entries l ON l.order_id = o.id "
                f"WHERE o.brand_id = '{fx['brand_id']}' AND l.kind = 'commission' LIMIT 1")[0]
            db.execute("INSERT INTO ledger_entries (id, brand_id, membership_id, order_id, kind, "
                       "amount, currency, available_at, created_at) VALUES "
                       f"('corrupt-{secrets.token_hex(4)}', '{fx['brand_id']}', '{membership}', "
                       f"'{pk}', 'commission', 1, 'USD', '2025-01-01 00:00:00', "
                       "'2025-01-01 00:00:00');")
            log(f"--corrupt: inserted a second commission entry for order {pk}")
        summary = verify(db, fx, integration_id, st, v)
        for err in st.server_errors:
            v.add(f"unexpected answer: {err}")
        with open(logs, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "panicked" in line or " ERROR " in line:
                    v.add(f"server log: {line.rstrip()[:400]}")
        duplicates = sum(n for k, n in st.statuses.items() if k.endswith(" duplicate"))
        log(f"answers: {dict(sorted(st.statuses.items()))}")
        unknown_total = counts_total(counts, "unknown-resend")
        undelivered_total = counts_total(counts, "undelivered-resend")
        log(f"summary: sent {len(st.deliveries)}, acknowledged {len(st.acked)}, unknown {unknown_total}, refused "
            f"{undelivered_total}, re-sent {len(st.resent)}, duplicates seen {duplicates}, "
            f"events {summary['events']} {summary['event_statuses']}, orders {summary['orders']} "
            f"({summary['orders_with_commission']} with commission, "
            f"{summary['commission_entries']} commission entries), max attempts "
            f"{summary['max_attempts']} (events by attempts {summary['attempts']}); "
            f"{summary['rerun_events']} event(s) run again after a kill, "
            f"{summary['recorded_by_killed_attempt']} of them with the order already recorded "
            "by the killed attempt")
        if len(st.acked) < 50:
            v.add(f"only {len(st.acked)} deliveries were acknowledged; the load did not run")
        if unknown_total == 0:
            log("note: no delivery was in flight at a kill (no unknown outcome) in this run")
    except Exception as e:  # a crash of the harness or the server is a failure too
        v.add(f"harness error: {type(e).__name__}: {e}")
    finally:
        if server is not None:
            server.kill()
        if pg_name:
            fixture.drop_pg_database(pg_name)
    elapsed = time.monotonic() - started
    if v:
        log(f"FAIL ({backend}, {elapsed:.1f}s): {len(v.items)} violation(s):")
        for item in v.items[:50]:
            print(f"  - {item}")
        if len(v.items) > 50:
            print(f"  … and {len(v.items) - 50} more")
        print(f"  server log: {os.path.join(tmpdir, 'server.log')}")
        return False
    shutil.rmtree(tmpdir, ignore_errors=True)
    log(f"PASS ({backend}, {elapsed:.1f}s)")
    return True


def counts_total(counts: Counter, prefix: str) -> int:
    return sum(n for k, n in counts.items() if k.startswith(prefix + ":"))


# --- latency ----------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_latency(n: int, seed: int) -> bool:
    log(f"=== inbox latency on sqlite: {n} deliveries, one at a time ===")
    rng = random.Random(seed)
    tmpdir = tempfile.mkdtemp(prefix="reftrack-inbox-latency-")
    path = os.path.join(tmpdir, "latency.db")
    server = start_server(path, log_path=os.path.join(tmpdir, "server.log"))
    ok = True
    try:
        fx = setup(server.base_url, hold_days=0)
        shop = connect_shop(server.base_url, fx, rng)
        api = Api(server.base_url, timeout=30.0)
        con = sqlite3.connect(path, timeout=30, isolation_level=None)
        query = "SELECT 1 FROM orders WHERE brand_id = ? AND order_id = ?"
        to_order, to_answer = [], []
        for i in range(n):
            delivery = shop.new_delivery()
            order_id = f"shopify:{delivery['order_id']}"
            t0 = time.perf_counter()
            status, parsed = shop.send(api, delivery)
            t_answer = time.perf_counter()
            if status != 200 or not isinstance(parsed, dict) or parsed.get("status") != "stored":
                log(f"delivery {i}: unexpected answer {status} {parsed}")
                ok = False
                break
            deadline = t0 + 60
            while con.execute(query, (fx["brand_id"], order_id)).fetchone() is None:
                if time.perf_counter() > deadline:
                    log(f"delivery {i} ({delivery['event_id']}): no order {order_id} after 60 s")
                    ok = False
                    break
                time.sleep(0.005)
            t_order = time.perf_counter()
            to_answer.append((t_answer - t0) * 1000)
            to_order.append((t_order - t0) * 1000)
        con.close()
        if to_order:
            log(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")
            log(f"REFTRACK_BIN={os.environ.get('REFTRACK_BIN', '(default)')}")
            log(f"POST to order row ({len(to_order)} deliveries, SQLite polled every 5 ms): median "
                f"{statistics.median(to_order):.1f} ms, p90 {percentile(to_order, 0.9):.1f} ms, "
                f"max {max(to_order):.1f} ms")
            log(f"POST to 200 answer: median {statistics.median(to_answer):.1f} ms, p90 "
                f"{percentile(to_answer, 0.9):.1f} ms, max {max(to_answer):.1f} ms")
    finally:
        server.stop()
    if ok:
        shutil.rmtree(tmpdir, ignore_errors=True)
    else:
        log(f"server log kept in {tmpdir}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--cycles", type=int, default=3, help="kill -9 / restart cycles")
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--resend-sample", type=int, default=60,
                    help="acknowledged deliveries sent again after the last restart")
    ap.add_argument("--latency", type=int, default=0, metavar="N",
                    help="instead of the crash test: time N deliveries to their order (SQLite)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--corrupt", action="store_true",
                    help="self-check: corrupt the ledger before verifying (must fail)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    log(f"seed {seed}")
    if args.latency > 0:
        ok = run_latency(args.latency, seed)
        log("latency run finished" if ok else "latency run FAILED")
        return 0 if ok else 1
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ok = True
    for backend in backends:
        ok = run_backend(backend, args.cycles, args.threads, seed, args.resend_sample,
                         args.corrupt) and ok
    log("inbox crash test passed" if ok else "inbox crash test FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
