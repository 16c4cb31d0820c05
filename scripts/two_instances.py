#!/usr/bin/env python3
"""Two reftrack instances on one PostgreSQL database, with concurrent maturation, webhooks and e-mail.

Starts two `reftrack serve` processes (different ports) on one fresh PostgreSQL
database, both running the in-process maturation job every second and the webhook and
mail passes every 250 ms (`REFTRACK_WEBHOOKS_ALLOW_PRIVATE=true`), with a program of
`hold_days: 0` and free-item rewards (every 3 orders, every 5 orders) and two
ambassadors. Both send e-mail to a local SMTP sink (scripts/smtp_sink.py) with
`REFTRACK_MAIL_RETRY_SCHEDULE=1,1,1,1,1,1,1,1`; the sink answers 451 to about 4 % of
MAIL commands and to about 2 % of whole messages after their DATA, so messages are
retried, often by another process than the one refused. Each process has its own SMTP
URL path, which lettre sends as its EHLO name, so the sink knows which process made
each attempt. Before the load, the brand creates a webhook endpoint for every event type
pointing at a local receiver (scripts/webhook_crash_test.py's) that verifies each
request's signature and answers 200 at once. Then, concurrently:
  - unique orders spread over both instances;
  - identical retries split across the instances at the same moment: the same body and
    `Idempotency-Key` to both, and the same `order_id` without a key to both;
  - partial refunds, some sent to both instances at once with the same `refund_id`;
  - `reftrack jobs run-once` several times in parallel with the in-process jobs (it
    makes a webhook pass and a mail pass too, configured like the instances).
It waits until maturation has approved every ledger entry, every webhook delivery has
succeeded and no e-mail is pending, then checks in the database: no (brand, order_id)
twice and one order per retried request; both instances gave the byte-identical answer
to every retried request, equal to the stored answer; every ledger entry was approved
exactly once (an audit trigger installed in the scratch database records each write of
`approved_at`); per order, commission - reversals = sum of its ledger entries, at most
one commission entry per order and one reversal per refund; rewards granted exactly
once: per ambassador and reward SKU, sequences 1..n with n = floor(qualifying orders / N).
Webhooks: each event's webhook-id arrived exactly once (the receiver answers 200 at
once, so a second arrival means two processes made the same attempt), with a valid
signature and a fresh timestamp; the ids received are exactly the brand's outbox events
(orders, refunds, approvals, rewards, the second ambassador joining, ...) since the
endpoint was made; each delivery is `succeeded` after one attempt, and the attempts the
processes logged add up to the requests received.
E-mail: every `mail_messages` row is `sent`, its sealed text erased; each Message-ID
(`<{mail_messages.id}@reftrack.example>`) was accepted by the sink exactly once (a
transaction answered 451 is not a delivery; a second accepted one means two processes
made one attempt, or a message was sent again after it was accepted); the Message-IDs
accepted are exactly the sent rows' ids; the attempts add up: sum(attempts) = accepted
transactions + MAIL commands refused + messages refused after DATA = the attempts the
processes logged, and per process (by EHLO name) its logged attempts = its transactions
at the sink; per message, attempts >= its accepted + refused-after-DATA transactions.
Each attributed order has exactly one sale e-mail, to its ambassador's address (envelope
and `To`), naming it (`Order: {order_id}`, `Order total`, and the commission in the
subject and text when it earned one), written for its `order.recorded` event
(`sale:{event_id}`); an order without an ambassador has none; each invitation went to
the invited address. No log line holds a recipient's address (the sink's 451 answers
quote one). No answer may be a 5xx and no log an ERROR or a panic (read without the
colour codes tracing writes).

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
from smtp_sink import SmtpSink  # noqa: E402
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
# "mail pass mailed=N" (serve's mail loop), "outbox pass ... mailed=N" (run-once's).
MAILED = re.compile(r"(?:mail|outbox) pass\b.*\bmailed=(\d+)")
MAIL_DOMAIN = "reftrack.example"
MAIL_FROM = f"Rewards <rewards@{MAIL_DOMAIN}>"
# Eight retries a second apart: at 6 % refusals a message refused nine times in a row
# (and so `failed`) is a chance of about 1e-11.
MAIL_RETRY_SCHEDULE = "1,1,1,1,1,1,1,1"
SMTP_REFUSE_MAIL = 0.04   # MAIL commands answered 451
SMTP_REFUSE_DATA = 0.02   # whole messages answered 451 after their DATA

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


def first_error(lines: list[str]) -> str | None:
    """The first ERROR or panic line, with a panic's message (on the line after it)."""
    for i, line in enumerate(lines):
        if " ERROR " in line or "panicked" in line:
            more = lines[i + 1].strip() if "panicked" in line and i + 1 < len(lines) else ""
            return f"{line.strip()} {more}".strip()
    return None


