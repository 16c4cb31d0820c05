"""The brand console's pages for the browser suite (`browser_suite.py`): a brand's day,
in the order its marketing person lives it; `PAGES` lists them.

The brand signs up in the browser and lands on an empty overview. The walk's world
(`Walk.world`, empty at the start) collects what later pages need: the owner's login,
an API token for checks through the JSON API, ids made on the way. An ambassador's side
(accepting the invitation) happens in a second browser, `other_browser(w)`, closed by
`close(w)` at the end of the walk.
"""

from __future__ import annotations

import re
import secrets
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from chromium import Chromium
from fixture import new_influencer
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


def sign_in_influencer(w: Walk, infl: dict) -> None:
    """Signs the influencer (a `new_influencer` answer) in through the form."""
    w.open("/login")
    w.one('input[name="email"]').send_keys(infl["email"])
    w.one('input[name="password"]').send_keys(infl["password"])
    w.one('input[name="account"][value="influencer"]').click()
    w.submit('form[action="/login"] button[type="submit"]')


def fill(w: Walk, fields: dict[str, str]) -> None:
    """Types each value into the input, select or textarea with that id."""
    for field, value in fields.items():
        element = w.one(f'[id="{field}"]')
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


def program(w: Walk) -> None:
    """A program through the form: a rate of 150 % refused beside its field, then 10 %."""
    w.open("/console/programs/new")
    w.look("console-program-new")
    fill(w, {"name": "Ambassadors", "commission.rate": "150", "hold_days": "0", "min_payout": "1.00",
             "override_rate": "10"})
    w.submit("form.program-form button[type=submit]")
    w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, '[id="commission.rate-error"]')),
            "no error beside a rate of 150 %")
    w.look("console-program-refused", status=422)
    fill(w, {"commission.rate": "10"})
    w.submit("form.program-form button[type=submit]")
    if not w.path().startswith("/console/programs/"):
        raise Failure(f"saving the program led to {w.path()}")
    program_id = w.path().removeprefix("/console/programs/").split("?")[0]
    made = brand_api(w, "GET", f"/v1/brand/programs/{program_id}")
    w.check(made["terms"]["commission"]["rate"] == "10" and made["terms"]["hold_days"] == 0
            and made["terms"]["override_rate"] == "10", f"the API's program is {made}")
    w.world["program_id"] = program_id
    w.look("console-program")


def ambassador(w: Walk) -> None:
    """An influencer is invited on the ambassadors page and accepts in a second browser."""
    infl = new_influencer(w.api, "Kai Brews")
    w.world["influencer"] = infl
    w.open("/console/ambassadors")
    fill(w, {"email": infl["email"], "program_id": w.world["program_id"]})
    w.submit('form[action="/console/ambassadors/invitations"] button[type=submit]')
    w.look("console-ambassadors-invited")
    other = other_browser(w)
    sign_in_influencer(other, infl)
    other.open("/app/invitations")
    other.submit('form[action$="/accept"] button')
    roster = brand_api(w, "GET", "/v1/brand/ambassadors")["items"]
    w.check(len(roster) == 1 and roster[0]["status"] == "active", f"the API's ambassadors: {roster}")
    w.world["membership_id"] = roster[0]["id"]
    codes = w.api.expect(200, "GET", "/v1/me/codes", token=infl["access_token"])["items"]
    w.world["code"] = codes[0]["code"]
    w.open(f"/console/ambassadors/{roster[0]['id']}")
    w.check("Kai Brews" in w.one("main").text, "the ambassador's page lacks their name")
    w.look("console-ambassador")


