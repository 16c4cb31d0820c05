#!/usr/bin/env python3
"""Crash safety: orders and refunds under load, `kill -9` mid-flight, restart, verify.

For each backend (SQLite file, PostgreSQL scratch database):
  1. start `reftrack serve` on a fresh database, create a brand, API key, program and
     ambassador through the API (scripts/fixture.py);
  2. several cycles of: order and refund load from several threads (multi-line carts,
     most with the ambassador's code, some with an Idempotency-Key, refunds and
     cancellations of acknowledged orders), then SIGKILL the server while requests are in
     flight (connection errors count as "unknown outcome") and restart it on the same
     database, then run `reftrack verify` (the running totals against the ledger);
  3. after the last restart, retry every unknown-outcome request and re-send a sample of
     acknowledged ones (they must replay the stored answer, byte for byte), and send
     acknowledged order ids under another key (409 order_exists);
  4. read the database directly and check: every acknowledged order and refund exists
     exactly once and matches its answer, nothing the server refused was written, no
     (brand, order_id) twice, at most one commission entry per order and one reversal
     entry per refund, and per order: commission - sum(reversals) = sum(ledger entries);
     and `reftrack verify` once more.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/crash_test.py [--backend sqlite|postgres|both] [--cycles 3]
Environment: REFTRACK_BIN (default target/debug/reftrack), REFTRACK_TEST_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/postgres). Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from fixture import Api, parse_body, setup, start_server  # noqa: E402

SKUS = [("BEANS-1KG", "coffee"), ("BEANS-250G", "coffee"), ("MUG", "gear"),
        ("GRINDER", "equipment"), ("FILTERS", None), ("KETTLE", "equipment")]
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


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


class State:
    """Everything the clients sent and what came back, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        # order_id -> {"body": dict, "key": str|None, "raw": bytes}
        self.acked_orders: dict[str, dict] = {}
        # order_id -> {"body", "key"} for requests whose outcome is unknown (crash)
        self.unknown_orders: dict[str, dict] = {}
        # order_id -> status/code of a refused order (must not be in the database)
        self.refused_orders: dict[str, str] = {}
        # (order_id, refund_id) -> {"body": dict|None (cancel), "raw": bytes, "resp": dict}
        self.acked_refunds: dict[tuple[str, str], dict] = {}
        self.unknown_refunds: dict[tuple[str, str | None], dict] = {}
        self.refused_refunds: dict[tuple[str, str], str] = {}
        self.statuses: Counter = Counter()
        self.server_errors: list[str] = []


