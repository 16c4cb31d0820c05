"""The brand console's pages for the browser suite (`browser_suite.py`): a brand's day,
in the order its marketing person lives it; `PAGES` lists them.

The brand signs up in the browser and lands on an empty overview. The walk's world
(`Walk.world`, empty at the start) collects what later pages need: the owner's login,
an API token for checks through the JSON API, ids made on the way. An ambassador's side
(accepting the invitation) happens in a second browser, `other_browser(w)`, closed by
`close(w)` at the end of the walk.
"""

from __future__ import annotations

import secrets
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from chromium import Chromium
from fixture import accept, new_influencer
from portal_data import money
from portal_walk import Failure, Walk


def other_browser(w: Walk) -> Walk:
    """A second browser with its own cookies (an ambassador's, a teammate's), sharing the
    walk's failures and screenshot count through `close`."""
    other = w.world.get("other")
    if other is None:
        other = Walk(w.backend, w.base, w.world, Chromium(w.browser.shots_dir))
        w.world["other"] = other
    other.page = f"{w.page} (second browser)"
    return other


def close(w: Walk) -> None:
    """Ends the second browser, keeping what it found."""
    other = w.world.pop("other", None)
    if other is not None:
        w.failures += other.failures
        w.shots += other.shots
        other.browser.quit()


def brand_api(w: Walk, method: str, path: str, body=None, status: int = 200):
    """A JSON call as the brand's owner (a token of the API's own login, not the browser's
    cookie), expecting `status`."""
    return w.api.expect(status, method, path, body, token=w.world["owner_token"])


def fill(w: Walk, fields: dict[str, str]) -> None:
    """Types each value into the input, select or textarea with that id."""
    for field, value in fields.items():
        element = w.one(f"#{field}")
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def sign_up(w: Walk) -> None:
    """The brand signs up through the form (a slug with capitals refused first, the rest
    kept as typed) and lands on its empty overview; the owner logs in through the API."""
    sfx = secrets.token_hex(4)
    owner = {"email": f"maya-{sfx}@roastery.example", "password": f"roastery passphrase {sfx}"}
    w.world.update(owner_email=owner["email"], owner_password=owner["password"], slug=f"roastery-{sfx}")
    w.open("/")
    w.submit('a[href="/signup/brand"]')
    w.look("console-signup")
    fill(w, {"name": "Roastery & Co", "slug": f"Roastery {sfx}", "landing_url": "https://roastery.example/shop",
             "currency": "USD", "email": owner["email"], "password": owner["password"]})
    w.submit('form[action="/signup/brand"] button[type="submit"]')
    w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, "#slug-error")), "no error beside the refused slug")
    w.check(w.one("#name").get_attribute("value") == "Roastery & Co", "the refused form lost the name typed")
    w.look("console-signup-refused", status=422)
    fill(w, {"slug": w.world["slug"], "password": owner["password"]})
    w.submit('form[action="/signup/brand"] button[type="submit"]')
    if w.path() != "/console":
        raise Failure(f"signing the brand up led to {w.path()}, not /console")
    login = w.api.expect(200, "POST", "/v1/auth/login",
                         {"email": owner["email"], "password": owner["password"], "account": "brand"})
    w.world["owner_token"] = login["access_token"]
    brand = brand_api(w, "GET", "/v1/brand")
    w.check(brand["name"] == "Roastery & Co" and brand["slug"] == w.world["slug"],
            f"the API's brand is {brand}")
    w.world["brand_id"] = brand["id"]


def overview(w: Walk) -> None:
    """The overview of a brand without sales: zero figures, nothing waiting."""
    w.open("/console")
    w.check(w.one("h1").text.strip() == "Overview", f"the console opens on {w.one('h1').text!r}")
    w.check("$0.00" in w.one("main").text, "the empty overview shows no $0.00")
    w.check(w.one("a[aria-current=page]").text.strip() == "Overview", "the navigation does not mark Overview")
    w.look("console-overview-empty")


