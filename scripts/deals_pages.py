"""A deal in the browser suite (`browser_suite.py`), after the brand's day of
`console_pages.PAGES`, on its world: `PAGES` lists the one step.

The owner offers a deal with a gift through the console's form (opened from the
ambassador's page), the ambassador, signed in again in the second browser, counters
with another fee in the portal, the owner accepts it, the ambassador sends proof of a
post, and the owner approves it and ships the gift. The ambassador's pending money
grows by the fee (through the JSON API's dashboard); the gift's tracking shows in the
portal. Screenshots at both widths of the console's deal list and deal page, and the
portal's deal list and deal page.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By

from console_pages import fill, other_browser, sign_in_influencer
from portal_walk import Failure, Walk

TITLE = "Winter blend launch"


def set_value(w: Walk, css: str, value: str) -> None:
    """A date or date-time input's value, as the browser sends it (typing into those
    follows the machine's locale)."""
    w.driver.execute_script("arguments[0].value = arguments[1]", w.one(css), value)


def pending(w: Walk) -> int:
    """The ambassador's pending money with every brand, from the API's dashboard."""
    infl = w.world["influencer"]
    token = w.api.expect(200, "POST", "/v1/auth/login", {"email": infl["email"], "password": infl["password"],
                                                         "account": "influencer"})["access_token"]
    board = w.api.expect(200, "GET", "/v1/me/dashboard", token=token)
    return sum(entry["totals"]["pending"] for entry in board["brands"])


def deals(w: Walk) -> None:
    """Offer (with a gift) → counter-offer → accepted → proof → approved → shipped."""
    member = w.world["membership_id"]
    w.open(f"/console/ambassadors/{member}")
    w.submit(f'a[href="/console/deals/new?ambassador={member}"]')
    w.check(w.one("select#to").get_attribute("value") == f"ambassador:{member}",
            "the offer form does not preselect the ambassador it was opened from")
    w.look("console-deal-new")
    today = datetime.now(timezone.utc)
    fill(w, {"title": TITLE, "fee": "40", "terms": "Tag @roastery in the first line.",
             "deliverables[0].platform": "instagram", "deliverables[0].kind": "reel",
             "deliverables[0].count": "2", "deliverables[0].keep_up_days": "14",
             "deliverables[0].requirements": "#winterblend and a link to the shop",
             "gifts[0].sku": "WB-250", "gifts[0].description": "Winter blend, 250 g",
             "gifts[0].quantity": "3", "gifts[0].unit_value": "12.50"})
    set_value(w, '[id="deliverables[0].due_on"]', (today + timedelta(days=30)).strftime("%Y-%m-%d"))
    w.submit('form[action="/console/deals"] button[type=submit]')
    if "?done=offered" not in w.path():
        raise Failure(f"offering the deal led to {w.path()}: {w.one('main').text[:300]}")
    deal = w.path().removeprefix("/console/deals/").split("?")[0]
    text = w.one("main").text
    for shown in ("$40.00", "$80.00", "$37.50", "2 × Instagram reel", "Waiting for the ambassador"):
        w.check(shown in text, f"the new deal's page lacks {shown!r}")

    # The ambassador, signed in again in the second browser, counters at $55.00.
    other = other_browser(w)
    other.driver.delete_all_cookies()
    sign_in_influencer(other, w.world["influencer"])
    other.open("/app/deals")
    other.check(TITLE in other.one("main").text, "the portal's deal list lacks the offer")
    other.look("portal-deals")
    other.submit(f'a[href="/app/deals/{deal}"]')
    other.look("portal-deal-offered")
    fill(other, {f"counter-{deal}-fee": "55", f"counter-{deal}-note": "Reels take a day to shoot"})
    other.submit(f'form[action="/app/deals/{deal}/counter"] button[type=submit]')
    other.check("Your fee is with the brand" in other.one("main").text, "countering said nothing")

    # The owner accepts the counter-offer.
    w.open(f"/console/deals/{deal}")
    w.check("Reels take a day to shoot" in w.one("main").text, "the console lacks the ambassador's note")
    w.look("console-deal-countered")
    w.submit(f'form[action="/console/deals/{deal}/accept-counter"] button')
    w.check("Accepted at the ambassador's fee" in w.one("main").text, "accepting the counter-offer said nothing")

    # The ambassador sends proof of the first reel.
    other.open(f"/app/deals/{deal}")
    other.one("details summary").click()
    other.one('input[name="views"]').send_keys("3400")
    other.one('input[name="url"]').send_keys("https://instagram.example/reel/winter-1")
    set_value(other, 'input[name="published_at"]', (today - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    other.submit(f'form[action^="/app/deals/{deal}/deliverables/"] button[type=submit]')
    other.check("the brand reviews your proof" in other.one("main").text, "sending proof said nothing")

    # The owner approves it (the fee is pending for the ambassador) and ships the gift.
    before = pending(w)
    w.open(f"/console/deals/{deal}")
    w.submit(f'form[action$="/approve"] button')
    w.check("Approved: the fee is on" in w.one("main").text, "approving said nothing")
    w.check(pending(w) - before == 5500, f"pending grew by {pending(w) - before}, not the $55.00 fee")
    ship = f'form[action^="/console/deals/{deal}/gifts/"]'
    w.one(f'{ship} input[name="carrier"]').send_keys("DHL")
    w.one(f'{ship} input[name="tracking"]').send_keys("JD014600006281230")
    w.submit(f"{ship} button[type=submit]")
    w.check("Shipped: the ambassador sees" in w.one("main").text, "shipping said nothing")
    w.look("console-deal")
    w.open("/console/deals")
    rows = w.driver.find_elements(By.CSS_SELECTOR, "main table.deals tbody tr")
    w.check(len(rows) == 1 and "Accepted" in rows[0].text, f"the deal list shows {[r.text for r in rows]}")
    w.look("console-deals")
    other.open(f"/app/deals/{deal}")
    text = other.one("main").text
    for shown in ("DHL JD014600006281230", "Approved", "1 of 2 approved", "$55.00"):
        other.check(shown in text, f"the portal's deal page lacks {shown!r}")
    other.look("portal-deal")


PAGES = [deals]
