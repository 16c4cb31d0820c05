"""The browser suite's walk of one backend: the browser, the API, the data made for it and
the failures found so far, with the helpers every page of `browser_suite.py` uses."""

from __future__ import annotations

import time

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from chromium import WIDTHS, Chromium
from fixture import Api


class Failure(Exception):
    """A check that makes the rest of a page's checks pointless."""


class Walk:
    """One backend's walk: the browser, the API, the data and the failures so far."""

    def __init__(self, backend: str, base_url: str, world: dict, browser: Chromium):
        self.backend = backend
        self.base = base_url
        self.api = Api(base_url)
        self.world = world
        self.browser = browser
        self.driver = browser.driver
        self.failures: list[str] = []
        self.page = "?"
        self.shots = 0

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.failures.append(f"{self.page}: {message}")
        return ok

    def me(self, method: str, path: str, body=None):
        """A JSON call as the influencer (the API's own token, not the browser's cookie)."""
        return self.api.expect(200, method, path, body, token=self.world["influencer"]["access_token"])

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base)

    def look(self, name: str, status: int | None = None) -> None:
        """The checks of every page, and its screenshots (`status`: the error status the
        page is answered with on purpose)."""
        for problem in self.browser.look(name, status):
            self.failures.append(f"{self.page} ({self.path()}): {problem}")
        self.shots += len(WIDTHS)

    def one(self, css: str, within=None):
        found = (within or self.driver).find_elements(By.CSS_SELECTOR, css)
        if len(found) != 1:
            raise Failure(f"{len(found)} elements match `{css}` on {self.path()} (one expected)")
        return found[0]

    def submit(self, css: str) -> None:
        """Press the button `css` and wait for the next page to load."""
        old = self.one("html")
        self.one(css).click()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                old.tag_name  # raises once the old page is gone
            except WebDriverException:
                return
            time.sleep(0.05)
        raise Failure(f"pressing `{css}` did not lead to a new page in 15 s")
