"""The influencer portal's pages for the browser suite (`browser_suite.py`), in the order a
person walks them; `PAGES` lists them. Each page is a function of the walk
(`portal_walk.Walk`): it opens the page, checks what it shows against the JSON API,
acts through the page's own forms and buttons, and takes its screenshots with
`Walk.look`:

- `/` (the landing page) and `/login`: types the e-mail and password, chooses the
  account, presses the button; the session cookie is `HttpOnly`, `SameSite=Lax`, not
  `Secure` on http;
- `/app`: the pending, payable and paid figures per currency, and each brand's row,
  equal the API's `GET /v1/me/dashboard` totals formatted as the page formats money
  (`$16.85`, `€1,234.50`; computed here from the API's minor units);
- `/app/invitations`: every invitation of `GET /v1/me/invitations` with its status;
  accepts one and declines the other by clicking their buttons, then the API agrees;
- `/app/codes`: every code and referral link of `GET /v1/me/codes` (the one just
  accepted included), each with a QR image that loaded;
- `/app/brands/{id}` of each brand joined: its money equals the API's, its terms,
  links, free-item progress and statement; the copy button copies;
- `/app/orders`: every order of `GET /v1/me/orders` with its commission, status (a
  countdown while on hold) and brand; the brand and status filters agree with the
  API's; one order opened in full;
- `/app/rewards`: every reward of `GET /v1/me/rewards`; one claimed through its form,
  first refused without a name (the typed address kept), then accepted; the API has
  the address, line break included;
- `/app/profile`: types a new display name and saves; `GET /v1/me` has it;
- sign-out: the button in the navigation; afterwards `/app` leads to `/login`, and the
  old session cookie no longer opens it;
- `/signup`: a new influencer signs up, lands on an empty overview, and the same
  account logs in through the API; `/password/forgot` answers "we sent it a link".
"""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from portal_data import money
from portal_walk import Failure, Walk


def landing(w: Walk) -> None:
    w.open("/")
    w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, 'a[href="/login"]')),
            "no link to the sign-in page")
    w.look("landing")


def sign_in(w: Walk) -> None:
    w.open("/login")
    w.look("login")
    infl = w.world["influencer"]
    w.one('input[name="email"]').send_keys(infl["email"])
    w.one('input[name="password"]').send_keys(infl["password"])
    w.one('input[name="account"][value="influencer"]').click()
    w.submit('form[action="/login"] button[type="submit"]')
    if not w.path().startswith("/app"):
        raise Failure(f"signing in led to {w.path()}, not /app")
    cookie = w.driver.get_cookie("reftrack_session")
    if cookie is None:
        raise Failure(f"no reftrack_session cookie after signing in: {w.driver.get_cookies()}")
    w.check(cookie.get("httpOnly") is True, f"the session cookie is not HttpOnly: {cookie}")
    w.check(cookie.get("sameSite") == "Lax", f"the session cookie is not SameSite=Lax: {cookie}")
    w.check(cookie.get("secure") is False, f"the session cookie is Secure on http: {cookie}")
    w.world["session_cookie"] = cookie["value"]


def overview(w: Walk) -> None:
    w.open("/app")
    board = w.me("GET", "/v1/me/dashboard")
    sums: dict[str, dict[str, int]] = {}
    for entry in board["brands"]:
        total = sums.setdefault(entry["currency"], {"pending": 0, "approved": 0, "paid": 0})
        for key in total:
            total[key] += entry["totals"][key]
    for currency, total in sorted(sums.items()):
        blocks = w.driver.find_elements(
            By.XPATH, f"//h3[normalize-space()='{currency}']/following-sibling::div[contains("
                      "concat(' ', @class, ' '), ' figures ')][1]")
        if not w.check(len(blocks) == 1, f"no figures under a heading {currency}"):
            continue
        shown = {label.text.strip(): value.text.strip() for label, value in zip(
            blocks[0].find_elements(By.CSS_SELECTOR, ".label"),
            blocks[0].find_elements(By.CSS_SELECTOR, ".value"))}
        for label, key in (("Pending", "pending"), ("Payable", "approved"), ("Paid", "paid")):
            want = money(total[key], currency)
            w.check(shown.get(label) == want, f"{currency} {label} shows {shown.get(label)!r}, "
                                              f"the API says {want} ({total[key]} minor units)")
    rows = sorted(tuple(cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "th, td"))
                  for row in w.driver.find_elements(
                      By.CSS_SELECTOR, 'section[aria-labelledby="brands"] table tbody tr'))
    # With more than one currency each brand's name carries its currency.
    want_rows = sorted((f"{e['brand_name']} {e['currency']}", money(e["totals"]["pending"], e["currency"]),
                        money(e["totals"]["approved"], e["currency"]),
                        money(e["totals"]["paid"], e["currency"])) for e in board["brands"])
    w.check(rows == want_rows, f"the brands table shows {rows}, the API says {want_rows}")
    expected = w.world["expected"]
    w.check(expected == {c: t for c, t in sums.items() if c in expected},
            f"the API's totals {sums} are not the ones the orders made: {expected}")
    # Each currency has its chart, drawn (an SVG image that loaded), and its table.
    charts = w.driver.find_elements(By.CSS_SELECTOR, "figure img.chart")
    w.check(len(charts) == len(sums), f"{len(charts)} charts for {len(sums)} currencies")
    for chart in charts:
        w.check(w.driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0",
                                        chart), "a chart image did not load")
    w.check(w.one("select#months").get_attribute("value") == "12", "the period is not the last 12 months")
    w.look("overview")
    Select(w.one("select#months")).select_by_visible_text("This month")
    w.submit('form.period button[type="submit"]')
    w.check(w.path() == "/app?months=1", f"choosing this month led to {w.path()}")
    w.look("overview-month")