class Run:
    def __init__(self, urls: list[str], fx: dict, codes: list[str], seed: int, mail_env):
        self.urls = urls
        # EHLO name -> the SMTP settings of the process that sends it (its URL's path).
        self.mail_env = mail_env
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
        # EHLO name of each run-once -> the mail attempts it logged.
        self.run_once_mailed: dict[str, int] = {}
        self.run_once_logs: dict[str, str] = {}

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
        # Configured like the instances, so its webhook and mail passes deliver too (its
        # own SMTP URL path, so the sink knows its attempts); `reftrack=info` for the line
        # with its pass's attempts (logged by the binary, target `reftrack`).
        helo = f"run-once-{n}"
        out = fixture.run_cli(db_url, "jobs", "run-once",
                              extra_env={**WEBHOOK_ENV, **self.mail_env(helo),
                                         "RUST_LOG": "warn,reftrack=info"})
        text = plain(out.stdout + out.stderr)
        attempted = sum(int(m.group(1)) for m in ATTEMPTED.finditer(text))
        mailed = sum(int(m.group(1)) for m in MAILED.finditer(text))
        with self.lock:
            self.statuses[f"jobs run-once:exit {out.returncode}"] += 1
            self.run_once_attempted += attempted
            self.run_once_mailed[helo] = mailed
            self.run_once_logs[helo] = text
        if out.returncode != 0 or "ERROR" in text or "panicked" in text:
            bad = first_error(text.splitlines())
            self.violation(f"jobs run-once #{n}: exit {out.returncode}; "
                           f"{bad[:500] if bad else 'output: ' + text[-500:]}")


def add_ambassador(api: Api, fx: dict, name: str) -> tuple[str, str, str]:
    """A second influencer invited into the same program; returns their code, their
    e-mail address and the invitation's token."""
    sfx = secrets.token_hex(4)
    email = f"{name.lower().replace(' ', '-')}-{sfx}@influencer.example"
    infl = api.expect(201, "POST", "/v1/influencers",
                      {"email": email, "password": f"passphrase {sfx}", "display_name": name})
    inv = api.expect(201, "POST", "/v1/brand/invitations",
                     {"email": email, "program_id": fx["program_id"]}, token=fx["brand_token"])
    membership = api.expect(201, "POST", "/v1/me/invitations/accept", {"token": inv["token"]},
                            token=infl["access_token"])
    return membership["codes"][0]["code"], email, inv["token"]


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


def usd(minor: int) -> str:
    """An amount as the e-mails write US dollars: `$1,234.50`, `-$3.00`."""
    sign, minor = ("-", -minor) if minor < 0 else ("", minor)
    return f"{sign}${minor // 100:,}.{minor % 100:02d}"


def mail_left(db_url: str) -> tuple[int, int]:
    """(events not fanned out yet, e-mails pending)."""
    undispatched, pending = fixture.psql(db_url, (
        "SELECT (SELECT COUNT(*) FROM outbox_events WHERE dispatched_at IS NULL), "
        "(SELECT COUNT(*) FROM mail_messages WHERE status = 'pending')"))[0]
    return int(undispatched), int(pending)


