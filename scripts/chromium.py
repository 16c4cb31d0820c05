"""Debian's Chromium driven over WebDriver (selenium), for the browser suite.

`Chromium()` starts `/usr/bin/chromium` headless through `/usr/bin/chromedriver`, named
explicitly so that Selenium Manager never tries to download a driver or a browser (CI
machines reach package registries only). The flags turn off everything that phones
home (component updates, sync, background networking, QUIC): on a closed network those
connections are refused and would show up as noise, or hang a start.

`look(name)` is the check every page gets: no console errors since the last look
(Content-Security-Policy violations are console errors), exactly one `<h1>`, no
horizontal scrolling at the narrow width, and a full-page screenshot at each width in
`WIDTHS` saved as `<shots>/<name>-<width>.png`. It returns the problems found as
strings; the caller decides what a failure is.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
# A desktop and a phone. Headless Chromium draws classic 15 px scrollbars, so at 375
# the page lays out in 360 CSS pixels: the width of many Android phones.
WIDTHS = (1280, 375)
WINDOW_HEIGHT = 900


class Chromium:
    """One headless Chromium with a fresh profile; `quit()` ends it and removes the profile."""

    def __init__(self, shots_dir: str):
        for path in (CHROMIUM, CHROMEDRIVER):
            if not os.access(path, os.X_OK):
                raise RuntimeError(f"{path} is missing: apt-get install chromium chromium-driver "
                                   "(.ci/run does it when they are missing)")
        self.shots_dir = shots_dir
        self.profile = tempfile.mkdtemp(prefix="reftrack-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self.profile}")
        options.add_argument(f"--window-size={WIDTHS[0]},{WINDOW_HEIGHT}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER),
                                           options=options)
        except Exception:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise
        self.driver.implicitly_wait(0)
        self.version = self.driver.capabilities.get("browserVersion", "?")

    def quit(self) -> None:
        try:
            self.driver.quit()
        except WebDriverException:
            pass
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the checks every page gets ----------------------------------------------------

    def console_errors(self) -> list[str]:
        """The console's errors since the last call (reading the log empties it)."""
        return [entry.get("message", "") for entry in self.driver.get_log("browser")
                if entry.get("level") == "SEVERE"]

    def look(self, name: str, status: int | None = None) -> list[str]:
        """Check the page shown and save its screenshots; returns the problems found.
        `status`: the page is answered with this error status on purpose (a form sent
        back with its errors), which Chromium reports on the console; nothing else may."""
        expected = f"the server responded with a status of {status} " if status else None
        problems = [f"console error: {message}" for message in self.console_errors()
                    if not (expected and expected in message)]
        headings = len(self.driver.find_elements(By.TAG_NAME, "h1"))
        if headings != 1:
            problems.append(f"{headings} <h1> elements (one expected)")
        for width in WIDTHS:
            self.set_width(width)
            scroll, inner = self.driver.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                problems.append(f"scrolls horizontally at {width} px: the page is {scroll} px "
                                f"wide in a {inner} px window{self.widest_hint(inner)}")
            self.screenshot(os.path.join(self.shots_dir, f"{name}-{width}.png"), width)
        self.set_width(WIDTHS[0])
        return problems

    def widest_hint(self, inner: int) -> str:
        """Which elements stick out on the right, to name in a failure."""
        culprits = self.driver.execute_script("""
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
              const r = el.getBoundingClientRect();
              if (r.right > arguments[0] + 1 && out.length < 3) {
                let d = el.tagName.toLowerCase();
                if (el.id) d += '#' + el.id;
                if (el.className && typeof el.className === 'string') d += '.' + el.className.trim().split(/\\s+/).join('.');
                out.push(d + ' (right edge ' + Math.round(r.right) + ')');
              }
            }
            return out;""", inner)
        return f"; sticking out: {', '.join(culprits)}" if culprits else ""

    def set_width(self, width: int) -> None:
        """Resize the window and wait until the page has seen it (resizing is
        asynchronous: right after the command, the page may still be laid out at the old
        width)."""
        self.driver.set_window_size(width, WINDOW_HEIGHT)
        deadline = time.monotonic() + 5
        while True:
            inner = self.driver.execute_script("return window.innerWidth")
            if inner == width:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the window is {inner} px wide inside, not {width} px, "
                                   "5 s after resizing it")
            time.sleep(0.05)

    def screenshot(self, path: str, width: int) -> None:
        """The whole page, not only the viewport (DevTools' `captureBeyondViewport`),
        and wider than the window when the page is, so an overflow shows."""
        full_width, height = self.driver.execute_script(
            "const e = document.documentElement;"
            "return [e.scrollWidth, Math.max(e.scrollHeight, window.innerHeight)]")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": max(width, full_width), "height": height, "scale": 1},
        })
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
