#!/usr/bin/env python3
"""Time from an order to its `order.recorded` webhook, and to its sale e-mail, arriving, on SQLite.

Starts `reftrack serve` on a fresh SQLite file (with `REFTRACK_WEBHOOKS_ALLOW_PRIVATE=true`,
since the receiver is on this machine, and e-mail to a local SMTP sink,
scripts/smtp_sink.py), creates a brand, program and ambassador (scripts/fixture.py), a
local HTTP receiver, and a webhook endpoint for `order.recorded` pointing at it. Then
sends N orders one at a time through `POST /v1/checkout/orders` and, for each, measures
from just before the POST to the moment the receiver has its webhook (matched by
`order_id`) and to the moment the sink has read the whole sale e-mail to the ambassador
that names it (`Order: {order_id}`); the next order is sent once both arrived. Checks
that each webhook arrived once with a signature that verifies, and that each order's
sale e-mail arrived once, to the ambassador, and is a `sale` row of the database sent
at its first attempt. Prints the median, p90 and max of each.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/webhook_latency.py [--orders 100] [--no-mail]
`--no-mail` runs without SMTP and measures the webhook alone, as this script did before
it timed e-mail. Environment: REFTRACK_BIN (default target/debug/reftrack). Exit status
1 on a missing, duplicated or unverifiable webhook or a missing, duplicated or misdirected
sale e-mail.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Api, setup, start_server  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

MAIL_DOMAIN = "reftrack.example"


class Inbox:
    """What the receiver got: order_id → (arrival time, headers, body)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.arrived: dict[str, list[tuple[float, dict, bytes]]] = {}

    def add(self, order_id: str, headers: dict, body: bytes) -> None:
        with self.lock:
            self.arrived.setdefault(order_id, []).append((time.monotonic(), headers, body))

    def first(self, order_id: str):
        with self.lock:
            got = self.arrived.get(order_id)
            return got[0] if got else None


def receiver(inbox: Inbox) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            try:
                order_id = json.loads(body)["data"]["order"]["order_id"]
                inbox.add(order_id, {k.lower(): v for k, v in self.headers.items()}, body)
            except (ValueError, KeyError, TypeError):
                pass
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def verifies(secret: str, headers: dict, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in headers.get("webhook-signature", "").split(" "))


class SaleMails:
    """The sink's accepted e-mails by the order their text names (`Order: {order_id}`),
    read as they arrive."""

    def __init__(self, sink: SmtpSink):
        self.sink = sink
        self.seen = 0
        self.by_order: dict[str, list] = {}

    def of(self, order_id: str) -> list:
        arrivals = self.sink.arrivals()
        for mail in arrivals[self.seen:]:
            for line in (mail.text or "").splitlines():
                if line.startswith("Order: "):
                    self.by_order.setdefault(line.removeprefix("Order: "), []).append(mail)
        self.seen = len(arrivals)
        return self.by_order.get(order_id, [])


def summary(label: str, waits: list[float], where: str = "SQLite") -> str:
    waits = sorted(waits)
    p90 = waits[min(len(waits) - 1, int(len(waits) * 0.9))]
    return (f"{label} ({len(waits)} orders, {where}): "
            f"median {statistics.median(waits):.0f} ms, p90 {p90:.0f} ms, max {waits[-1]:.0f} ms")


def check_mail_rows(db_path: str, sink: SmtpSink, mailed: dict[str, str]) -> list[str]:
    """Each order's sale e-mail is a `sale` row sent at its first attempt, and the sale
    rows are exactly those e-mails (read with the server stopped)."""
    problems = []
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        rows = {f"<{row_id}@{MAIL_DOMAIN}>": (status, attempts) for row_id, status, attempts in db.execute(
            "SELECT id, status, attempts FROM mail_messages WHERE kind = 'sale'")}
    for order_id, message_id in mailed.items():
        if rows.get(message_id) != ("sent", 1):
            problems.append(f"{order_id}: its sale e-mail {message_id} is {rows.get(message_id)} in "
                            "mail_messages, expected ('sent', 1)")
    extra = set(rows) - set(mailed.values())
    if extra:
        problems.append(f"{len(extra)} sale rows no order of this run names: {sorted(extra)[:3]}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--no-mail", action="store_true",
                        help="no SMTP: time the webhook alone (as before e-mail was timed)")
    args = parser.parse_args()
    inbox = Inbox()
    hook = receiver(inbox)
    sink = None if args.no_mail else SmtpSink()
    sales = SaleMails(sink) if sink else None
    env = {"REFTRACK_WEBHOOKS_ALLOW_PRIVATE": "true"}
    if sink:
        env.update({"REFTRACK_SMTP_URL": sink.url, "REFTRACK_MAIL_FROM": f"Rewards <rewards@{MAIL_DOMAIN}>"})
    waits, mail_waits, gaps, problems = [], [], [], []
    mailed: dict[str, str] = {}  # order_id -> Message-ID of its sale e-mail
    with tempfile.TemporaryDirectory() as tmp:
        db_path = os.path.join(tmp, "latency.db")
        server = start_server(db_path, extra_env=env)
        try:
            fx = setup(server.base_url)
            api = Api(server.base_url)
            endpoint = api.expect(201, "POST", "/v1/brand/webhooks", {
                "url": f"http://127.0.0.1:{hook.server_address[1]}/hook", "events": ["order.recorded"],
            }, token=fx["brand_token"])
            for i in range(args.orders):
                order_id = f"lat-{i}"
                started = time.monotonic()
                api.expect(201, "POST", "/v1/checkout/orders", {
                    "order_id": order_id, "code": fx["code"], "currency": "USD", "discount_total": 0,
                    "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 2500}],
                }, token=fx["api_key"])
                got = mail = None
                while time.monotonic() - started < 30:
                    got = got or inbox.first(order_id)
                    if sales and mail is None and (named := sales.of(order_id)):
                        mail = named[0]
                    if got is not None and (mail is not None or sales is None):
                        break
                    time.sleep(0.002)
                if got is None:
                    problems.append(f"{order_id}: no webhook within 30 s")
                else:
                    arrived, headers, body = got
                    if not verifies(endpoint["secret"], headers, body):
                        problems.append(f"{order_id}: the signature does not verify")
                    waits.append((arrived - started) * 1000)
                if sink is None:
                    continue
                if mail is None:
                    problems.append(f"{order_id}: no sale e-mail within 30 s")
                    continue
                mail_waits.append((mail.arrived_mono - started) * 1000)
                if got is not None:
                    gaps.append((mail.arrived_mono - got[0]) * 1000)
                mailed[order_id] = mail.message_id
                if mail.rcpt_to != [fx["influencer_email"]]:
                    problems.append(f"{order_id}: its sale e-mail went to {mail.rcpt_to}, not the ambassador")
            time.sleep(2.5)
            problems += [f"{oid}: arrived {len(got)} times" for oid, got in inbox.arrived.items() if len(got) != 1]
            if sales:
                problems += [f"{oid}: {n} sale e-mails name it" for oid in mailed
                             for n in [len(sales.of(oid))] if n != 1]
        finally:
            server.stop()
            hook.shutdown()
            if sink:
                sink.shutdown()
        if sink:
            problems += check_mail_rows(db_path, sink, mailed)
    if waits:
        print(summary("order POST to its webhook arriving", waits))
    if mail_waits:
        print(summary("order POST to its sale e-mail arriving", mail_waits, "SQLite, SMTP sink"))
    if gaps:
        print(summary("its webhook arriving to its sale e-mail arriving", gaps))
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems or not waits or (sink and not mail_waits) else 0


if __name__ == "__main__":
    sys.exit(main())