def invitations(w: Walk) -> None:
    w.open("/app/invitations")
    inbox = w.me("GET", "/v1/me/invitations")["items"]
    articles = w.driver.find_elements(By.CSS_SELECTOR, "main article")
    w.check(len(articles) == len(inbox), f"{len(articles)} invitations shown, the API lists {len(inbox)}")
    for item in inbox:
        shown = [a.text for a in articles if item["brand"]["name"] in a.text]
        w.check(len(shown) == 1 and item["status"] in shown[0],
                f"{item['brand']['name']}: shown as {shown!r}, the API says {item['status']}")
    w.look("invitations")
    accept, decline = w.world["to_accept"], w.world["to_decline"]
    w.submit(f'form[action="/app/invitations/{accept}/accept"] button')
    w.check("Welcome aboard" in w.one("main").text, "no notice after accepting")
    w.submit(f'form[action="/app/invitations/{decline}/decline"] button')
    w.check("Declined" in w.one("main").text, "no notice after declining")
    status = {item["id"]: item["status"] for item in w.me("GET", "/v1/me/invitations")["items"]}
    w.check(status.get(accept) == "accepted", f"the invitation accepted in the browser is {status.get(accept)}")
    w.check(status.get(decline) == "declined", f"the invitation declined in the browser is {status.get(decline)}")
    w.check(not w.driver.find_elements(By.CSS_SELECTOR, 'form[action^="/app/invitations/"]'),
            "accept or decline buttons are left after answering every invitation")
    w.look("invitations-answered")


def codes(w: Walk) -> None:
    w.open("/app/codes")
    mine = w.me("GET", "/v1/me/codes")["items"]
    w.check(len(mine) == 3, f"the API lists {len(mine)} codes (two brands joined through the API, "
                            "one in the browser)")
    articles = w.driver.find_elements(By.CSS_SELECTOR, "main article")
    w.check(len(articles) == len(mine), f"{len(articles)} codes shown, the API lists {len(mine)}")
    for code in mine:
        cards = [a for a in articles if code["code"] in a.text]
        if not w.check(len(cards) == 1, f"code {code['code']} is shown {len(cards)} times"):
            continue
        links = [i.get_attribute("value") for i in cards[0].find_elements(By.CSS_SELECTOR, "input")]
        w.check(code["referral_link"] in links,
                f"{code['code']}: the link {code['referral_link']} is not shown (inputs: {links})")
        w.check(code["brand"]["name"] in cards[0].text, f"{code['code']}: no brand name")
        qr = cards[0].find_elements(By.CSS_SELECTOR, 'img[src^="data:image/svg+xml"]')
        w.check(len(qr) == 1 and w.driver.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", qr[0]),
            f"{code['code']}: no QR image that loaded")
    w.look("codes")


