import pytest

from tests.support.participation_org import build_organisation

pytestmark = pytest.mark.django_db(transaction=True)

PAINTED_PIXELS = """() => {
  const canvas = document.getElementById("participation-chart");
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) { if (pixels[alpha] > 0) { painted += 1; } }
  return painted;
}"""


@pytest.fixture
def console_errors(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_hr_opens_the_dashboard_sees_the_chart_and_downloads_the_csv(ui, console_errors):
    build_organisation()
    ui.sign_in("hana")
    page = ui.page

    ui.open_navigation()
    page.get_by_role("link", name="Participation", exact=True).click()
    page.wait_for_url("**/conversations/participation/")
    ui.check()

    assert page.get_by_role("heading", name="Career conversation participation").is_visible()
    assert page.get_by_role("heading", name="Ongoing conversations").is_visible()
    page.wait_for_function("document.getElementById('participation-chart').dataset.drawn === 'true'")
    assert page.evaluate(PAINTED_PIXELS) > 1000
    assert page.get_by_role("table", name="Conversations held per month").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    text = open(download.path(), encoding="utf-8").read()
    assert download.suggested_filename.startswith("participation-") and download.suggested_filename.endswith(".csv")
    assert text.startswith("# Career conversation participation:")
    assert "\nManager,Sam Example,fewer than 5," in text.replace("\r\n", "\n")
    assert not [error for error in console_errors if "Content Security Policy" in error or "Refused" in error]


def test_hr_sorts_and_searches_the_breakdown_by_manager(ui):
    build_organisation()
    ui.sign_in("hana")
    ui.goto("/conversations/participation/?period=6m")
    page = ui.page
    table = page.locator("#by-manager-table")

    table.get_by_role("link", name="Active employees").click()
    page.wait_for_url("**sort=active**")
    table = page.locator("#by-manager-table")
    assert table.locator("th", has=page.get_by_role("link", name="Active employees")).get_attribute(
        "aria-sort") == "descending"
    # Suppressed groups stay last whichever way the table is sorted.
    assert table.locator("tbody tr").first.locator("th").inner_text() == "Maya Example"
    assert table.locator("tbody tr").last.get_attribute("data-suppressed") is not None
    ui.check()

    page.get_by_label("Find a manager").fill("sam")
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url("**find=sam**")
    assert page.locator("#by-manager-table tbody tr").count() == 1
    assert page.locator("#by-manager-table tbody th").inner_text() == "Sam Example"
    # The period chosen above is kept.
    assert page.get_by_label("Period", exact=True).input_value() == "6m"
    ui.check()


def test_hr_changes_the_period_and_sees_a_mistake_explained(ui):
    build_organisation()
    ui.sign_in("hana")
    ui.goto("/conversations/participation/")
    page = ui.page

    page.get_by_label("Period", exact=True).select_option("custom")
    page.get_by_label("From").fill("2026-02-01")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_load_state("load")
    ui.check()

    assert page.get_by_text("The first day must be on or before the last day.").is_visible()

    page.get_by_label("Period", exact=True).select_option("6m")
    page.get_by_label("Department", exact=True).select_option(label="Engineering")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_load_state("load")
    ui.check()

    assert page.get_by_text("Engineering.", exact=False).first.is_visible()
    assert page.get_by_role("heading", name="By manager").is_visible()
