"""What axe cannot see, checked in Chromium on every page each role can reach from the navigation: a visible focus
indicator at every Tab stop, large text, small screens, names for every form control, unique ids, and refused
forms that take the keyboard to the error.

The pages are found by following links from the home page (one page per URL name), so a new page is covered
without editing this module."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from conversations.demo import DEMO_PASSWORD, build_demo_organisation
from conversations.models import Conversation
from people.models import Person
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = {"employee": "eli.brandt", "manager": "maya.okafor", "mentor": "mina.sato", "hr": "hana.reed"}
DESKTOP = {"width": 1280, "height": 900}
LAYOUT_WIDTHS = (1366, 1024, 390, 320)
AXE_NARROW_WIDTHS = (390, 320)
# Downloads and feeds are not pages; signing out ends the walk.
NOT_PAGES = re.compile(r"download|export|feed|csv|logout|sso")
MAX_TAB_STOPS = 120

LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"""

DUPLICATE_IDS_JS = """() => {
  const seen = {}, twice = new Set();
  document.querySelectorAll('[id]').forEach(el => { if (seen[el.id]) twice.add(el.id); seen[el.id] = true; });
  return Array.from(twice);
}"""

# The accessible name as the browser computes it is not exposed to scripts; a control is named by its label
# elements, aria-labelledby, aria-label or title (the ways this project names controls), checked here.
UNNAMED_CONTROLS_JS = """() => {
  const text = el => (el ? el.textContent.trim() : '');
  return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea')).filter(el => {
    const byIds = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
      .map(id => text(document.getElementById(id))).join('');
    const labels = Array.from(el.labels || []).map(text).join('');
    return !(byIds || labels || (el.getAttribute('aria-label') || '').trim() || (el.title || '').trim());
  }).map(el => el.outerHTML.slice(0, 160));
}"""

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, problems = [];
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' px wide in ' + width);
  }
  document.querySelectorAll('header nav a, header nav button').forEach(el => {
    const box = el.getBoundingClientRect();
    if (el.offsetParent !== null && (box.right > width + 1 || box.left < -1)) {
      problems.push('navigation item beyond the window: ' + el.textContent.trim());
    }
  });
  const canvas = document.createElement('canvas').getContext('2d');
  // Text fields scroll their value; a select or a date field cannot, so what does not fit is lost.
  document.querySelectorAll('select, input[type=date], input[type=time], input[type=number]')
    .forEach(el => {
      if (el.offsetParent === null) return;
      const style = getComputedStyle(el);
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      let shown = el.value;
      if (el.tagName === 'SELECT') shown = el.selectedIndex >= 0 ? el.options[el.selectedIndex].text : '';
      canvas.font = style.font;
      const needed = el.tagName === 'SELECT' ? canvas.measureText(shown).width
        : el.scrollWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (needed > room + 1) problems.push('text cut off in ' + (el.id || el.name) + ': "' + shown + '"');
    });
  return problems;
}"""

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const colour = node => {
    for (; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(bg) && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  const style = getComputedStyle(el);
  return {
    what: el.outerHTML.slice(0, 160), style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    colour: style.outlineColor, behind: colour(el.parentElement), own: style.backgroundColor,
  };
}"""


def luminance(css_colour):
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_colour)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_calculation_matches_the_wcag_examples():
    assert round(contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 1) == 21.0
    assert round(contrast("rgb(255, 255, 255)", "rgb(13, 110, 253)"), 2) == 4.5
    assert round(contrast("rgb(222, 226, 230)", "rgb(255, 255, 255)"), 2) == 1.3


@pytest.fixture
def organisation():
    now = timezone.now()
    build_demo_organisation(size=20, now=now)
    return now


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def resize(page, width):
    """Resize and wait two frames, for scripts that lay out on resize (the dashboard's chart) to finish."""
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def reachable_pages(page, base_url, limit=40):
    """The pages reachable by links from the home page, one per URL name, breadth first."""
    seen_names, pages, queue = set(), [], [base_url + "/"]
    while queue and len(pages) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if not url.startswith(base_url) or parts.path.startswith("/admin"):
            continue
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            continue
        if name in seen_names or NOT_PAGES.search(name) or re.search(r"\.\w+$", parts.path):
            continue
        seen_names.add(name)
        response = page.goto(base_url + parts.path)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        pages.append(parts.path)
        queue += page.evaluate(LINKS_JS)
    return pages