def brand_pages(w: Walk) -> None:
    """Each joined brand's page: its money equals the API's, its terms, codes, free-item
    progress, statement and the copy button."""
    mine = w.me("GET", "/v1/me/codes")["items"]
    for key in ("acme", "globex"):
        brand = w.world["brands"][key]
        w.open(f"/app/brands/{brand['id']}")
        entry = w.me("GET", f"/v1/me/dashboard?brand_id={brand['id']}")["brands"][0]
        currency, totals = entry["currency"], entry["totals"]
        w.check(w.one("h1").text.strip() == entry["brand_name"], f"{key}: the heading is not the brand's name")
        block = w.one('section[aria-labelledby="money"] .figures')
        shown = {label.text.strip(): value.text.strip() for label, value in zip(
            block.find_elements(By.CSS_SELECTOR, ".label"), block.find_elements(By.CSS_SELECTOR, ".value"))}
        for label, field in (("Pending", "pending"), ("Payable", "approved"), ("Paid", "paid")):
            want = money(totals[field], currency)
            w.check(shown.get(label) == want, f"{key}: {label} shows {shown.get(label)!r}, the API says {want}")
        w.check("10 % of each sale you refer" in w.one("dl.terms").text, f"{key}: the terms do not say the rate")
        for code in (c for c in mine if c["brand"]["id"] == brand["id"]):
            w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, f'input[value="{code["referral_link"]}"]')),
                    f"{key}: the link {code['referral_link']} is not shown")
        for goal in entry["rewards"]["progress"]:
            bars = w.driver.find_elements(By.CSS_SELECTOR, "progress")
            w.check(any(b.get_attribute("value") == str(goal["current"]) and
                        b.get_attribute("max") == str(goal["target"]) for b in bars),
                    f"{key}: no progress bar at {goal['current']} of {goal['target']}")
        rows = w.driver.find_elements(By.CSS_SELECTOR, 'section[aria-labelledby="statement"] tbody tr')
        w.check(len(rows) >= 1, f"{key}: the statement is empty")
        if totals["pending"] > 0:
            w.check("Next money becomes payable in" in w.one("main").text,
                    f"{key}: no countdown to the next payable date")
        w.look(f"brand-{key}")
    button = w.driver.find_elements(By.CSS_SELECTOR, "button[data-copy]")
    if w.check(len(button) >= 1 and button[0].is_displayed(), "no visible copy button (copy.js did not run)"):
        button[0].click()
        time.sleep(0.3)
        w.check(button[0].text.strip() == "Copied", f"the copy button says {button[0].text!r} after a click")


STATUS_WORDS = {"pending": "Pending", "approved": "Payable", "paid": "Paid", "reversed": "Reversed",
                "none": "No commission"}


def orders(w: Walk) -> None:
    """Every order of the API's list with its commission, status (a countdown while on
    hold) and attribution; the brand and status filters; one order in full."""
    w.open("/app/orders")
    listed = w.me("GET", "/v1/me/orders?limit=100")["items"]
    rows = w.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    w.check(len(rows) == len(listed), f"{len(rows)} orders shown, the API lists {len(listed)}")
    for order in listed:
        shown = [r.text for r in rows if r.find_element(By.CSS_SELECTOR, "th a").text.strip() == order["order_id"]]
        if not w.check(len(shown) == 1, f"order {order['order_id']} is shown {len(shown)} times"):
            continue
        for want in (money(order["commission"], order["currency"]), STATUS_WORDS[order["status"]],
                     order["brand_name"]):
            w.check(want in shown[0], f"order {order['order_id']}: {want!r} is not in its row {shown[0]!r}")
        if order["status"] == "pending":
            w.check("payable in" in shown[0], f"order {order['order_id']}: no hold countdown in {shown[0]!r}")
    w.look("orders")
    globex = w.world["brands"]["globex"]
    Select(w.one("select#brand")).select_by_visible_text("Globex Tea")
    Select(w.one("select#status")).select_by_visible_text("Pending")
    w.submit('main form[action="/app/orders"] button[type="submit"]')
    want = w.me("GET", f"/v1/me/orders?brand_id={globex['id']}&status=pending")["items"]
    got = sorted(a.text.strip() for a in w.driver.find_elements(By.CSS_SELECTOR, "main table tbody th a"))
    w.check(got == sorted(o["order_id"] for o in want) and got,
            f"filtered to Globex Tea, pending: the page shows {got}, the API {[o['order_id'] for o in want]}")
    w.look("orders-filtered")
    first = want[0] if want else listed[0]
    w.submit(f'main table a[href="/app/orders/{first["id"]}"]')
    w.check(w.one("h1").text.strip() == f"Order {first['order_id']}", f"the order page's heading is {w.one('h1').text!r}")
    w.check(money(first["net_amount"], first["currency"]) in w.one("main").text, "the order page lacks its net")
    w.look("order")