def make_order(rng: random.Random, order_id: str, fx: dict) -> dict:
    lines = []
    for _ in range(rng.randint(1, 4)):
        sku, category = rng.choice(SKUS)
        line = {"sku": sku, "quantity": rng.randint(1, 3), "unit_price": rng.randint(99, 4999)}
        if category and rng.random() < 0.7:
            line["category"] = category
        lines.append(line)
    subtotal = sum(line["quantity"] * line["unit_price"] for line in lines)
    body = {"order_id": order_id, "currency": fx["currency"], "lines": lines,
            "discount_total": rng.randint(0, subtotal // 5)}
    r = rng.random()
    if r < 0.80:
        body["code"] = fx["code"] if rng.random() < 0.8 else fx["code"].lower()
    elif r < 0.85:
        body["code"] = "NOSUCHCODE9"
    if rng.random() < 0.3:
        body["shipping_total"] = rng.randint(0, 900)
        body["tax_total"] = rng.randint(0, 900)
    if rng.random() < 0.3:
        body["customer_email"] = (fx["influencer_email"] if rng.random() < 0.1
                                  else f"customer-{rng.randint(1, 10**9)}@example.net")
    return body


def order_headers(key: str | None) -> dict | None:
    return {"Idempotency-Key": key} if key else None


def problem_code(parsed) -> str:
    """The problem `code` of an error answer ('' for anything else)."""
    if isinstance(parsed, dict) and "type" in parsed and "status" in parsed:
        return parsed.get("code", "")
    return ""


def load_worker(tid: int, cycle: int, base_url: str, fx: dict, st: State, stop: threading.Event,
                seed: int) -> None:
    rng = random.Random(seed)
    api = Api(base_url, timeout=20.0)
    try:
        load_loop(tid, cycle, api, fx, st, stop, rng)
    except ConnectionRefusedError:
        pass  # the server was killed; this thread is done for the cycle


def load_loop(tid, cycle, api, fx, st, stop, rng) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        with st.lock:
            candidates = list(st.acked_orders.keys()) if rng.random() < 0.2 else []
        if candidates:
            order_id = rng.choice(candidates)
            do_refund(rng, api, fx, st, order_id)
            continue
        order_id = f"c{cycle}-t{tid}-{n}-{secrets.token_hex(3)}"
        body = make_order(rng, order_id, fx)
        key = f"idem-{order_id}" if rng.random() < 0.4 else None
        send_order(api, fx, st, body, key)


def send_order(api: Api, fx: dict, st: State, body: dict, key: str | None) -> None:
    order_id = body["order_id"]
    try:
        status, headers, raw = api.request("POST", "/v1/checkout/orders", body,
                                           token=fx["api_key"], headers=order_headers(key))
    except ConnectionRefusedError:
        with st.lock:  # never sent: the server is down (killed)
            st.statuses["order:connection-refused"] += 1
        raise
    except CONNECTION_ERRORS:
        with st.lock:
            st.unknown_orders[order_id] = {"body": body, "key": key}
            st.statuses["order:connection-error"] += 1
        return
    parsed = parse_body(headers, raw)
    with st.lock:
        st.statuses[f"order:{status} {problem_code(parsed)}".strip()] += 1
        if status == 201:
            st.acked_orders[order_id] = {"body": body, "key": key, "raw": raw}
            st.unknown_orders.pop(order_id, None)
        else:
            if status >= 500:
                st.server_errors.append(f"POST /v1/checkout/orders {order_id}: {status} {parsed}")
            if order_id not in st.acked_orders and order_id not in st.unknown_orders:
                st.refused_orders[order_id] = f"{status} {problem_code(parsed)}"


def do_refund(rng: random.Random, api: Api, fx: dict, st: State, order_id: str) -> None:
    with st.lock:
        order = st.acked_orders[order_id]["body"]
    subtotal = sum(line["quantity"] * line["unit_price"] for line in order["lines"])
    net = subtotal - order["discount_total"]
    r = rng.random()
    if r < 0.1:
        path, body, refund_id = f"/v1/checkout/orders/{order_id}/cancel", None, None
    else:
        refund_id = f"rf-{secrets.token_hex(4)}"
        if r < 0.3:
            line = rng.choice(order["lines"])
            body = {"refund_id": refund_id, "lines": [{"sku": line["sku"], "quantity": 1}]}
        else:
            body = {"refund_id": refund_id, "amount": rng.randint(1, max(1, net // 3))}
        path = f"/v1/checkout/orders/{order_id}/refunds"
    try:
        status, headers, raw = api.request("POST", path, body if body is not None else {},
                                           token=fx["api_key"])
    except ConnectionRefusedError:
        with st.lock:  # never sent: the server is down (killed)
            st.statuses["refund:connection-refused"] += 1
        raise
    except CONNECTION_ERRORS:
        with st.lock:
            st.unknown_refunds[(order_id, refund_id)] = {"body": body}
            st.statuses["refund:connection-error"] += 1
        return
    parsed = parse_body(headers, raw)
    with st.lock:
        st.statuses[f"{'cancel' if body is None else 'refund'}:{status} {problem_code(parsed)}".strip()] += 1
        if status == 201:
            st.acked_refunds[(order_id, parsed["refund_id"])] = {"body": body, "raw": raw,
                                                                 "resp": parsed}
        else:
            if status >= 500:
                st.server_errors.append(f"POST {path}: {status} {parsed}")
            if refund_id is not None:
                st.refused_refunds[(order_id, refund_id)] = f"{status} {problem_code(parsed)}"


# --- database access ------------------------------------------------------------------

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


def verify(db: Database, fx: dict, st: State, v: Violations) -> dict:
    brand = fx["brand_id"]
    orders = db.rows(f"SELECT id, order_id, net_amount, commission, membership_id, subtotal "
                     f"FROM orders WHERE brand_id = '{brand}'")
    refunds = db.rows("SELECT r.id, o.order_id, r.refund_id, r.amount, r.reversal, r.order_id "
                      "FROM refunds r JOIN orders o ON o.id = r.order_id "
                      f"WHERE o.brand_id = '{brand}'")
    entries = db.rows("SELECT id, order_id, refund_id, kind, amount, membership_id "
                      f"FROM ledger_entries WHERE brand_id = '{brand}'")
    dup = db.rows("SELECT brand_id, order_id, COUNT(*) FROM orders "
                  "GROUP BY brand_id, order_id HAVING COUNT(*) > 1")
    for b, oid, n in dup:
        v.add(f"order_id {oid!r} of brand {b} stored {n} times")

    by_shop_id: dict[str, list[tuple]] = defaultdict(list)
    by_pk: dict[str, tuple] = {}
    for row in orders:
        by_shop_id[row[1]].append(row)
        by_pk[row[0]] = row
    refunds_of: dict[str, list[tuple]] = defaultdict(list)
    refund_by_key: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    refund_by_pk: dict[str, tuple] = {}
    for row in refunds:
        refunds_of[row[1]].append(row)
        refund_by_key[(row[1], row[2])].append(row)
        refund_by_pk[row[0]] = row
    entries_of: dict[str, list[tuple]] = defaultdict(list)
    for e in entries:
        owner = e[1] or (refund_by_pk[e[2]][5] if e[2] in refund_by_pk else "")
        if owner not in by_pk:
            v.add(f"ledger entry {e[0]} belongs to no order of the brand (order {e[1]!r}, refund {e[2]!r})")
            continue
        entries_of[owner].append(e)

    # Every acknowledged order exists exactly once and matches its answer.
    for oid, ack in st.acked_orders.items():
        rows = by_shop_id.get(oid, [])
        if len(rows) != 1:
            v.add(f"acknowledged order {oid!r} found {len(rows)} times")
            continue
        resp = json.loads(ack["raw"])
        _, _, net, commission, _, _ = rows[0]
        if int(net) != resp["net_amount"] or int(commission) != resp["commission"]["amount"]:
            v.add(f"order {oid!r}: database net/commission {net}/{commission} != answered "
                  f"{resp['net_amount']}/{resp['commission']['amount']}")
    # Nothing refused was written.
    for oid, why in st.refused_orders.items():
        if oid in by_shop_id and oid not in st.acked_orders:
            v.add(f"order {oid!r} was refused ({why}) but is in the database")
    # Every order in the database was either acknowledged or of unknown outcome.
    for oid in by_shop_id:
        if oid not in st.acked_orders and oid not in st.unknown_orders:
            v.add(f"order {oid!r} is in the database but was never sent or acknowledged")

    # Refunds: acknowledged ones exist once and match.
    for (oid, rid), ack in st.acked_refunds.items():
        rows = refund_by_key.get((oid, rid), [])
        if len(rows) != 1:
            v.add(f"acknowledged refund {rid!r} of order {oid!r} found {len(rows)} times")
            continue
        _, _, _, amount, reversal, _ = rows[0]
        resp = ack["resp"]
        if int(amount) != resp["amount"] or int(reversal) != resp["reversal"]:
            v.add(f"refund {rid!r} of {oid!r}: database amount/reversal {amount}/{reversal} "
                  f"!= answered {resp['amount']}/{resp['reversal']}")
    for (oid, rid), why in st.refused_refunds.items():
        if (oid, rid) in refund_by_key and (oid, rid) not in st.acked_refunds:
            v.add(f"refund {rid!r} of {oid!r} was refused ({why}) but is in the database")

    # Per order money: refunds within the net, one commission entry, ledger sums.
    checked = 0
    for pk, (_, oid, net, commission, membership, _) in by_pk.items():
        checked += 1
        rs = refunds_of.get(oid, [])
        refunded = sum(int(r[3]) for r in rs)
        reversed_ = sum(int(r[4]) for r in rs)
        if refunded > int(net):
            v.add(f"order {oid!r}: refunds {refunded} exceed the net {net}")
        if reversed_ > int(commission):
            v.add(f"order {oid!r}: reversals {reversed_} exceed the commission {commission}")
        es = entries_of.get(pk, [])
        commission_entries = [e for e in es if e[3] == "commission"]
        if len(commission_entries) > 1:
            v.add(f"order {oid!r} has {len(commission_entries)} commission entries")
        if int(commission) > 0 and len(commission_entries) != 1:
            v.add(f"order {oid!r} earned {commission} but has {len(commission_entries)} commission entries")
        for e in commission_entries:
            if int(e[4]) != int(commission) or e[5] != membership:
                v.add(f"order {oid!r}: commission entry {e[0]} amount {e[4]} / membership "
                      f"{e[5]} != order commission {commission} / {membership}")
        per_refund = Counter(e[2] for e in es if e[3] == "reversal")
        for rid_pk, n in per_refund.items():
            if n > 1:
                v.add(f"order {oid!r}: refund {rid_pk} has {n} reversal entries")
            r = refund_by_pk.get(rid_pk)
            amount = sum(int(e[4]) for e in es if e[3] == "reversal" and e[2] == rid_pk)
            if r is None or amount != -int(r[4]):
                v.add(f"order {oid!r}: reversal entries of refund {rid_pk} sum to {amount}, "
                      f"refund reversal is {r[4] if r else 'missing'}")
        other = [e for e in es if e[3] not in ("commission", "reversal")]
        if other:
            v.add(f"order {oid!r} has unexpected ledger entries {other}")
        total = sum(int(e[4]) for e in es)
        if int(commission) - reversed_ != total:
            v.add(f"order {oid!r}: commission {commission} - reversed {reversed_} = "
                  f"{int(commission) - reversed_} but its ledger entries sum to {total}")
    return {"orders": len(orders), "refunds": len(refunds), "entries": len(entries),
            "checked": checked}


def retry_and_replay(base_url: str, fx: dict, st: State, v: Violations, rng: random.Random) -> dict:
    """After the last restart: settle unknown outcomes, then check that replays replay."""
    api = Api(base_url, timeout=30.0)
    counts = Counter()
    # 1. Retry every unknown-outcome order exactly as sent: it is recorded once, now.
    for oid, sent in list(st.unknown_orders.items()):
        status, headers, raw = api.request("POST", "/v1/checkout/orders", sent["body"],
                                           token=fx["api_key"], headers=order_headers(sent["key"]))
        replayed = " (replayed: committed before the kill)" if headers.get("idempotent-replayed") == "true" else ""
        counts[f"unknown-order-retry:{status}{replayed}"] += 1
        if status == 201:
            st.acked_orders[oid] = {"body": sent["body"], "key": sent["key"], "raw": raw}
        else:
            v.add(f"retry of unknown-outcome order {oid!r}: {status} {parse_body(headers, raw)}")
    # 2. Retry unknown-outcome refunds and cancellations exactly as sent: 201 (new or
    #    replayed), or refused because other refunds took the rest of the net.
    for (oid, rid), sent in list(st.unknown_refunds.items()):
        if rid is None:
            path, body = f"/v1/checkout/orders/{oid}/cancel", {}
            allowed = {"already_refunded"}
        else:
            path, body = f"/v1/checkout/orders/{oid}/refunds", sent["body"]
            allowed = {"refund_exceeds_net", "validation_failed", "nothing_to_refund"}
        status, headers, raw = api.request("POST", path, body, token=fx["api_key"])
        parsed = parse_body(headers, raw)
        replayed = " (replayed)" if headers.get("idempotent-replayed") == "true" else ""
        counts[f"unknown-refund-retry:{status} {problem_code(parsed)}".strip() + replayed] += 1
        if status == 201:
            st.acked_refunds[(oid, parsed["refund_id"])] = {"body": sent["body"], "raw": raw,
                                                            "resp": parsed}
        elif problem_code(parsed) not in allowed:
            v.add(f"retry of unknown-outcome refund {rid!r} of {oid!r}: {status} {parsed}")
    # 3. Re-send acknowledged orders: byte-identical replay, never a second order.
    sample = rng.sample(sorted(st.acked_orders), min(60, len(st.acked_orders)))
    for oid in sample:
        ack = st.acked_orders[oid]
        status, headers, raw = api.request("POST", "/v1/checkout/orders", ack["body"],
                                           token=fx["api_key"], headers=order_headers(ack["key"]))
        counts[f"order-replay:{status}"] += 1
        if status != 201 or headers.get("idempotent-replayed") != "true":
            v.add(f"re-sent order {oid!r}: {status} replayed={headers.get('idempotent-replayed')} "
                  f"{parse_body(headers, raw)}")
        elif raw != ack["raw"]:
            v.add(f"re-sent order {oid!r}: replay differs from the first answer\n  first:  "
                  f"{ack['raw'][:300]!r}\n  replay: {raw[:300]!r}")
    # 4. The same order ids under another idempotency key (or without the key): 409.
    for oid in sample[:20]:
        ack = st.acked_orders[oid]
        other_key = None if ack["key"] else f"other-{secrets.token_hex(4)}"
        status, headers, raw = api.request("POST", "/v1/checkout/orders", ack["body"],
                                           token=fx["api_key"], headers=order_headers(other_key))
        parsed = parse_body(headers, raw)
        counts[f"order-other-key:{status} {problem_code(parsed)}".strip()] += 1
        if status != 409 or problem_code(parsed) != "order_exists":
            v.add(f"order {oid!r} under another key: expected 409 order_exists, got {status} {parsed}")
    # 5. Re-send acknowledged refunds: byte-identical replay.
    refund_sample = rng.sample(sorted(st.acked_refunds), min(40, len(st.acked_refunds)))
    for oid, rid in refund_sample:
        ack = st.acked_refunds[(oid, rid)]
        if ack["body"] is None:
            path, body = f"/v1/checkout/orders/{oid}/cancel", {}
        else:
            path, body = f"/v1/checkout/orders/{oid}/refunds", ack["body"]
        status, headers, raw = api.request("POST", path, body, token=fx["api_key"])
        counts[f"refund-replay:{status}"] += 1
        if status != 201 or headers.get("idempotent-replayed") != "true" or raw != ack["raw"]:
            v.add(f"re-sent refund {rid!r} of {oid!r}: {status} replayed="
                  f"{headers.get('idempotent-replayed')} identical={raw == ack['raw']}")
    return counts


def run_backend(backend: str, cycles: int, threads: int, load_secs: float, seed: int,
                corrupt: bool) -> bool:
    log(f"=== crash test on {backend}: {cycles} kill -9 cycles, {threads} threads ===")
    started = time.monotonic()
    rng = random.Random(seed)
    tmpdir = tempfile.mkdtemp(prefix="reftrack-crash-")
    pg_name = None
    server = None
    v = Violations()
    st = State()
    try:
        if backend == "sqlite":
            path = os.path.join(tmpdir, "crash.db")
            url = path
            db = Database("sqlite", url, sqlite_path=path)
        else:
            pg_name, url = fixture.create_pg_database("reftrack_crash")
            db = Database("postgres", url)
        # The in-process maturation job runs every second, so approvals crash too.
        env = {"REFTRACK_JOBS_INTERVAL_SECS": "1"}
        logs = os.path.join(tmpdir, "server.log")
        server = start_server(url, extra_env=env, log_path=logs)
        fx = setup(server.base_url, hold_days=0,
                   rewards=[{"every_orders": 5, "sku": "FREE-BAG", "description": "A free bag"}])
        log(f"brand {fx['brand_slug']}, code {fx['code']}")
        for cycle in range(1, cycles + 1):
            before = (len(st.unknown_orders), len(st.unknown_refunds))
            stop = threading.Event()
            workers = [threading.Thread(target=load_worker, daemon=True,
                                        args=(i, cycle, server.base_url, fx, st, stop,
                                              rng.randrange(2**32)))
                       for i in range(threads)]
            for w in workers:
                w.start()
            time.sleep(load_secs * rng.uniform(0.8, 1.3))
            server.kill()
            stop.set()
            for w in workers:
                w.join(timeout=30)
            log(f"cycle {cycle}: killed; {len(st.acked_orders)} orders and "
                f"{len(st.acked_refunds)} refunds acknowledged so far, "
                f"{len(st.unknown_orders) - before[0]} orders / "
                f"{len(st.unknown_refunds) - before[1]} refunds in flight at the kill")
            server = start_server(url, extra_env=env, log_path=logs)
            # The running totals were written in the killed transactions' own
            # transactions: after the restart they still equal the ledger.
            for item in fixture.verify_totals(url, f"after kill {cycle}"):
                v.add(item)
        counts = retry_and_replay(server.base_url, fx, st, v, rng)
        server.stop()
        server = None
        for item in fixture.verify_totals(url, "at the end"):
            v.add(item)
        if corrupt:
            # Self-check of the checker: a second commission entry for one order.
            oid = next(o for o, a in st.acked_orders.items()
                       if json.loads(a["raw"])["commission"]["amount"] > 0)
            pk = db.rows(f"SELECT id, membership_id FROM orders WHERE brand_id = '{fx['brand_id']}' "
                         f"AND order_id = '{oid}'")[0]
            db.execute("INSERT INTO ledger_entries (id, brand_id, membership_id, order_id, kind, "
                       "amount, currency, available_at, created_at) VALUES "
                       f"('corrupt-{secrets.token_hex(4)}', '{fx['brand_id']}', '{pk[1]}', "
                       f"'{pk[0]}', 'commission', 1, 'USD', '2025-01-01 00:00:00', "
                       "'2025-01-01 00:00:00');")
            log(f"--corrupt: inserted a duplicate commission entry for order {oid!r}")
        summary = verify(db, fx, st, v)
        for err in st.server_errors:
            v.add(f"5xx answer during load: {err}")
        with open(logs, encoding="utf-8", errors="replace") as f:
            for line in f:
                if "panicked" in line or " ERROR " in line:
                    v.add(f"server log: {line.rstrip()[:400]}")
        log(f"statuses during load: {dict(sorted(st.statuses.items()))}")
        log(f"after restart: {dict(sorted(counts.items()))}")
        log(f"database: {summary['orders']} orders, {summary['refunds']} refunds, "
            f"{summary['entries']} ledger entries; {len(st.acked_orders)} orders and "
            f"{len(st.acked_refunds)} refunds acknowledged")
        if len(st.acked_orders) < 50:
            v.add(f"only {len(st.acked_orders)} orders were acknowledged; the load did not run")
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--cycles", type=int, default=3, help="kill -9 / restart cycles")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--load-secs", type=float, default=1.5, help="load before each kill")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--corrupt", action="store_true",
                    help="self-check: corrupt the ledger before verifying (must fail)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    log(f"seed {seed}")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    ok = True
    for backend in backends:
        ok = run_backend(backend, args.cycles, args.threads, args.load_secs, seed,
                         args.corrupt) and ok
    log("crash test passed" if ok else "crash test FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