def test_every_page_of_every_role_passes_at_every_width_and_at_double_text_size(ui, organisation, live_server):
    page = ui.page
    cdp = page.context.new_cdp_session(page)
    walked, problems, narrow_checked = {}, [], set()
    for role, username in ROLES.items():
        page.set_viewport_size(DESKTOP)
        sign_in(page, live_server.url, username)
        walked[role] = reachable_pages(page, live_server.url)
        for path in walked[role]:
            page.set_viewport_size(DESKTOP)
            ui.goto(path)
            problems += [f"{role}, {path}: duplicate id {i}" for i in page.evaluate(DUPLICATE_IDS_JS)]
            problems += [f"{role}, {path}: no name for {c}" for c in page.evaluate(UNNAMED_CONTROLS_JS)]
            for width in LAYOUT_WIDTHS:
                resize(page, width)
                problems += [f"{role}, {path}, {width} px: {p}" for p in page.evaluate(OVERFLOW_JS)]
                # Small screens change the layout, not what a role sees: axe there once per page.
                if width in AXE_NARROW_WIDTHS and resolve(path).view_name not in narrow_checked:
                    ui.check()
            narrow_checked.add(resolve(path).view_name)
            # The browser's default text size doubled, as a person with low vision sets it.
            cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
            assert page.evaluate("() => getComputedStyle(document.body).fontSize") == "32px"
            for width in (1280, 390):
                resize(page, width)
                problems += [f"{role}, {path}, 200% text at {width} px: {p}" for p in page.evaluate(OVERFLOW_JS)]
            cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
    assert not problems, "\n".join(sorted(set(problems)))
    # The walk reached each role's own pages, not only the home page.
    assert "/people/team/" in walked["manager"]
    assert "/conversations/participation/" in walked["hr"]
    assert len(walked["employee"]) >= 8


def focus_problem(stop):
    if stop["style"] == "none" or stop["width"] < 2:
        return "no outline"
    if contrast(stop["colour"], stop["behind"]) < 3:
        return f"outline {stop['colour']} on {stop['behind']}"
    return None


def tab_through(page, where):
    """Press Tab until focus comes back round; fail on the first stop without a visible focus indicator."""
    first = None
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS)
        if stop is None:
            continue
        if stop["what"] == first:
            return
        first = first or stop["what"]
        problem = focus_problem(stop)
        assert problem is None, f"{where}: {problem} on {stop['what']}"


def press_until_focused(page, name):
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"no Tab stop named {name!r}")


JOURNEYS = {
    "employee": ["My conversations", "Book a conversation", "My commitments", "People"],
    "manager": ["My team", "My conversations"],
    "mentor": ["My conversations", "People"],
    "hr": ["Participation", "People"],
}


@pytest.mark.parametrize("width", [1280, 390])
def test_each_role_goes_through_its_pages_with_the_keyboard_and_always_sees_where_focus_is(
        ui, organisation, live_server, width):
    page = ui.page
    page.set_viewport_size({"width": width, "height": 900})
    for role, username in ROLES.items():
        sign_in(page, live_server.url, username)
        tab_through(page, f"{role} on the home page")
        for link in JOURNEYS[role]:
            page.goto(live_server.url + "/")
            page.wait_for_load_state("load")
            if width < 1200:
                press_until_focused(page, "")  # the menu button has no text, only its label
                page.keyboard.press("Enter")
            press_until_focused(page, link)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            tab_through(page, f"{role} on {link}")


def test_a_refused_sign_in_is_announced_and_tied_to_the_fields(ui, organisation):
    page = ui.page
    ui.goto("/accounts/login/")
    page.get_by_label("Username").fill("eli.brandt")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    ui.check()

    assert page.title() == "Error: Sign in · careerconv"
    alert = page.get_by_role("alert")
    assert "Please enter a correct username and password" in alert.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "sign-in-error"
    assert page.get_by_label("Username").get_attribute("aria-describedby") == "sign-in-error"
    assert page.get_by_label("Password").get_attribute("aria-describedby") == "sign-in-error"


def test_a_refused_action_takes_the_keyboard_to_the_field_and_a_success_is_told_where_it_happened(
        ui, organisation, live_server):
    # A conversation Maya held yesterday with one of her reports: its notes are still open, so "Add action" is
    # offered (the demo's own history may hold only conversations whose notes have locked).
    maya = Person.objects.get(user__username="maya.okafor")
    held = timezone.now() - datetime.timedelta(days=1)
    conversation = ConversationFactory(
        employee=maya.reports.filter(is_active=True).first(), partner=maya, status=Conversation.Status.COMPLETED,
        starts_at=held, ends_at=held + datetime.timedelta(minutes=45), held_at=held + datetime.timedelta(minutes=45))
    page = ui.page
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, "maya.okafor")
    ui.goto(f"/conversations/{conversation.pk}/notes/")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_load_state("load")

    assert page.title().startswith("Error: ")
    assert page.evaluate("() => document.activeElement.id") == "id_action_text"
    assert page.get_by_role("textbox", name="Roadblock*", exact=True).get_attribute("id") == "id_roadblock_text"

    page.get_by_role("textbox", name="Action*", exact=True).fill("Shadow the platform team for a week")
    page.get_by_label("Due by").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add action").click()
    added = page.locator("#actions [role=status]").get_by_text("Action added.")
    added.wait_for()
    assert not page.title().startswith("Error: ")