def rewards(w: Walk) -> None:
    """The free items of the API's list; one claimed with a shipping address typed on
    two lines, after the form refused it without a name."""
    w.open("/app/rewards")
    earned = w.me("GET", "/v1/me/rewards")["items"]
    cards = w.driver.find_elements(By.CSS_SELECTOR, "main article")
    w.check(len(cards) == len(earned), f"{len(cards)} rewards shown, the API lists {len(earned)}")
    w.look("rewards")
    reward = next(r for r in earned if r["status"] == "earned")
    w.submit(f'a[href="/app/rewards/{reward["id"]}/claim"]')
    address = w.one("textarea#shipping_address")
    address.send_keys("12 Roast Street")
    address.send_keys("\n")
    address.send_keys("1000 Brewtown")
    # Without a name the browser itself refuses (required): remove that to see ours.
    w.driver.execute_script("document.getElementById('shipping_name').removeAttribute('required')")
    w.submit('main form button[type="submit"]')
    w.check(bool(w.driver.find_elements(By.CSS_SELECTOR, "#shipping_name-error")), "no error next to the empty name")
    w.check(w.one("textarea#shipping_address").get_attribute("value") == "12 Roast Street\n1000 Brewtown",
            "the refused form lost the address typed")
    w.look("claim-refused", status=422)
    w.one("input#shipping_name").send_keys("Ana Brews")
    w.submit('main form button[type="submit"]')
    w.check(w.path() == "/app/rewards?claimed=1", f"claiming led to {w.path()}")
    after = {r["id"]: r for r in w.me("GET", "/v1/me/rewards")["items"]}[reward["id"]]
    w.check(after["status"] == "claimed" and after["shipping_name"] == "Ana Brews"
            and after["shipping_address"] == "12 Roast Street\n1000 Brewtown",
            f"the API says the claimed reward is {after}")
    w.look("rewards-claimed")


def sign_up(w: Walk) -> None:
    """A new influencer signs up in the browser and lands on an empty overview; the
    forgotten-password form answers the same for any address."""
    w.open("/signup")
    w.look("signup")
    email = f"newcomer-{int(time.time() * 1000)}@example.com"
    w.one('input[name="email"]').send_keys(email)
    w.one('input[name="password"]').send_keys("a long enough password")
    w.one('input[name="display_name"]').send_keys("Nova Newcomer")
    w.submit('form[action="/signup"] button[type="submit"]')
    w.check(w.path() == "/app", f"signing up led to {w.path()}, not /app")
    w.check("Hi Nova Newcomer" in w.one("h1").text, f"the new account's overview says {w.one('h1').text!r}")
    w.look("overview-new-account")
    token = w.api.expect(200, "POST", "/v1/auth/login",
                         {"email": email, "password": "a long enough password", "account": "influencer"})
    w.check(bool(token.get("access_token")), "the account made in the browser cannot log in through the API")
    w.submit('form[action="/logout"] button')
    w.open("/password/forgot")
    w.one('input[name="email"]').send_keys(email)
    w.submit('form[action="/password/forgot"] button[type="submit"]')
    w.check("we sent" in w.one("main").text, f"the forgotten-password form answered {w.one('main').text!r}")
    w.look("password-forgot")


def profile(w: Walk) -> None:
    w.open("/app/profile")
    w.look("profile")
    name = "Ana Brews & Beans"
    field = w.one('input[name="display_name"]')
    field.clear()
    field.send_keys(name)
    w.submit('form[action="/app/profile"] button[type="submit"]')
    w.check("Saved." in w.one("main").text, "no 'Saved.' after saving")
    w.check(w.one('input[name="display_name"]').get_attribute("value") == name,
            "the form does not show the new name")
    got = w.me("GET", "/v1/me")["display_name"]
    w.check(got == name, f"GET /v1/me says the name is {got!r}, not {name!r}")
    w.look("profile-saved")


def sign_out(w: Walk) -> None:
    w.open("/app")
    w.submit('form[action="/logout"] button')
    w.check(w.driver.get_cookie("reftrack_session") is None, "the session cookie is left")
    w.open("/app")
    w.check(w.path() == "/login", f"/app after signing out shows {w.path()}, not /login")
    status, headers, _ = w.api.request(
        "GET", "/app", headers={"cookie": f"reftrack_session={w.world['session_cookie']}"})
    w.check(status == 303 and headers.get("location") == "/login",
            f"the old session cookie still opens /app ({status} {headers.get('location')})")
    w.look("signed-out")


# Each page is a function of the walk; a Failure ends that page, and a failed sign-in
# ends the walk.
PAGES = [landing, sign_in, overview, invitations, codes, brand_pages, orders, rewards, profile, sign_out,
         sign_up]
