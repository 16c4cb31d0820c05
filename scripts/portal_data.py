"""The data the browser suite walks the portal with, made through the JSON API only.

`make_world(base_url)` builds one influencer's world on a fresh server whose maturation
job runs every second (`REFTRACK_JOBS_INTERVAL_SECS=1`):

- Acme Coffee (USD, 10 %, no hold, a free bag every 2 orders): joined through the API;
  three orders approved by the job and paid in a payout batch, then two more approved
  (payable), one of them half refunded after approval; two rewards earned;
- Globex Tea (EUR, 10 %, 30 days' hold): joined through the API; a large order
  (`€1,234.50` of commission, to show the thousands separator) and a small one half
  refunded, both pending;
- Initech Mugs (GBP) and Umbrella Socks (USD): invitations left pending, one to accept
  and one to decline in the browser.

Every commission and reversal is also computed here, from the order lines, and checked
against the API's answers, so `expected` (per currency: pending, approved, paid, in
minor units) is known independently of the dashboard it is compared with.

`money(minor, currency)` formats an amount as the portal does (`src/domain/display.rs`).
"""

from __future__ import annotations

import time
from decimal import ROUND_HALF_UP, Decimal

from fixture import Api, accept, invite, new_brand, new_influencer

# As src/domain/display.rs writes them; other currencies show their code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
EXPONENTS = {"JPY": 0, "KWD": 3, "BHD": 3}
RATE = Decimal("10")
MATURATION_TIMEOUT = 30.0


def money(minor: int, currency: str) -> str:
    """`$16.85`, `€1,234.50`, `¥500`, `-$3.00`, `CAD 1,000.00`."""
    exponent = EXPONENTS.get(currency, 2)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10 ** exponent)
    digits = f"{whole:,}" + (f".{fraction:0{exponent}d}" if exponent else "")
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


def half_away(value: Decimal) -> int:
    """Rounded half away from zero, as the commission is."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def program(hold_days: int, rewards: list | None = None) -> dict:
    return {
        "commission": {"type": "percent", "rate": str(RATE)},
        "customer_discount": {"type": "percent", "value": "15"},
        "hold_days": hold_days,
        "rewards": rewards or [],
    }


class Shop:
    """One brand's checkout: records orders and refunds with its API key, and checks
    each commission and reversal against the one computed here."""

    def __init__(self, api: Api, brand: dict, code: str):
        self.api, self.brand, self.code = api, brand, code
        self.orders: dict[str, dict] = {}

    def order(self, order_id: str, lines: list[tuple[str, int, int]], discount: int = 0) -> int:
        """Records an order with the ambassador's code; returns its commission."""
        body = {
            "order_id": order_id, "code": self.code, "currency": self.brand["currency"],
            "lines": [{"sku": sku, "quantity": q, "unit_price": p} for sku, q, p in lines],
            "discount_total": discount,
        }
        answer = self.api.expect(201, "POST", "/v1/checkout/orders", body, token=self.brand["api_key"])
        net = sum(q * p for _, q, p in lines) - discount
        want = half_away(Decimal(net) * RATE / 100)
        got = (answer.get("commission") or {}).get("amount")
        if not answer.get("attributed") or got != want or answer.get("net_amount") != net:
            raise RuntimeError(f"order {order_id}: expected attributed, net {net}, commission "
                               f"{want}; the API answered {answer}")
        self.orders[order_id] = {"net": net, "commission": want}
        return want

    def refund(self, order_id: str, amount: int) -> int:
        """Refunds `amount` of the order's net; returns the commission reversed."""
        answer = self.api.expect(201, "POST", f"/v1/checkout/orders/{order_id}/refunds",
                                 {"refund_id": f"re-{order_id}", "amount": amount},
                                 token=self.brand["api_key"])
        order = self.orders[order_id]
        want = half_away(Decimal(order["commission"]) * amount / order["net"])
        if answer.get("reversal") != want:
            raise RuntimeError(f"refund of {amount} on {order_id}: expected a reversal of {want}; "
                               f"the API answered {answer}")
        return want


def wait_until(what: str, ready) -> None:
    deadline = time.monotonic() + MATURATION_TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"after {MATURATION_TIMEOUT:.0f}s: {what}")
        time.sleep(0.2)


def make_world(base_url: str) -> dict:
    api = Api(base_url)
    acme = new_brand(api, currency="USD", name="Acme Coffee", program=program(0, [
        {"every_orders": 2, "sku": "FREE-BAG", "description": "A free bag of coffee"}]))
    globex = new_brand(api, currency="EUR", name="Globex Tea", program=program(30))
    initech = new_brand(api, currency="GBP", name="Initech Mugs", program=program(14))
    umbrella = new_brand(api, currency="USD", name="Umbrella Socks", program=program(7))
    infl = new_influencer(api, "Ana Brews")
    token = infl["access_token"]
    usd = Shop(api, acme, accept(api, infl, invite(api, acme, infl["email"]))["codes"][0]["code"])
    eur = Shop(api, globex, accept(api, infl, invite(api, globex, infl["email"]))["codes"][0]["code"])
    to_accept = invite(api, initech, infl["email"])["id"]
    to_decline = invite(api, umbrella, infl["email"])["id"]

    def acme_totals() -> dict:
        board = api.expect(200, "GET", f"/v1/me/dashboard?brand_id={acme['id']}", token=token)
        return board["brands"][0]["totals"]

    # Three orders, approved at once (no hold), then paid in a batch.
    paid = usd.order("A-1001", [("BEANS-1KG", 2, 2500), ("MUG", 1, 1999)], discount=1050)
    paid += usd.order("A-1002", [("BEANS-1KG", 1, 2500)])
    paid += usd.order("A-1003", [("FILTERS", 3, 1299)])
    wait_until("Acme's first three commissions are still not approved",
               lambda: acme_totals()["approved"] == paid)
    batch = api.expect(201, "POST", "/v1/brand/payouts", {"currency": "USD"}, token=acme["token"])
    api.expect(200, "POST", f"/v1/brand/payouts/{batch['id']}/paid", token=acme["token"])
    # Two more, payable; half of one refunded after approval (reversed at once).
    payable = usd.order("A-1004", [("GRINDER", 1, 12000)])
    payable += usd.order("A-1005", [("BEANS-1KG", 2, 2500)], discount=500)
    wait_until("Acme's last two commissions are still not approved",
               lambda: acme_totals()["approved"] == payable)
    payable -= usd.refund("A-1004", 6000)
    # On hold for 30 days: one large order and one small, half refunded.
    pending = eur.order("G-2001", [("TEA-CHEST", 1, 1234500)])
    pending += eur.order("G-2002", [("SENCHA", 2, 1999)])
    pending -= eur.refund("G-2002", 1999)
    # 5 qualifying orders, a reward every 2: two bags.
    wait_until("the two rewards were not granted", lambda: len(
        api.expect(200, "GET", "/v1/me/rewards", token=token)["items"]) == 2)
    return {
        "influencer": infl,
        "brands": {"acme": acme, "globex": globex, "initech": initech, "umbrella": umbrella},
        "to_accept": to_accept,
        "to_decline": to_decline,
        "expected": {
            "USD": {"pending": 0, "approved": payable, "paid": paid},
            "EUR": {"pending": pending, "approved": 0, "paid": 0},
        },
    }
