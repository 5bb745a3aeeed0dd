"""Browser tests: Debian's Chromium driven by Playwright against Django's live server, with axe-core on every
page a test visits."""

import os
import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.factories import PASSWORD

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {"width": 390, "height": 844}


def chromium_path():
    """CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own download (None)."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    args = {**browser_type_launch_args, "args": CHROMIUM_FLAGS}
    if path:
        args["executable_path"] = path
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "accept_downloads": True}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


class AccessiblePage:
    """Wraps a Playwright page: every navigation is followed by an axe-core check that fails the test on a
    serious or critical violation."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.axe = Axe()
        self.checked = []

    def goto(self, path):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status < 400, f"{path} answered {response and response.status}"
        self.check()
        return response

    def check(self):
        """Run axe on the page as it is now."""
        self.page.wait_for_load_state("load")
        results = self.axe.run(self.page)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        self.checked.append(self.page.url)
        assert not serious, f"accessibility violations on {self.page.url}:\n" + "\n".join(serious)

    def sign_in(self, username, password=PASSWORD):
        self.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(lambda url: "/accounts/login" not in url)
        self.check()

    def open_navigation(self):
        """On a phone the navigation is behind the menu button. Waits for the menu to finish opening: a click on an
        item while it is still sliding open can land on the item's old place."""
        toggler = self.page.get_by_role("button", name="Show navigation")
        if toggler.is_visible():
            toggler.click()
            expect(self.page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))

    def open_menu(self, name):
        """Open the navigation, then one of its drop-down menus (the user menu is named after the person)."""
        self.open_navigation()
        button = self.page.get_by_role("navigation", name="Main").get_by_role("button", name=name, exact=True)
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")

    def sign_out(self):
        self.page.context.clear_cookies()


@pytest.fixture
def ui(page, live_server):
    return AccessiblePage(page, live_server.url)
