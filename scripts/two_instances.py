#!/usr/bin/env python3
"""Two reftrack instances on one PostgreSQL database, with concurrent maturation and webhooks.

Starts two `reftrack serve` processes (different ports) on one fresh PostgreSQL
database, both running the in-process maturation job every second and the webhook pass
every 250 ms (`REFTRACK_WEBHOOKS_ALLOW_PRIVATE=true`), with a program of
`hold_days: 0` and free-item rewards (every 3 orders, every 5 orders) and two
ambassadors. Before the load, the brand creates a webhook endpoint for every event type
pointing at a local receiver (scripts/webhook_crash_test.py's) that verifies each
request's signature and answers 200 at once. Then, concurrently:
  - unique orders spread over both instances;
  - identical retries split across the instances at the same moment: the same body and
    `Idempotency-Key` to both, and the same `order_id` without a key to both;
  - partial refunds, some sent to both instances at once with the same `refund_id`;
  - `reftrack jobs run-once` several times in parallel with the in-process jobs (it
    makes a webhook pass too).
It waits until maturation has approved every ledger entry and every webhook delivery
has succeeded, then checks in the database: no (brand, order_id) twice and one order
per retried request; both instances gave the byte-identical answer to every retried
request, equal to the stored answer; every ledger entry was approved exactly once (an
audit trigger installed in the scratch database records each write of `approved_at`);
per order, commission - reversals = sum of its ledger entries, at most one commission
entry per order and one reversal per refund; rewards granted exactly once: per
ambassador and reward SKU, sequences 1..n with n = floor(qualifying orders / N).
Webhooks: each event's webhook-id arrived exactly once (the receiver answers 200 at
once, so a second arrival means two processes made the same attempt), with a valid
signature and a fresh timestamp; the ids received are exactly the brand's outbox events
(orders, refunds, approvals, rewards, the second ambassador joining, ...) since the
endpoint was made; each delivery is `succeeded` after one attempt, and the attempts the
processes logged add up to the requests received. No answer may be a 5xx and no log an
ERROR (read without the colour codes tracing writes).

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/two_instances.py
Environment: REFTRACK_BIN (default target/debug/reftrack), REFTRACK_TEST_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/postgres). Exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
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
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from fixture import Api, parse_body, setup, start_server  # noqa: E402
from webhook_crash_test import TIMESTAMP_TOLERANCE_SECS, Receiver, plain  # noqa: E402

REWARDS = [{"every_orders": 3, "sku": "FREE-BAG", "description": "A free bag"},
           {"every_orders": 5, "sku": "FREE-MUG", "description": "A free mug"}]
SKUS = ["BEANS-1KG", "BEANS-250G", "MUG", "GRINDER", "FILTERS"]
CONNECTION_ERRORS = (OSError, http.client.HTTPException)
WEBHOOK_ENV = {"REFTRACK_WEBHOOKS_ALLOW_PRIVATE": "true",
               # The jobs' pass reports at INFO: the webhook attempts, for the sum check.
               "RUST_LOG": "warn,reftrack::jobs=info"}
# "webhook pass fanned_out=.. attempted=N" (serve's pass), "webhook pass" or "outbox pass"
# with attempted=N (run-once's, at its end).
ATTEMPTED = re.compile(r"(?:webhook|outbox) pass\b.*\battempted=(\d+)")

AUDIT_SQL = """
CREATE TABLE fault_approval_log (
    entry_id     TEXT NOT NULL,
    op           TEXT NOT NULL,
    old_approved TIMESTAMP,
    new_approved TIMESTAMP,
    logged_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE FUNCTION fault_log_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.approved_at IS NOT NULL THEN
            INSERT INTO fault_approval_log (entry_id, op, new_approved)
            VALUES (NEW.id, 'insert', NEW.approved_at);
        END IF;
    ELSIF OLD.approved_at IS DISTINCT FROM NEW.approved_at THEN
        INSERT INTO fault_approval_log (entry_id, op, old_approved, new_approved)
        VALUES (NEW.id, 'update', OLD.approved_at, NEW.approved_at);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER fault_log_approval AFTER INSERT OR UPDATE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION fault_log_approval();
"""


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Run:
    def __init__(self, urls: list[str], fx: dict, codes: list[str], seed: int):
        self.urls = urls
        self.fx = fx
        self.codes = codes
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.violations: list[str] = []
        self.statuses: Counter = Counter()
        # order_id -> (body, key, raw answer)
        self.orders: dict[str, tuple[dict, str | None, bytes]] = {}
        # idempotency key ("key:..." / "order:...") -> raw answer both instances gave
        self.twin_answers: dict[str, bytes] = {}
        self.refunds: dict[tuple[str, str], bytes] = {}
        self.twin_orders: list[str] = []
        self.run_once_attempted = 0

    def violation(self, msg: str) -> None:
        with self.lock:
            self.violations.append(msg)

    def post(self, instance: int, path: str, body, headers=None):
        api = Api(self.urls[instance], timeout=60.0)
        try:
            status, hdrs, raw = api.request("POST", path, body, token=self.fx["api_key"],
                                            headers=headers)
        except CONNECTION_ERRORS as e:
            self.violation(f"instance {instance}: POST {path}: connection error {e!r}")
            return None, {}, b""
        parsed = parse_body(hdrs, raw)
        code = parsed.get("code", "") if status >= 400 and isinstance(parsed, dict) else ""
        with self.lock:
            self.statuses[f"{path.split('/')[-1] if 'refunds' in path else 'orders'}:"
                          f"{status} {code}".strip()] += 1
        if status >= 500:
            self.violation(f"instance {instance}: POST {path}: {status} {parsed}")
        return status, hdrs, raw

    def order_body(self, order_id: str) -> dict:
        with self.lock:
            rng = random.Random(self.rng.randrange(2**32))
        lines = [{"sku": rng.choice(SKUS), "quantity": rng.randint(1, 3),
                  "unit_price": rng.randint(500, 5000)} for _ in range(rng.randint(1, 3))]
        subtotal = sum(line["quantity"] * line["unit_price"] for line in lines)
        body = {"order_id": order_id, "currency": "USD", "lines": lines,
                "discount_total": rng.randint(0, subtotal // 5)}
        if rng.random() < 0.9:
            body["code"] = rng.choice(self.codes)
        return body

    # --- tasks -----------------------------------------------------------------------

    def single_order(self, n: int) -> None:
        order_id = f"single-{n}-{secrets.token_hex(3)}"
        body = self.order_body(order_id)
        key = f"k-{order_id}" if n % 2 else None
        status, hdrs, raw = self.post(n % 2, "/v1/checkout/orders", body,
                                      {"Idempotency-Key": key} if key else None)
        if status == 201:
            with self.lock:
                self.orders[order_id] = (body, key, raw)
        elif status is not None:
            self.violation(f"order {order_id}: {status} {raw[:300]!r}")

    def twin_order(self, n: int, with_key: bool) -> None:
        """The same request to both instances at the same moment."""
        order_id = f"twin-{'k' if with_key else 'n'}-{n}-{secrets.token_hex(3)}"
        body = self.order_body(order_id)
        key = f"tk-{order_id}" if with_key else None
        headers = {"Idempotency-Key": key} if key else None
        results = self.twins("/v1/checkout/orders", body, headers)
        if results is None:
            return
        (s0, h0, r0), (s1, h1, r1) = results
        label = f"twin order {order_id} ({'same key' if with_key else 'no key'})"
        if s0 != 201 or s1 != 201:
            self.violation(f"{label}: statuses {s0}/{s1}: {r0[:200]!r} / {r1[:200]!r}")
            return
        if r0 != r1:
            self.violation(f"{label}: the instances answered differently:\n  A: {r0[:300]!r}\n"
                           f"  B: {r1[:300]!r}")
        replayed = sorted([h0.get("idempotent-replayed", ""), h1.get("idempotent-replayed", "")])
        if replayed != ["", "true"] and replayed != ["false", "true"]:
            self.violation(f"{label}: Idempotent-Replayed headers {replayed}, expected exactly one replay")
        with self.lock:
            self.orders[order_id] = (body, key, r0)
            self.twin_orders.append(order_id)
            self.twin_answers[f"key:{key}" if key else f"order:{order_id}"] = r0

    def twins(self, path: str, body, headers):
        barrier = threading.Barrier(2)
        out: list = [None, None]

        def go(i: int) -> None:
            barrier.wait()
            out[i] = self.post(i, path, body, headers)

        threads = [threading.Thread(target=go, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if out[0][0] is None or out[1][0] is None:
            return None
        return out

    def refund(self, n: int, order_id: str, twin: bool) -> None:
        raw = self.orders[order_id][2]
        net = json.loads(raw)["net_amount"]
        if net < 6:
            return
        refund_id = f"rf-{n}-{secrets.token_hex(3)}"
        # At most two refunds of at most a third each: no order is refunded in full, so
        # every attributed order keeps qualifying for rewards.
        body = {"refund_id": refund_id, "amount": random.randint(1, net // 3)}
        path = f"/v1/checkout/orders/{order_id}/refunds"
        if twin:
            results = self.twins(path, body, None)
            if results is None:
                return
            (s0, _, r0), (s1, _, r1) = results
            if s0 != 201 or s1 != 201 or r0 != r1:
                self.violation(f"twin refund {refund_id} of {order_id}: {s0}/{s1}, identical="
                               f"{r0 == r1}: {r0[:200]!r} / {r1[:200]!r}")
                return
        else:
            s0, _, r0 = self.post(n % 2, path, body)
            if s0 != 201:
                if s0 is not None:
                    self.violation(f"refund {refund_id} of {order_id}: {s0} {r0[:200]!r}")
                return
        with self.lock:
            self.refunds[(order_id, refund_id)] = r0

    def racing_refunds(self, n: int, order_id: str) -> None:
        """Two different refunds of 60 % of the net each, one per instance, at once:
        exactly one may succeed (the other is refund_exceeds_net or write_conflict)."""
        net = json.loads(self.orders[order_id][2])["net_amount"]
        if net < 10:
            return
        amount = (net * 6 + 9) // 10
        bodies = [{"refund_id": f"race-{n}-{i}-{secrets.token_hex(3)}", "amount": amount} for i in (0, 1)]
        path = f"/v1/checkout/orders/{order_id}/refunds"
        barrier = threading.Barrier(2)
        out: list = [None, None]

        def go(i: int) -> None:
            barrier.wait()
            out[i] = self.post(i, path, bodies[i])

        threads = [threading.Thread(target=go, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = [i for i in (0, 1) if out[i][0] == 201]
        codes = []
        for i in (0, 1):
            if out[i][0] not in (None, 201):
                parsed = parse_body(out[i][1], out[i][2])
                codes.append(parsed.get("code") if isinstance(parsed, dict) else out[i][0])
        if len(ok) != 1 or any(c not in ("refund_exceeds_net", "write_conflict") for c in codes):
            self.violation(f"racing refunds of {amount} each on order {order_id} (net {net}): "
                           f"statuses {out[0][0]}/{out[1][0]} {codes}; exactly one must succeed")
        with self.lock:
            for i in ok:
                self.refunds[(order_id, bodies[i]["refund_id"])] = out[i][2]

    def run_once(self, db_url: str, n: int) -> None:
        # Configured like the instances, so its webhook pass delivers too; `reftrack=info`
        # for the line with its pass's attempts (logged by the binary, target `reftrack`).
        out = fixture.run_cli(db_url, "jobs", "run-once",
                              extra_env={**WEBHOOK_ENV, "RUST_LOG": "warn,reftrack=info"})
        attempted = sum(int(m.group(1)) for m in ATTEMPTED.finditer(plain(out.stdout + out.stderr)))
        with self.lock:
            self.statuses[f"jobs run-once:exit {out.returncode}"] += 1
            self.run_once_attempted += attempted
        if out.returncode != 0 or "ERROR" in out.stdout + out.stderr:
            self.violation(f"jobs run-once #{n}: exit {out.returncode}\n{out.stdout}{out.stderr}")


def add_ambassador(api: Api, fx: dict, name: str) -> str:
    """A second influencer invited into the same program; returns their code."""
    sfx = secrets.token_hex(4)
    email = f"{name.lower().replace(' ', '-')}-{sfx}@influencer.example"
    infl = api.expect(201, "POST", "/v1/influencers",
                      {"email": email, "password": f"passphrase {sfx}", "display_name": name})
    inv = api.expect(201, "POST", "/v1/brand/invitations",
                     {"email": email, "program_id": fx["program_id"]}, token=fx["brand_token"])
    membership = api.expect(201, "POST", "/v1/me/invitations/accept", {"token": inv["token"]},
                            token=infl["access_token"])
    return membership["codes"][0]["code"]


def verify(db_url: str, run: Run) -> dict:
    q = lambda sql: fixture.psql(db_url, sql)  # noqa: E731
    v = run.violation
    brand = run.fx["brand_id"]
    for b, oid, n in q("SELECT brand_id, order_id, COUNT(*) FROM orders "
                       "GROUP BY brand_id, order_id HAVING COUNT(*) > 1"):
        v(f"order_id {oid!r} of brand {b} stored {n} times")
    db_orders = {r[0]: r for r in q(f"SELECT order_id, id, net_amount, commission, membership_id, "
                                     f"flags FROM orders WHERE brand_id = '{brand}'")}
    for oid in run.orders:
        if oid not in db_orders:
            v(f"acknowledged order {oid!r} is not in the database")
    extra = set(db_orders) - set(run.orders)
    if extra:
        v(f"{len(extra)} orders in the database were never acknowledged: {sorted(extra)[:5]}")

    # Stored answers: every retried request's answer is the one both instances gave.
    stored = {r[0]: r[1] for r in q(f"SELECT key, body FROM idempotency_keys WHERE brand_id = '{brand}'")}
    for key, raw in run.twin_answers.items():
        if key not in stored:
            v(f"no stored answer for idempotency key {key!r}")
        elif json.loads(stored[key]) != json.loads(raw):
            v(f"stored answer for {key!r} differs from the answer given")

    # Approvals: every entry approved, exactly once.
    pending = q(f"SELECT COUNT(*) FROM ledger_entries WHERE approved_at IS NULL AND brand_id = '{brand}'")
    if int(pending[0][0]):
        v(f"{pending[0][0]} ledger entries are still unapproved")
    events = defaultdict(list)
    for entry_id, op, old, new in q("SELECT entry_id, op, COALESCE(CAST(old_approved AS TEXT), ''), "
                                    "CAST(new_approved AS TEXT) FROM fault_approval_log"):
        events[entry_id].append((op, old, new))
    entries = q("SELECT e.id, e.kind, e.amount, COALESCE(e.order_id, ''), COALESCE(e.refund_id, ''), "
                f"CAST(e.approved_at AS TEXT) FROM ledger_entries e WHERE e.brand_id = '{brand}'")
    for entry_id, kind, amount, order_pk, refund_pk, approved_at in entries:
        evs = events.get(entry_id, [])
        if len(evs) != 1:
            v(f"ledger entry {entry_id} ({kind}) approved {len(evs)} times: {evs}")
        elif evs[0][1] != "" or evs[0][2] != approved_at:
            v(f"ledger entry {entry_id}: approval event {evs[0]} does not match approved_at {approved_at}")
    # Money per order.
    for oid, commission, reversed_, total, n_comm in q(
            "SELECT o.order_id, o.commission, "
            "COALESCE((SELECT SUM(r.reversal) FROM refunds r WHERE r.order_id = o.id), 0), "
            "COALESCE((SELECT SUM(e.amount) FROM ledger_entries e WHERE e.order_id = o.id), 0), "
            "(SELECT COUNT(*) FROM ledger_entries e WHERE e.order_id = o.id AND e.kind = 'commission') "
            f"FROM orders o WHERE o.brand_id = '{brand}'"):
        if int(commission) - int(reversed_) != int(total):
            v(f"order {oid!r}: commission {commission} - reversed {reversed_} != ledger sum {total}")
        if int(n_comm) > 1 or (int(commission) > 0 and int(n_comm) != 1):
            v(f"order {oid!r} (commission {commission}) has {n_comm} commission entries")
    for oid, net, refunded_total, commission, reversed_total in q(
            "SELECT o.order_id, o.net_amount, SUM(r.amount), o.commission, SUM(r.reversal) "
            "FROM orders o JOIN refunds r ON r.order_id = o.id "
            f"WHERE o.brand_id = '{brand}' GROUP BY o.id, o.order_id, o.net_amount, o.commission"):
        if int(refunded_total) > int(net) or int(reversed_total) > int(commission):
            v(f"order {oid!r}: refunded {refunded_total} of net {net}, reversed {reversed_total} "
              f"of commission {commission}")
    for refund_pk, n in q("SELECT refund_id, COUNT(*) FROM ledger_entries WHERE refund_id IS NOT NULL "
                          "GROUP BY refund_id HAVING COUNT(*) > 1"):
        v(f"refund {refund_pk} has {n} reversal entries")
    db_refunds = {(r[0], r[1]) for r in q(
        "SELECT o.order_id, r.refund_id FROM refunds r JOIN orders o ON o.id = r.order_id "
        f"WHERE o.brand_id = '{brand}'")}
    if db_refunds != set(run.refunds):
        v(f"refunds in the database {len(db_refunds)} != acknowledged {len(run.refunds)}: "
          f"missing {sorted(set(run.refunds) - db_refunds)[:5]}, extra {sorted(db_refunds - set(run.refunds))[:5]}")

    # Rewards: per ambassador and SKU, sequences 1..n, n = floor(qualifying / N).
    refunded = Counter()
    for order_pk, amount in q("SELECT order_id, amount FROM refunds"):
        refunded[order_pk] += int(amount)
    qualifying = Counter()
    for oid, (_, pk, net, commission, membership, flags) in db_orders.items():
        if membership and flags == "[]" and int(net) > refunded[pk]:
            qualifying[membership] += 1
    grants = defaultdict(list)
    for membership, rule_key, sku, seq in q(
            f"SELECT membership_id, rule_key, sku, sequence FROM rewards WHERE brand_id = '{brand}'"):
        grants[(membership, sku)].append(int(seq))
    granted_total = 0
    for membership in set(qualifying) | {m for m, _ in grants}:
        for rule in REWARDS:
            seqs = sorted(grants.get((membership, rule["sku"]), []))
            expected = qualifying[membership] // rule["every_orders"]
            granted_total += len(seqs)
            if seqs != list(range(1, expected + 1)):
                v(f"ambassador {membership}: {rule['sku']} (every {rule['every_orders']}) granted "
                  f"sequences {seqs}, expected 1..{expected} for {qualifying[membership]} qualifying orders")
    return {"orders": len(db_orders), "entries": len(entries), "refunds": len(db_refunds),
            "rewards": granted_total, "qualifying": dict(qualifying)}


def webhooks_left(db_url: str, brand: str, endpoint_id: str, rc: Receiver) -> tuple[int, int, int]:
    """(events not fanned out, deliveries not succeeded, deliveries not received yet)."""
    undispatched, not_done, total = fixture.psql(db_url, (
        "SELECT (SELECT COUNT(*) FROM outbox_events WHERE dispatched_at IS NULL "
        f"AND brand_id = '{brand}'), (SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = "
        f"'{endpoint_id}' AND status <> 'succeeded'), (SELECT COUNT(*) FROM webhook_deliveries "
        f"WHERE endpoint_id = '{endpoint_id}')"))[0]
    return int(undispatched), int(not_done), max(0, int(total) - len(rc.snapshot()[1]))


def wait_for_webhooks(db_url: str, brand: str, endpoint_id: str, rc: Receiver, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if webhooks_left(db_url, brand, endpoint_id, rc) == (0, 0, 0):
            return True
        time.sleep(0.5)
    return False


def verify_webhooks(db_url: str, run: Run, rc: Receiver, endpoint_id: str, logged: list[int]) -> dict:
    """Each event's webhook-id arrived once, signed; the ids are the brand's events since
    the endpoint was made; one attempt per delivery, and the attempts add up."""
    q = lambda sql: fixture.psql(db_url, sql)  # noqa: E731
    v = run.violation
    requests, by_id = rc.snapshot()
    for rec in requests:
        if not rec["verified"]:
            v(f"webhook request {rec['id']!r} ({rec['type']}): the signature does not verify")
        if not rec["fresh"]:
            v(f"webhook request {rec['id']!r} ({rec['type']}): webhook-timestamp {rec['ts']!r} is "
              f"{rec['skew']} s from its arrival (tolerance {TIMESTAMP_TOLERANCE_SECS} s)")
    for eid, recs in by_id.items():
        if len(recs) != 1:
            v(f"webhook-id {eid!r} ({recs[0]['type']}) arrived {len(recs)} times, at "
              f"{[time.strftime('%H:%M:%S', time.localtime(r['arrived'])) for r in recs]}: two "
              "attempts where one was answered 200 at once")
    expected = {eid: kind for eid, kind in q(
        "SELECT e.id, e.event_type FROM outbox_events e JOIN webhook_endpoints w "
        f"ON w.id = '{endpoint_id}' AND e.brand_id = w.brand_id "
        "WHERE e.created_at >= w.created_at AND e.event_type <> 'webhook.test'")}
    received = set(by_id)
    if received != set(expected):
        v(f"webhook ids received {len(received)} != the brand's events since the endpoint was made "
          f"{len(expected)}: missing {sorted(set(expected) - received)[:5]}, extra "
          f"{sorted(received - set(expected))[:5]}")
    for eid, recs in by_id.items():
        if eid in expected and recs[0]["type"] != expected[eid]:
            v(f"webhook-id {eid!r} arrived as {recs[0]['type']!r}, the event is {expected[eid]!r}")
    deliveries = q("SELECT event_id, status, attempts, COALESCE(last_error, '') FROM webhook_deliveries "
                   f"WHERE endpoint_id = '{endpoint_id}'")
    if {r[0] for r in deliveries} != set(expected) or len(deliveries) != len(expected):
        v(f"{len(deliveries)} webhook deliveries for {len(expected)} events")
    for eid, status, attempts, error in deliveries:
        if status != "succeeded" or attempts != "1":
            v(f"webhook delivery of event {eid}: {status} after {attempts} attempts ({error!r}); "
              "expected succeeded after one")
    attempts_total = sum(int(r[2]) for r in deliveries)
    logged_total = sum(logged) + run.run_once_attempted
    if not attempts_total == logged_total == len(requests):
        v(f"webhook attempts: {attempts_total} counted in the database, {logged_total} logged by the "
          f"processes ({logged} by the instances, {run.run_once_attempted} by run-once), "
          f"{len(requests)} requests received")
    return {"events": len(expected), "requests": len(requests),
            "by_type": dict(sorted(Counter(expected.values()).items())),
            "attempted_by": {"A": logged[0], "B": logged[1], "run-once": run.run_once_attempted}}


def wait_for_maturation(db_url: str, brand: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = fixture.psql(db_url, "SELECT COUNT(*) FROM ledger_entries "
                                    f"WHERE approved_at IS NULL AND brand_id = '{brand}'")
        if int(left[0][0]) == 0:
            return True
        time.sleep(0.5)
    return False


def main() -> int:
    ap = argparse.ArgumentParser(description="Two reftrack instances on one PostgreSQL database")
    ap.add_argument("--orders", type=int, default=300, help="single orders")
    ap.add_argument("--twins", type=int, default=60, help="identical retries of each kind")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--corrupt", action="store_true",
                    help="self-check: grant one reward twice, log a second approval and send one "
                         "webhook again before verifying (must fail)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    random.seed(seed)
    log(f"seed {seed}")
    started = time.monotonic()
    tmpdir = tempfile.mkdtemp(prefix="reftrack-two-")
    servers = []
    pg_name = None
    run = None
    failures: list[str] = []
    rc = Receiver()  # answers 200 at once
    try:
        pg_name, db_url = fixture.create_pg_database("reftrack_two")
        env = {"REFTRACK_JOBS_INTERVAL_SECS": "1", **WEBHOOK_ENV}
        servers.append(start_server(db_url, extra_env=env, log_path=os.path.join(tmpdir, "a.log")))
        fixture.psql(db_url, AUDIT_SQL)
        servers.append(start_server(db_url, extra_env=env, log_path=os.path.join(tmpdir, "b.log")))
        fx = setup(servers[0].base_url, hold_days=0, rewards=REWARDS)
        endpoint = Api(servers[0].base_url).expect(201, "POST", "/v1/brand/webhooks", {
            "url": rc.url, "events": [], "description": "two-instance receiver"}, token=fx["brand_token"])
        rc.secret = endpoint["secret"]
        codes = [fx["code"], add_ambassador(Api(servers[1].base_url), fx, "Ben Roast")]
        log(f"two instances on {pg_name}: {servers[0].base_url}, {servers[1].base_url}; codes {codes}; "
            f"webhooks to {rc.url}")
        run = Run([s.base_url for s in servers], fx, codes, seed)

        # Phase 1: orders, twin orders, run-once passes, all at once.
        tasks = [(run.single_order, (i,)) for i in range(args.orders)]
        tasks += [(run.twin_order, (i, True)) for i in range(args.twins)]
        tasks += [(run.twin_order, (i, False)) for i in range(args.twins)]
        tasks += [(run.run_once, (db_url, i)) for i in range(3)]
        random.shuffle(tasks)
        with ThreadPoolExecutor(max_workers=10) as pool:
            for f in [pool.submit(fn, *a) for fn, a in tasks]:
                f.result()
        log(f"phase 1: {len(run.orders)} orders acknowledged")
        # Phase 2: refunds (some twins) with more orders and run-once passes.
        targets = random.sample(sorted(run.orders), min(80, len(run.orders)))
        tasks = [(run.refund, (i, oid, i % 3 == 0)) for i, oid in enumerate(targets)]
        tasks += [(run.refund, (1000 + i, oid, False)) for i, oid in enumerate(targets[:30])]
        others = [oid for oid in sorted(run.orders) if oid not in set(targets)]
        tasks += [(run.racing_refunds, (i, oid)) for i, oid in enumerate(random.sample(others, min(30, len(others))))]
        tasks += [(run.single_order, (args.orders + i,)) for i in range(40)]
        tasks += [(run.twin_order, (args.twins + i, i % 2 == 0)) for i in range(10)]
        tasks += [(run.run_once, (db_url, 10 + i)) for i in range(3)]
        random.shuffle(tasks)
        with ThreadPoolExecutor(max_workers=10) as pool:
            for f in [pool.submit(fn, *a) for fn, a in tasks]:
                f.result()
        log(f"phase 2: {len(run.orders)} orders, {len(run.refunds)} refunds acknowledged")
        if not wait_for_maturation(db_url, fx["brand_id"], 60):
            failures.append("maturation did not approve every entry within 60 s")
        time.sleep(2.5)  # a couple more passes on both instances: they must change nothing
        if not wait_for_webhooks(db_url, fx["brand_id"], endpoint["id"], rc, 60):
            undispatched, not_done, unreceived = webhooks_left(db_url, fx["brand_id"], endpoint["id"], rc)
            failures.append(f"webhooks not done within 60 s: {undispatched} events not fanned out, "
                            f"{not_done} deliveries not succeeded, {unreceived} not received")
        time.sleep(1.0)  # a few more webhook passes: they must send nothing more
        if args.corrupt:
            row = fixture.psql(db_url, f"SELECT membership_id, rule_key, sku, description FROM rewards "
                                       f"WHERE brand_id = '{fx['brand_id']}' ORDER BY sequence DESC LIMIT 1")[0]
            fixture.psql(db_url, "INSERT INTO rewards (id, brand_id, membership_id, rule_key, sequence, "
                                 "sku, description, status, earned_at) SELECT 'corrupt', brand_id, "
                                 "membership_id, rule_key, MAX(sequence) + 1, sku, description, 'earned', "
                                 f"now() FROM rewards WHERE membership_id = '{row[0]}' AND rule_key = "
                                 f"'{row[1]}' GROUP BY brand_id, membership_id, rule_key, sku, description")
            fixture.psql(db_url, "INSERT INTO fault_approval_log (entry_id, op, old_approved, new_approved) "
                                 "SELECT id, 'update', approved_at, approved_at FROM ledger_entries "
                                 f"WHERE brand_id = '{fx['brand_id']}' ORDER BY id LIMIT 1")
            fixture.psql(db_url, "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = "
                                 "now() AT TIME ZONE 'UTC' WHERE id = (SELECT id FROM webhook_deliveries "
                                 f"WHERE endpoint_id = '{endpoint['id']}' ORDER BY id LIMIT 1)")
            time.sleep(1.5)  # the instances' passes send it again
            log("--corrupt: granted one reward twice, logged a second approval of one entry and "
                "made one webhook delivery due again")
        summary = verify(db_url, run)
        for i, s in enumerate(servers):
            if not s.alive():
                failures.append(f"instance {'AB'[i]} exited with {s.proc.returncode}")
        for s in servers:
            s.stop()
        logged = []
        for i, s in enumerate(servers):
            with open(s.log_path, encoding="utf-8", errors="replace") as f:
                lines = [plain(line) for line in f]
            bad = [line.rstrip() for line in lines if " ERROR " in line or "panicked" in line]
            if bad:
                failures.append(f"instance {'AB'[i]} logged {len(bad)} error(s), first: {bad[0][:400]}")
            logged.append(sum(int(m.group(1)) for line in lines for m in [ATTEMPTED.search(line)] if m))
        hooks = verify_webhooks(db_url, run, rc, endpoint["id"], logged)
        log(f"statuses: {dict(sorted(run.statuses.items()))}")
        log(f"database: {summary['orders']} orders ({len(run.twin_orders)} sent as twins), "
            f"{summary['refunds']} refunds, {summary['entries']} ledger entries, "
            f"{summary['rewards']} rewards for qualifying orders {summary['qualifying']}")
        log(f"webhooks: {hooks['requests']} requests received for {hooks['events']} events "
            f"{hooks['by_type']}; attempts made by {hooks['attempted_by']}")
    except Exception as e:
        failures.append(f"harness error: {type(e).__name__}: {e}")
    finally:
        for s in servers:
            s.kill()
        rc.shutdown()
        if pg_name:
            fixture.drop_pg_database(pg_name)
    failures = (run.violations if run else []) + failures
    elapsed = time.monotonic() - started
    if failures:
        log(f"two-instance test FAILED ({elapsed:.1f}s): {len(failures)} violation(s):")
        for item in failures[:50]:
            print(f"  - {item}")
        print(f"  server logs: {tmpdir}")
        return 1
    shutil.rmtree(tmpdir, ignore_errors=True)
    log(f"two-instance test passed ({elapsed:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