def orders(w: Walk) -> None:
    """An API key made on the settings page (its secret shown once) records three orders
    with the ambassador's code; one is refunded; the console lists them with their
    attribution."""
    w.open("/console/settings/api-keys")
    fill(w, {"name": "Shop production"})
    w.submit('form[action="/console/settings/api-keys"] button[type=submit]')
    secret = w.one('input[id="secret"]').get_attribute("value")
    w.check(secret.startswith("rtk_"), f"the new key's secret reads {secret!r}")
    w.world["api_key"] = secret
    w.look("console-api-key-created")
    for n in (1, 2, 3):
        w.api.expect(201, "POST", "/v1/checkout/orders", {
            "order_id": f"R-{n}", "code": w.world["code"], "currency": "USD", "discount_total": 0,
            "lines": [{"sku": "BEANS", "quantity": n, "unit_price": 2000}]}, token=secret)
    w.api.expect(201, "POST", "/v1/checkout/orders/R-3/refunds",
                 {"refund_id": "RF-1", "amount": 1000}, token=secret)
    w.open("/console/orders")
    rows = w.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    w.check(len(rows) == 3, f"{len(rows)} orders shown, three were recorded")
    w.look("console-orders")
    listed = brand_api(w, "GET", "/v1/brand/orders")["items"]
    refunded = next(o for o in listed if o["order_id"] == "R-3")
    w.open(f"/console/orders/{refunded['id']}")
    text = w.one("main").text
    w.check("Kai Brews" in text and w.world["code"] in text, "the order page lacks its ambassador or code")
    w.check("RF-1" in text, "the order page lacks its refund")
    w.look("console-order")


def payouts(w: Walk) -> None:
    """Once the maturation job approved the commissions: a payout batch made on the page,
    both files downloaded equal to the API's, and the batch marked paid."""
    deadline = time.monotonic() + 30
    while brand_api(w, "GET", "/v1/brand/reports/payouts")["payable_total"] <= 0:
        if time.monotonic() > deadline:
            raise Failure("no commission became payable within 30 s")
        time.sleep(0.5)
    w.open("/console/payouts")
    w.look("console-payouts")
    w.submit('form[method="post"][action="/console/payouts"] button[type=submit]')
    if not w.path().startswith("/console/payouts/"):
        raise Failure(f"creating the batch led to {w.path()}")
    batch = w.path().removeprefix("/console/payouts/").split("?")[0]
    w.look("console-payout")
    cookie = {"cookie": f"reftrack_session={w.driver.get_cookie('reftrack_session')['value']}"}
    for page_file, api_format in (("payout.csv", "csv"), ("paypal.csv", "paypal")):
        status, _, got = w.api.request("GET", f"/console/payouts/{batch}/{page_file}", headers=cookie)
        _, _, want = w.api.request("GET", f"/v1/brand/payouts/{batch}?format={api_format}",
                                   token=w.world["owner_token"])
        w.check(status == 200 and got == want, f"{page_file}: the page's file ({status}) is not the API's")
    paid_form = w.one(f'form[action="/console/payouts/{batch}/paid"]')
    w.driver.execute_script("arguments[0].closest('details').open = true", paid_form)
    w.submit(f'form[action="/console/payouts/{batch}/paid"] button[type=submit]')
    paid = brand_api(w, "GET", f"/v1/brand/payouts/{batch}")
    w.check(paid["status"] == "paid", f"the API says the batch is {paid['status']}")
    w.look("console-payout-paid")


def overview_with_sales(w: Walk) -> None:
    """The overview after the day's sales: the attributed sales the API counts, the
    chart drawn, the ambassador on top, commission paid."""
    w.open("/console")
    stats = brand_api(w, "GET", "/v1/brand/stats")
    w.check(money(stats["net_sales"], "USD") in w.one("main").text,
            f"the overview lacks the API's net sales {stats['net_sales']}")
    chart = w.one("figure img.chart")
    w.check(w.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", chart),
            "the sales chart did not load")
    w.check("Kai Brews" in w.one('section[aria-labelledby="top"]').text, "the ambassador is not on top")
    w.look("console-overview")


def tour(w: Walk) -> None:
    """The pages the day did not need, each opened and looked at: the program list and
    its edit form, the ambassadors list, free items to ship, the orders filtered to the
    ambassador, and the settings with their shop integrations and webhooks."""
    program, member = w.world["program_id"], w.world["membership_id"]
    for path, name in (("/console/programs", "console-programs"),
                       (f"/console/programs/{program}/edit", "console-program-edit"),
                       ("/console/ambassadors", "console-ambassadors"),
                       ("/console/rewards", "console-rewards"),
                       (f"/console/orders?ambassador={member}", "console-orders-filtered"),
                       ("/console/settings", "console-settings"),
                       ("/console/settings/integrations", "console-integrations"),
                       ("/console/settings/webhooks", "console-webhooks")):
        w.open(path)
        w.check(w.path() == path, f"{path} led to {w.path()}")
        w.look(name)
    rows = w.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    w.check(not rows, f"the webhooks page lists {len(rows)} endpoints; none was made")