def wait_for_mail(db_url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mail_left(db_url) == (0, 0):
            return True
        time.sleep(0.5)
    return False


def verify_mail(db_url: str, run: Run, sink: SmtpSink, ambassadors: dict[str, str],
                invited: dict[str, str | None], logged: dict[str, int]) -> dict:
    """Each message accepted once under its Message-ID, every row sent, the attempts add
    up (in all and per process), one sale e-mail per attributed order naming it.

    `ambassadors`: membership id -> the influencer's address; `invited`: address -> the
    invitation token when known; `logged`: EHLO name -> mail attempts the process logged.
    """
    q = lambda sql: fixture.psql(db_url, sql)  # noqa: E731
    v = run.violation
    brand = run.fx["brand_id"]
    rows = {r[0]: r for r in q(
        "SELECT id, kind, status, attempts, COALESCE(dedupe_key, ''), LENGTH(message_sealed), "
        "COALESCE(last_error, '') FROM mail_messages")}
    mid_of = lambda row_id: f"<{row_id}@{MAIL_DOMAIN}>"  # noqa: E731
    for row_id, kind, status, attempts, _, sealed_len, error in rows.values():
        if status != "sent":
            v(f"e-mail {row_id} ({kind}) is {status} after {attempts} attempts ({error!r}); expected sent")
        elif int(sealed_len) != 0:
            v(f"e-mail {row_id} ({kind}) is sent but its sealed text ({sealed_len} chars) was not erased")
        if int(attempts) < 1:
            v(f"e-mail {row_id} ({kind}) has {attempts} attempts")

    mails = sink.mails()
    accepted = [m for m in mails if m.accepted]
    refused_data = [m for m in mails if not m.accepted]
    refused_mail = sink.refused_mail()
    for m in mails:
        if m.parse_error or not m.message_id:
            v(f"sink transaction #{m.seq} from {m.helo!r}: no Message-ID ({m.parse_error or 'missing'})")
    for problem in sink.protocol_errors:
        v(f"SMTP sink: {problem}")
    by_mid: dict[str, list] = defaultdict(list)
    for m in accepted:
        by_mid[m.message_id].append(m)
    refused_by_mid: Counter = Counter(m.message_id for m in refused_data)
    for mid, got in by_mid.items():
        if len(got) != 1:
            v(f"Message-ID {mid} ({got[0].subject!r}) accepted {len(got)} times, at "
              f"{[time.strftime('%H:%M:%S', time.localtime(m.arrived)) for m in got]} from "
              f"{[m.helo for m in got]}: two processes made one attempt, or a message was sent "
              "again after it was accepted")
    sent_mids = {mid_of(r[0]): r for r in rows.values() if r[2] == "sent"}
    if set(by_mid) != set(sent_mids):
        v(f"Message-IDs accepted {len(by_mid)} != sent e-mails {len(sent_mids)}: not received "
          f"{sorted(set(sent_mids) - set(by_mid))[:5]}, unknown {sorted(set(by_mid) - set(sent_mids))[:5]}")
    all_mids = {mid_of(r) for r in rows}
    unknown_refused = set(refused_by_mid) - all_mids
    if unknown_refused:
        v(f"messages refused after DATA with no row: {sorted(unknown_refused)[:5]}")
    for mid, row in sent_mids.items():
        seen = len(by_mid.get(mid, [])) + refused_by_mid[mid]
        if int(row[3]) < seen:
            v(f"e-mail {row[0]} ({row[1]}): {row[3]} attempts counted, but the sink saw {seen} "
              "transactions of it")

    # The attempts add up: in the database, at the sink, in the processes' logs.
    attempts_total = sum(int(r[3]) for r in rows.values())
    transactions = len(accepted) + len(refused_data) + len(refused_mail)
    logged_total = sum(logged.values())
    if not attempts_total == transactions == logged_total:
        v(f"e-mail attempts: {attempts_total} counted in the database, {transactions} SMTP transactions "
          f"at the sink ({len(accepted)} accepted, {len(refused_mail)} MAIL refused, {len(refused_data)} "
          f"refused after DATA), {logged_total} logged by the processes {logged}")
    at_sink: Counter = Counter(m.helo for m in mails)
    at_sink.update(r.helo for r in refused_mail)
    for helo in sorted(set(at_sink) | set(logged)):
        if at_sink[helo] != logged.get(helo, 0):
            v(f"process {helo!r}: logged {logged.get(helo, 0)} mail attempts, the sink saw "
              f"{at_sink[helo]} transactions from it")
    if attempts_total >= 100 and not (refused_mail or refused_data):
        v("the sink refused no transaction: retries were not exercised")

    # Sale e-mails: one per attributed order, to its ambassador, naming it.
    brand_name = q(f"SELECT name FROM brands WHERE id = '{brand}'")[0][0]
    events = {}
    for event_id, data in q("SELECT id, data FROM outbox_events WHERE event_type = 'order.recorded' "
                            f"AND brand_id = '{brand}'"):
        events[json.loads(data)["order"]["order_id"]] = event_id
    sale_rows = {r[4]: r for r in rows.values() if r[1] == "sale"}
    naming: dict[str, list] = defaultdict(list)
    for m in accepted:
        for line in (m.text or "").splitlines():
            if line.startswith("Order: "):
                naming[line.removeprefix("Order: ")].append(m)
    orders = q("SELECT order_id, net_amount, commission, COALESCE(membership_id, '') FROM orders "
               f"WHERE brand_id = '{brand}'")
    attributed = 0
    for oid, net, commission, membership in orders:
        got = naming.get(oid, [])
        if not membership:
            if got:
                v(f"order {oid!r} has no ambassador but {len(got)} sale e-mail(s) name it")
            continue
        attributed += 1
        if len(got) != 1:
            v(f"attributed order {oid!r}: {len(got)} sale e-mails name it, expected one")
            if not got:
                continue
        m = got[0]
        to = ambassadors.get(membership)
        if m.rcpt_to != [to] or (m.to or "").strip() != to:
            v(f"sale e-mail for {oid!r} went to {m.rcpt_to} (To: {m.to!r}), its ambassador is {to!r}")
        lines = (m.text or "").splitlines()
        if f"Order total: {usd(int(net))}" not in lines:
            v(f"sale e-mail for {oid!r} has no line 'Order total: {usd(int(net))}'")
        if int(commission) > 0:
            subject = f"You earned {usd(int(commission))} with {brand_name}"
            if m.subject != subject or f"Your commission: {usd(int(commission))}" not in lines:
                v(f"sale e-mail for {oid!r} (commission {commission}): subject {m.subject!r}, "
                  f"expected {subject!r} and a line 'Your commission: {usd(int(commission))}'")
        row = sale_rows.get(f"sale:{events.get(oid)}")
        if row is None or mid_of(row[0]) != m.message_id:
            v(f"sale e-mail for {oid!r} ({m.message_id}) is not the row written for its event "
              f"{events.get(oid)} ({row[0] if row else 'no row'})")
    if len(sale_rows) != attributed:
        v(f"{len(sale_rows)} sale e-mails written for {attributed} attributed orders")

    # Invitations: to the invited address, with the code when the test knows it.
    kind_of = {mid_of(r[0]): r[1] for r in rows.values()}
    invitations = [m for m in accepted if kind_of.get(m.message_id) == "invitation"]
    if sorted(m.rcpt_to[0] for m in invitations) != sorted(invited):
        v(f"invitations went to {sorted(m.rcpt_to[0] for m in invitations)}, expected {sorted(invited)}")
    for m in invitations:
        token = invited.get(m.rcpt_to[0])
        if token and token not in (m.text or ""):
            v(f"the invitation to {m.rcpt_to[0]} does not hold its code")

    retried = {mid for mid, row in sent_mids.items() if int(row[3]) > 1}
    # A message refused after its DATA and accepted from another process: a retry that
    # crossed processes, as far as the sink can tell (MAIL refusals carry no Message-ID).
    crossed = {m.message_id for m in refused_data
               if m.message_id in by_mid and by_mid[m.message_id][0].helo != m.helo}
    return {"messages": len(rows), "by_kind": dict(sorted(Counter(r[1] for r in rows.values()).items())),
            "accepted": len(accepted), "refused_mail": len(refused_mail),
            "refused_data": len(refused_data), "retried": len(retried), "crossed": len(crossed),
            "attempts": attempts_total, "by_process": dict(sorted(at_sink.items())),
            "max_attempts": max((int(r[3]) for r in rows.values()), default=0),
            "sale": len(sale_rows), "attributed": attributed}


def addresses_in_logs(texts: dict[str, str], addresses: set[str]) -> list[str]:
    """Log lines holding one of `addresses` (README: no log line holds one)."""
    found = []
    for name, text in texts.items():
        for line in text.splitlines():
            hit = next((a for a in addresses if a in line), None)
            if hit:
                found.append(f"{name}: {line.strip()[:300]}")
    return found


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
    sink = SmtpSink(refuse_mail=SMTP_REFUSE_MAIL, refuse_data=SMTP_REFUSE_DATA,
                    rng=random.Random(seed))

    def mail_env(helo: str) -> dict:
        """A process's SMTP settings; `helo` becomes its EHLO name (the URL's path)."""
        return {"REFTRACK_SMTP_URL": sink.url_for(helo), "REFTRACK_MAIL_FROM": MAIL_FROM,
                "REFTRACK_MAIL_RETRY_SCHEDULE": MAIL_RETRY_SCHEDULE}

    try:
        pg_name, db_url = fixture.create_pg_database("reftrack_two")
        env = {"REFTRACK_JOBS_INTERVAL_SECS": "1", **WEBHOOK_ENV}
        servers.append(start_server(db_url, extra_env={**env, **mail_env("instance-a")},
                                    log_path=os.path.join(tmpdir, "a.log")))
        fixture.psql(db_url, AUDIT_SQL)
        servers.append(start_server(db_url, extra_env={**env, **mail_env("instance-b")},
                                    log_path=os.path.join(tmpdir, "b.log")))
        fx = setup(servers[0].base_url, hold_days=0, rewards=REWARDS)
        endpoint = Api(servers[0].base_url).expect(201, "POST", "/v1/brand/webhooks", {
            "url": rc.url, "events": [], "description": "two-instance receiver"}, token=fx["brand_token"])
        rc.secret = endpoint["secret"]
        ben_code, ben_email, ben_token = add_ambassador(Api(servers[1].base_url), fx, "Ben Roast")
        codes = [fx["code"], ben_code]
        log(f"two instances on {pg_name}: {servers[0].base_url}, {servers[1].base_url}; codes {codes}; "
            f"webhooks to {rc.url}; e-mail to {sink.url}")
        run = Run([s.base_url for s in servers], fx, codes, seed, mail_env)

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
        if not wait_for_mail(db_url, 90):
            undispatched, pending = mail_left(db_url)
            failures.append(f"e-mail not done within 90 s: {undispatched} events not fanned out, "
                            f"{pending} e-mails pending")
        time.sleep(1.0)  # a few more webhook and mail passes: they must send nothing more
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
            # A sent e-mail due again (its text is erased, so the attempt fails for good),
            # and one message delivered twice as far as the sink knows.
            fixture.psql(db_url, "UPDATE mail_messages SET status = 'pending', next_attempt_at = "
                                 "now() AT TIME ZONE 'UTC' WHERE id = (SELECT id FROM mail_messages "
                                 "WHERE kind = 'sale' ORDER BY id LIMIT 1)")
            sink.inject_copy(sink.arrivals()[0])
            time.sleep(1.5)  # the instances' passes send them again
            log("--corrupt: granted one reward twice, logged a second approval of one entry, "
                "made one webhook delivery and one sent e-mail due again, and recorded one e-mail "
                "twice at the sink")
        summary = verify(db_url, run)
        # Two writers on one database, each keeping the running totals in its own
        # transactions: they still equal the ledger, orders and clicks.
        failures.extend(fixture.verify_totals(db_url, "with both instances running"))
        for i, s in enumerate(servers):
            if not s.alive():
                failures.append(f"instance {'AB'[i]} exited with {s.proc.returncode}")
        for s in servers:
            s.stop()
        logged = []
        logged_mail = dict(run.run_once_mailed)
        log_texts = {f"run-once {helo}": text for helo, text in run.run_once_logs.items()}
        for i, s in enumerate(servers):
            with open(s.log_path, encoding="utf-8", errors="replace") as f:
                lines = [plain(line) for line in f]
            bad = [line.rstrip() for line in lines if " ERROR " in line or "panicked" in line]
            if bad:
                failures.append(f"instance {'AB'[i]} logged {len(bad)} error(s), first: "
                                f"{first_error(lines)[:500]}")
            logged.append(sum(int(m.group(1)) for line in lines for m in [ATTEMPTED.search(line)] if m))
            logged_mail[f"instance-{'ab'[i]}"] = sum(
                int(m.group(1)) for line in lines for m in [MAILED.search(line)] if m)
            log_texts[f"instance {'AB'[i]}"] = "".join(lines)
        hooks = verify_webhooks(db_url, run, rc, endpoint["id"], logged)
        ambassadors = {m: e for m, e in fixture.psql(
            db_url, "SELECT m.id, i.email FROM memberships m JOIN influencers i ON i.id = m.influencer_id "
                    f"WHERE m.brand_id = '{fx['brand_id']}'")}
        mail = verify_mail(db_url, run, sink, ambassadors,
                           {fx["influencer_email"]: None, ben_email: ben_token}, logged_mail)
        recipients = {a for m in sink.mails() for a in m.rcpt_to}
        recipients |= {fx["influencer_email"], ben_email, fx["owner_email"]}
        for line in addresses_in_logs(log_texts, recipients)[:5]:
            failures.append(f"a log line holds an e-mail address: {line}")
        log(f"statuses: {dict(sorted(run.statuses.items()))}")
        log(f"database: {summary['orders']} orders ({len(run.twin_orders)} sent as twins), "
            f"{summary['refunds']} refunds, {summary['entries']} ledger entries, "
            f"{summary['rewards']} rewards for qualifying orders {summary['qualifying']}")
        log(f"webhooks: {hooks['requests']} requests received for {hooks['events']} events "
            f"{hooks['by_type']}; attempts made by {hooks['attempted_by']}")
        log(f"e-mail: {mail['messages']} messages {mail['by_kind']} ({mail['sale']} sale e-mails for "
            f"{mail['attributed']} attributed orders); {mail['attempts']} attempts: {mail['accepted']} "
            f"accepted, {mail['refused_mail']} MAIL and {mail['refused_data']} DATA refused with 451; "
            f"{mail['retried']} messages retried (up to {mail['max_attempts']} attempts), "
            f"{mail['crossed']} refused after DATA by one process and sent by another; attempts "
            f"by process {mail['by_process']}")
    except Exception as e:
        failures.append(f"harness error: {type(e).__name__}: {e}")
    finally:
        for s in servers:
            s.kill()
        rc.shutdown()
        sink.shutdown()
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
