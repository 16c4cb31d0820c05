#!/usr/bin/env python3
"""The influencer portal in a real browser: Debian's Chromium over WebDriver, on both backends.

Starts `reftrack serve` on a fresh database (maturation every second), makes real data
through the JSON API only (scripts/fixture.py): an influencer who is the ambassador of
two brands in two currencies (a USD program without hold, with a free-item reward
every 2 orders, and a EUR program holding commissions 30 days); orders with their codes
through `POST /v1/checkout/orders`, some approved by the maturation job and paid in a
payout batch, some payable, some on hold, with a refund in each brand; two rewards
earned; and two more brands' invitations left pending. Then, in Chromium, it walks the
portal as a person would, page by page (`PAGES`):

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

Every page visited also gets `Chromium.look` (scripts/chromium.py): no console errors
(CSP violations included), exactly one `<h1>`, no horizontal scrolling at 375 px, and a
full-page screenshot at 1280 and 375 px wide in `target/screenshots/<backend>/` (not
committed). A page is one function in `PAGES`: add the next one there.

Run from the repository root after `cargo build --bin reftrack`:
    python3 scripts/browser_suite.py [--backend sqlite|postgres|both] [--keep]
It needs /usr/bin/chromium and /usr/bin/chromedriver (`.ci/run` installs them) and
selenium, pinned in scripts/requirements-ci.txt: when the running Python lacks it, the
script runs itself again with `.venv-ci/bin/python` (`scripts/ci_venv.sh` makes it;
`$REFTRACK_CI_VENV` names another). Environment: REFTRACK_BIN,
REFTRACK_TEST_POSTGRES_URL (as the other scripts). Exit status 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

try:
    import selenium  # noqa: F401
except ImportError:
    VENV = os.path.join(fixture.REPO_ROOT, os.environ.get("REFTRACK_CI_VENV", ".venv-ci"))
    if os.access(os.path.join(VENV, "bin", "python"), os.X_OK) and \
            os.path.abspath(sys.prefix) != os.path.abspath(VENV):
        os.execv(os.path.join(VENV, "bin", "python"),
                 [os.path.join(VENV, "bin", "python"), os.path.abspath(__file__), *sys.argv[1:]])
    sys.exit("selenium is not installed: run scripts/ci_venv.sh (the pinned selenium into "
             ".venv-ci/), then this script again")

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from chromium import Chromium  # noqa: E402
from portal_data import make_world, money  # noqa: E402
from portal_walk import Failure, Walk  # noqa: E402

SHOTS_ROOT = os.path.join(fixture.REPO_ROOT, "target", "screenshots")


# --- the pages, in the order a person walks them --------------------------------------

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


def where(e: Exception) -> str:
    """` at file:line` of the deepest frame in these scripts (not selenium's)."""
    here = os.path.dirname(os.path.abspath(__file__))
    frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename.startswith(here)]
    return f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""


def first_lines(text: str) -> str:
    """A WebDriver message without chromedriver's native stack trace."""
    return text.split("Stacktrace:")[0].strip()[:800]


def run(backend: str, keep: bool) -> tuple[list[str], int]:
    """Walks the portal on one backend; returns the failures and the screenshots taken."""
    work = tempfile.mkdtemp(prefix=f"reftrack-browser-{backend}-")
    shots = os.path.join(SHOTS_ROOT, backend)
    shutil.rmtree(shots, ignore_errors=True)
    pg_name = server = browser = walk = None
    failures: list[str] = []
    try:
        if backend == "postgres":
            pg_name, db_url = fixture.create_pg_database("reftrack_browser")
        else:
            db_url = os.path.join(work, "reftrack.db")
        server = fixture.start_server(db_url, extra_env={"REFTRACK_JOBS_INTERVAL_SECS": "1"},
                                      log_path=os.path.join(work, "server.log"))
        started = time.monotonic()
        world = make_world(server.base_url)
        print(f"[{backend}] data made through the API in {time.monotonic() - started:.1f}s",
              flush=True)
        browser = Chromium(shots)
        walk = Walk(backend, server.base_url, world, browser)
        for page in PAGES:
            walk.page = page.__name__
            try:
                page(walk)
            except (Failure, WebDriverException, RuntimeError) as e:
                walk.failures.append(f"{walk.page}: {type(e).__name__}{where(e)}: "
                                     f"{first_lines(str(e))}")
                if page is sign_in:
                    break
        failures = walk.failures
        if not server.alive():
            failures.append("the server died during the walk")
        print(f"[{backend}] Chromium {browser.version}: {len(PAGES)} pages, {walk.shots} "
              f"screenshots in {os.path.relpath(shots, fixture.REPO_ROOT)}, "
              f"{'ok' if not failures else f'{len(failures)} failure(s)'}", flush=True)
    except Exception as e:  # the set-up failed: report it like a failed check
        failures.append(f"{type(e).__name__}: {e}")
    finally:
        if browser:
            browser.quit()
        if server:
            server.stop()
            if failures:
                print(f"[{backend}] server log:\n{server.log_tail()}", file=sys.stderr)
        if pg_name:
            fixture.drop_pg_database(pg_name)
        if keep or failures:
            print(f"[{backend}] kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return failures, walk.shots if walk else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    started = time.monotonic()
    failed = 0
    for backend in backends:
        failures, _ = run(backend, args.keep)
        failed += bool(failures)
        for failure in failures:
            print(f"FAIL [{backend}] {failure}", file=sys.stderr)
    print(f"{len(backends) - failed} passed, {failed} failed ({time.monotonic() - started:.0f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