def money_control(w: Walk) -> None:
    """The brand reviews a commission and pays a bonus: with the program's hold now 30
    days, a new sale's commission waits; the brand holds it with a reason (the ambassador,
    in the second browser, reads "Under review" without it), then rejects it (the
    ambassador reads why), and adds a bonus on the ambassador's page."""
    brand_api(w, "PATCH", f"/v1/brand/programs/{w.world['program_id']}", {"hold_days": 30})
    w.api.expect(201, "POST", "/v1/checkout/orders", {
        "order_id": "R-4", "code": w.world["code"], "currency": "USD", "discount_total": 0,
        "lines": [{"sku": "BEANS", "quantity": 2, "unit_price": 2000}]}, token=w.world["api_key"])
    order = next(o for o in brand_api(w, "GET", "/v1/brand/orders")["items"] if o["order_id"] == "R-4")
    page = f"/console/orders/{order['id']}"
    w.open(page)
    w.look("console-order-review")
    hold_why, reject_why = "Chargeback opened by the customer", "Bought by the ambassador for a friend"
    fill(w, {"hold-reason": hold_why})
    w.submit(f'form[action="{page}/hold"] button[type=submit]')
    w.check("Held for review" in w.one("main").text, "holding the order said nothing")
    w.look("console-order-held")
    other = other_browser(w)
    other.open(f"/app/orders/{order['id']}")
    text = other.one("main").text
    other.check("Under review" in text and hold_why not in text,
                "the ambassador does not read the order as under review, or reads the brand's reason")
    other.look("portal-order-held")
    fill(w, {"reject-reason": reject_why})
    w.submit(f'form[action="{page}/reject"] button[type=submit]')
    detail = brand_api(w, "GET", f"/v1/brand/orders/{order['id']}")
    w.check(detail["commission"]["status"] == "rejected" and len(detail["reviews"]) == 2,
            f"the API's order after the rejection: {detail['commission']} {detail['reviews']}")
    w.check(reject_why in w.one("main").text, "the order page lacks the rejection's reason")
    w.look("console-order-rejected")
    other.open(f"/app/orders/{order['id']}")
    other.check(reject_why in other.one("main").text, "the ambassador does not read why it was rejected")
    other.look("portal-order-rejected")
    member = w.world["membership_id"]
    w.open(f"/console/ambassadors/{member}")
    fill(w, {"kind": "bonus", "amount": "25", "reason": "Launch video beat every target"})
    w.submit(f'form[action="/console/ambassadors/{member}/adjustments"] button[type=submit]')
    w.check("The bonus is on their statement" in w.one("main").text, "adding the bonus said nothing")
    entries = brand_api(w, "GET", f"/v1/brand/ambassadors/{member}/entries")["items"]
    w.check(entries[0]["kind"] == "bonus" and entries[0]["amount"] == 2500,
            f"the API's latest entry is {entries[0]}")
    w.look("console-ambassador-bonus")


def team(w: Walk) -> None:
    """A teammate invited as staff joins from the e-mail's link in the second browser, and
    cannot see or make API keys."""
    sfx = secrets.token_hex(3)
    email = f"sam-{sfx}@roastery.example"
    w.open("/console/settings/team")
    fill(w, {"email": email, "role": "staff"})
    w.submit('form[action="/console/settings/team"] button[type=submit]')
    w.look("console-team")
    link = wait_for_link(w, email, "/console/join?token=")
    other = other_browser(w)
    other.driver.delete_all_cookies()
    other.open(link)
    other.look("console-join")
    password = f"staff passphrase {sfx}"
    fill(other, {"new_password": password, "confirm_password": password})
    other.submit('form[action="/console/join"] button[type=submit]')
    other.check(other.path() == "/console", f"joining led to {other.path()}")
    other.open("/console/settings/api-keys")
    other.check("Only an owner" in other.one("main").text, "staff sees the API keys page")
    other.look("console-staff-refused", status=403)
    token = w.api.expect(200, "POST", "/v1/auth/login",
                         {"email": email, "password": password, "account": "brand"})["access_token"]
    status, _, body = w.api.call("POST", "/v1/brand/api-keys", {"name": "staff"}, token=token)
    w.check(status == 403 and body.get("code") == "forbidden_role", f"staff made a key: {status} {body}")