def wait_for(w: Walk, what: str, ready, seconds: float = 20.0):
    """Polls `ready()` (the maturation job runs every second) until it answers something
    true, and returns that; a `Failure` naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = ready()
        if found:
            return found
        time.sleep(0.3)
    raise Failure(f"{what}: not after {seconds:.0f} s")


def sales(w: Walk) -> None:
    """What the shop and an ambassador do, through the API: a program with no hold, a free
    bag every 2 orders and a $1.00 minimum payout; an ambassador whose name is markup
    joins; four orders with their code."""
    program = brand_api(w, "POST", "/v1/brand/programs", {
        "name": "Day one", "commission": {"type": "percent", "rate": "10"},
        "customer_discount": {"type": "percent", "value": "15"}, "hold_days": 0,
        "rewards": [{"every_orders": 2, "sku": "FREE-BAG", "description": "A free bag of beans"}],
        "min_payout": 100}, status=201)
    key = brand_api(w, "POST", "/v1/brand/api-keys", {"name": "Checkout"}, status=201)
    ambassador = new_influencer(w.api, "Jo <b>Brews</b>")
    invitation = brand_api(w, "POST", "/v1/brand/invitations",
                           {"email": ambassador["email"], "program_id": program["id"]}, status=201)
    membership = accept(w.api, ambassador, invitation)
    code = membership["codes"][0]["code"]
    for n in range(4):
        w.api.expect(201, "POST", "/v1/checkout/orders", {
            "order_id": f"DAY-{n + 1}", "code": code, "currency": "USD", "discount_total": 0,
            "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2500}]}, token=key["secret"])
    w.world.update(ambassador=ambassador, membership_id=membership["id"], code=code)


def orders(w: Walk) -> None:
    """`/console/orders` after the first sales: every order of `GET /v1/brand/orders` with
    its ambassador (markup shown as text); the ambassador and code filters agree with the
    API's; one order opened, its attribution record naming the winning code."""
    sales(w)
    w.open("/console/orders")
    listed = brand_api(w, "GET", "/v1/brand/orders?limit=25")["items"]
    rows = w.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    w.check(len(rows) == len(listed), f"{len(rows)} orders shown, the API lists {len(listed)}")
    days = [row.text for row in rows if row.text.startswith("DAY-")]
    w.check(len(days) == 4 and all("Jo <b>Brews</b>" in row for row in days),
            f"the day's orders are not shown with their ambassador's name as typed: {days}")
    w.look("console-orders")
    Select(w.one("select#ambassador")).select_by_value(w.world["membership_id"])
    fill(w, {"code": w.world["code"].lower()})
    w.submit('main form[action="/console/orders"] button[type="submit"]')
    w.check(f"ambassador={w.world['membership_id']}" in w.path(), f"the filters are not in {w.path()}")
    want = brand_api(w, "GET", f"/v1/brand/orders?ambassador_id={w.world['membership_id']}"
                               f"&code={w.world['code'].lower()}")["items"]
    got = sorted(a.text.strip() for a in w.driver.find_elements(By.CSS_SELECTOR, "main table tbody th a"))
    w.check(got == sorted(o["order_id"] for o in want) and got,
            f"filtered by ambassador and code, the page shows {got}, the API {[o['order_id'] for o in want]}")
    w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, 'a[href^="/console/orders.csv?ambassador="]')),
            "the download does not carry the filters")
    w.look("console-orders-filtered")
    first = want[0]
    w.submit(f'main table a[href="/console/orders/{first["id"]}"]')
    w.check(w.one("h1").text.strip() == f"Order {first['order_id']}", f"the order page's heading is {w.one('h1').text!r}")
    record = w.one("#attribution").find_element(By.XPATH, "..").text
    w.check(w.world["code"] in record and "Winner" in record, f"the attribution record reads {record!r}")
    w.look("console-order")


def rewards(w: Walk) -> None:
    """`/console/rewards`: the free bag the ambassador claimed, with the address on its
    two lines, marked shipped with a carrier and tracking through its form; the API
    has them."""
    def granted():
        items = brand_api(w, "GET", "/v1/brand/rewards?status=earned&limit=100")["items"]
        return [r for r in items if r["membership_id"] == w.world["membership_id"]]

    earned = wait_for(w, "the free bags granted", granted)
    ambassador = w.world["ambassador"]
    w.api.expect(200, "POST", f"/v1/me/rewards/{earned[0]['id']}/claim",
                 {"shipping_name": "Jo Brews", "shipping_address": "12 Long Street\nSpringfield"},
                 token=ambassador["access_token"])
    w.open("/console/rewards")
    card = w.one(f"#reward-{earned[0]['id']}")
    w.check("12 Long Street\nSpringfield" in card.find_element(By.TAG_NAME, "address").text,
            "the address is not shown on its lines")
    w.look("console-rewards")
    fill(w, {f"carrier-{earned[0]['id']}": "DHL Express", f"tracking-{earned[0]['id']}": "1Z999AA1"})
    w.submit(f'form[action="/console/rewards/{earned[0]["id"]}/fulfil"] button[type="submit"]')
    w.check(w.path() == "/console/rewards?done=shipped", f"shipping led to {w.path()}")
    shipped = brand_api(w, "GET", "/v1/brand/rewards?status=fulfilled")["items"]
    w.check([(r["carrier"], r["tracking"]) for r in shipped if r["id"] == earned[0]["id"]]
            == [("DHL Express", "1Z999AA1")], f"the API's shipped items: {shipped}")
    w.open("/console/rewards?status=fulfilled")
    w.look("console-rewards-shipped")


def payouts(w: Walk) -> None:
    """`/console/payouts`: the payable report equals the API's; a batch made with the
    button, then marked paid behind its confirmation; the API agrees."""
    def payable():
        report = brand_api(w, "GET", "/v1/brand/reports/payouts")
        return report if report["payable_total"] > 0 else None

    report = wait_for(w, "the commissions approved", payable)
    w.open("/console/payouts")
    w.check(money(report["payable_total"], "USD") in w.one("main").text,
            f"the payable {money(report['payable_total'], 'USD')} is not shown")
    w.look("console-payouts")
    w.submit('form[method="post"][action="/console/payouts"] button[type="submit"]')
    if not (w.path().startswith("/console/payouts/") and w.path().endswith("?done=created")):
        raise Failure(f"creating the batch led to {w.path()}")
    batch_id = w.path().removeprefix("/console/payouts/").removesuffix("?done=created")
    w.check(brand_api(w, "GET", f"/v1/brand/payouts/{batch_id}")["total"] == report["payable_total"],
            "the batch does not pay what the report said")
    w.look("console-payout")
    [mark] = [s for s in w.driver.find_elements(By.CSS_SELECTOR, "details summary") if s.text.strip() == "Mark paid"]
    mark.click()
    w.look("console-payout-confirm")
    w.submit(f'form[action="/console/payouts/{batch_id}/paid"] button[type="submit"]')
    w.check(brand_api(w, "GET", f"/v1/brand/payouts/{batch_id}")["status"] == "paid", "the batch is not paid")
    w.look("console-payout-paid")


# The day, in order; a failed sign-up ends it.
PAGES = [sign_up, overview, orders, rewards, payouts]
