#!/usr/bin/env python3
"""Time from an order to its `order.recorded` webhook arriving, on SQLite.

Starts `reftrack serve` on a fresh SQLite file (with `REFTRACK_WEBHOOKS_ALLOW_PRIVATE=true`,
since the receiver is on this machine), creates a brand, program and ambassador
(scripts/fixture.py), a local HTTP receiver, and a webhook endpoint for
`order.recorded` pointing at it. Then sends N orders one at a time through
`POST /v1/checkout/orders` and, for each, measures from just before the POST to the
moment the receiver has its webhook (matched by `order_id`); checks that each arrived
once and that its signature verifies. Prints the median, p90 and max.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/webhook_latency.py [--orders 100]
Environment: REFTRACK_BIN (default target/debug/reftrack). Exit status 1 on a missing,
duplicated or unverifiable webhook.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture import Api, setup, start_server  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100)
    args = parser.parse_args()
    inbox = Inbox()
    hook = receiver(inbox)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(os.path.join(tmp, "latency.db"),
                              extra_env={"REFTRACK_WEBHOOKS_ALLOW_PRIVATE": "true"})
        try:
            fx = setup(server.base_url)
            api = Api(server.base_url)
            endpoint = api.expect(201, "POST", "/v1/brand/webhooks", {
                "url": f"http://127.0.0.1:{hook.server_address[1]}/hook", "events": ["order.recorded"],
            }, token=fx["brand_token"])
            waits, problems = [], []
            for i in range(args.orders):
                order_id = f"lat-{i}"
                started = time.monotonic()
                api.expect(201, "POST", "/v1/checkout/orders", {
                    "order_id": order_id, "code": fx["code"], "currency": "USD", "discount_total": 0,
                    "lines": [{"sku": "BEANS", "quantity": 1, "unit_price": 2500}],
                }, token=fx["api_key"])
                while (got := inbox.first(order_id)) is None and time.monotonic() - started < 30:
                    time.sleep(0.002)
                if got is None:
                    problems.append(f"{order_id}: no webhook within 30 s")
                    continue
                arrived, headers, body = got
                if not verifies(endpoint["secret"], headers, body):
                    problems.append(f"{order_id}: the signature does not verify")
                waits.append((arrived - started) * 1000)
            time.sleep(2.5)
            problems += [f"{oid}: arrived {len(got)} times" for oid, got in inbox.arrived.items() if len(got) != 1]
        finally:
            server.stop()
            hook.shutdown()
    if waits:
        waits.sort()
        p90 = waits[min(len(waits) - 1, int(len(waits) * 0.9))]
        print(f"order POST to its webhook arriving ({len(waits)} orders, SQLite): "
              f"median {statistics.median(waits):.0f} ms, p90 {p90:.0f} ms, max {waits[-1]:.0f} ms")
    for problem in problems:
        print(f"FAIL {problem}")
    return 1 if problems or not waits else 0


if __name__ == "__main__":
    sys.exit(main())