def exchange_rates(w: Walk) -> None:
    """The owner keeps a rate table: a rate with a comma refused beside its cell, then
    EUR → USD saved; the API lists it."""
    w.open("/console/settings/fx-rates")
    w.look("console-fx-rates-empty")
    fill(w, {"from_0": "EUR", "to_0": "USD", "rate_0": "1,0825"})
    w.submit('form[action="/console/settings/fx-rates"] button[type=submit]')
    w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, "#rate_0-error")), "no error beside the rate 1,0825")
    w.look("console-fx-rates-refused", status=422)
    fill(w, {"rate_0": "1.0825"})
    w.submit('form[action="/console/settings/fx-rates"] button[type=submit]')
    w.check(w.path() == "/console/settings/fx-rates?done=saved", f"saving the rates led to {w.path()}")
    rates = brand_api(w, "GET", "/v1/brand/fx-rates")["rates"]
    w.check([(r["from"], r["to"], r["rate"]) for r in rates] == [("EUR", "USD", "1.0825")], f"the API's rates: {rates}")
    w.look("console-fx-rates")


def invitation_link(w: Walk) -> None:
    """The ambassador's invitation link: on their brand page in the portal, its page as
    a visitor sees it, a new creator joining with its form; the console names the
    recruiter on the recruit's page."""
    other = other_browser(w)
    kai = w.world["influencer"]
    other.driver.delete_all_cookies()
    sign_in_influencer(other, kai)
    other.open(f"/app/brands/{w.world['brand_id']}")
    link = other.one("#recruit-link").get_attribute("value")
    path = link[link.index("/join/"):]
    other.check(path == f"/join/{w.world['slug']}/{w.world['code']}", f"the invitation link is {link}")
    other.look("portal-brand-recruiting")
    other.driver.delete_all_cookies()
    other.open(path)
    other.check("invites you to join" in other.one("main").text, "the link's page does not say who invites")
    other.look("portal-join-visitor")
    lea = new_influencer(w.api, "Lea Rose")
    sign_in_influencer(other, lea)
    other.open(path)
    other.submit(f'form[action="{path}"] button[type=submit]')
    other.check(other.path() == f"/app/brands/{w.world['brand_id']}", f"joining led to {other.path()}")
    roster = brand_api(w, "GET", "/v1/brand/ambassadors")["items"]
    recruit = [a for a in roster if a["recruited_by"] == w.world["membership_id"]]
    w.check(len(recruit) == 1, f"the API's ambassadors: {roster}")
    w.open(f"/console/ambassadors/{recruit[0]['id']}")
    w.check("Recruited by" in w.one("main").text, "the recruit's page does not name the recruiter")
    w.look("console-ambassador-recruited")


def wait_for_link(w: Walk, email: str, marker: str) -> str:
    """The path `marker…` of the link in the latest mail to `email` (the suite's SMTP sink)."""
    pattern = re.compile(re.escape(marker) + r"[A-Za-z0-9_\-]+")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for mail in reversed(w.world["sink"].arrivals()):
            found = pattern.search(mail.text or "")
            if email in mail.rcpt_to and found:
                return found.group(0)
        time.sleep(0.3)
    raise Failure(f"no mail with {marker} reached {email} in 30 s")


# The day, in order; a failed sign-up ends it.
PAGES = [sign_up, overview, program, ambassador, orders, payouts, overview_with_sales, tour, money_control, team,
         exchange_rates, invitation_link]
