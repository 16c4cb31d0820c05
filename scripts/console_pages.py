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

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from chromium import Chromium
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


# The day, in order; a failed sign-up ends it.
PAGES = [sign_up, overview]
