import csv
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations.models import Conversation
from tests.support.factories import ActionItemFactory, DepartmentFactory, PersonFactory
from tests.support.participation_org import NOW, asked, build_organisation, held

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("conversations:participation")
EXPORT = reverse("conversations:participation_csv")


@pytest.fixture
def org():
    return build_organisation()


@pytest.fixture
def hr_client(client, org):
    client.force_login(org.hana.user)
    return client


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def export_rows(response):
    """The CSV's comment lines, then its rows."""
    text = response.content.decode()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))))
    return comments, rows


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT, DASHBOARD + "?period=custom&start=2026-01-01&end=2026-02-01"])
@pytest.mark.parametrize("username", ["a", "maya", "sam"])
def test_everyone_but_hr_gets_not_found(client, org, url, username):
    client.force_login(getattr(org, username).user)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_a_post_from_someone_else_is_not_found_either(client, org, url):
    client.force_login(org.maya.user)

    assert client.post(url).status_code == 404


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_hr_sees_the_participation_link(client, org):
    client.force_login(org.maya.user)
    assert DASHBOARD not in client.get(reverse("home")).content.decode()

    client.force_login(org.hana.user)
    assert f'href="{DASHBOARD}"' in client.get(reverse("home")).content.decode()


def test_hr_sees_the_headline_figures_with_their_definitions(hr_client):
    page = hr_client.get(DASHBOARD).content.decode()

    assert "3 of 11 active employees" in page  # ongoing
    assert "4 of 11 active employees" in page  # on cadence
    assert "1 of 3 actions due" in page and "1 of 2 actions due" in page  # follow-through, the organisation's apart
    assert "2 of 11 active employees" in page  # feedback breadth
    assert "4 of 7 requests sent" in page  # feedback answer rate
    assert "Median days from a colleague being asked in the period to their answer" in page
    assert "Share of active employees with at least 2 held career conversations in the 6 months" in page
    assert 'id="participation-chart"' in page and 'id="participation-trend"' in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_small_groups_show_fewer_than_five_and_no_figures(hr_client):
    page = hr_client.get(DASHBOARD).content.decode()
    sales_row = page.split("<th scope=\"row\">Sales</th>", 1)[1].split("</tr>", 1)[0]
    sam_row = page.split("<th scope=\"row\">Sam Example</th>", 1)[1].split("</tr>", 1)[0]

    for row in (sales_row, sam_row):
        assert "fewer than 5" in row
        assert "%" not in row and "data-value" not in row


def test_filtering_on_a_small_department_hides_its_headline_and_trend(hr_client, org):
    page = hr_client.get(DASHBOARD, {"department": org.sales.pk}).content.decode()

    assert "Fewer than 5 active employees here" in page
    assert "participation-chart" not in page
    assert "chart.umd.min.js" not in page


def test_export_has_definitions_then_the_breakdowns(hr_client):
    response = hr_client.get(EXPORT)
    comments, rows = export_rows(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="participation-2025-03-16-to-2026-03-15.csv"'
    assert comments[:4] == [
        "# Career conversation participation: Northwind Labs",
        "# Period: 2025-03-16 to 2026-03-15; status figures as at 2026-03-15 12:00 GMT",
        "# Department: all departments",
        '# Groups with fewer than 5 active employees are shown as "fewer than 5", without figures.',
    ]
    assert "#   Prepared: Share of conversations held in the period for which the employee shared a preparation." \
        in comments
    assert rows == [
        ["Breakdown", "Group", "Active employees", "Ongoing conversations %", "On cadence %", "Overdue",
         "Conversations held", "Median days between conversations", "Outside the review %", "Breadth %",
         "Prepared %", "Follow-through %", "Organisation follow-through %", "Feedback breadth %",
         "Feedback requests sent", "Feedback answer rate %", "Median days to answer feedback"],
        ["Everyone", "All departments", "11", "27.3", "36.4", "5", "12", "116.0", "83.3", "27.3", "25.0", "33.3",
         "50.0", "18.2", "7", "57.1", "4.0"],
        ["Department", "Engineering", "7", "28.6", "28.6", "3", "9", "122.0", "77.8", "28.6", "22.2", "50.0", "50.0",
         "28.6", "5", "60.0", "5.0"],
        ["Department", "People", "fewer than 5"] + [""] * 14,
        ["Department", "Sales", "fewer than 5"] + [""] * 14,
        ["Manager", "Maya Example", "6", "33.3", "33.3", "2", "9", "122.0", "77.8", "33.3", "22.2", "50.0", "50.0",
         "33.3", "5", "60.0", "5.0"],
        ["Manager", "Sam Example", "fewer than 5"] + [""] * 14,
        ["Manager", "No manager", "fewer than 5"] + [""] * 14,
    ]
    assert "#   Feedback breadth: Share of active employees who asked at least 2 colleagues other than their manager " \
        "for feedback in the period." in comments


def test_export_follows_the_filters(hr_client, org):
    response = hr_client.get(EXPORT, {"period": "custom", "start": "2026-01-01", "end": "2026-02-28",
                                      "department": org.engineering.pk})
    comments, rows = export_rows(response)

    assert comments[1] == "# Period: 2026-01-01 to 2026-02-28; status figures as at 2026-02-28 23:59 GMT"
    assert comments[2] == "# Department: Engineering"
    # Held in Jan–Feb 2026 in Engineering: E (10 Jan review) and A (1 Feb).
    assert rows[1][:2] == ["Everyone", "Engineering"] and rows[1][6] == "2"
    assert [row[1] for row in rows[1:]] == ["Engineering", "Engineering", "Maya Example", "No manager"]


def test_export_cannot_smuggle_a_formula_into_a_spreadsheet(hr_client):
    PersonFactory(department=DepartmentFactory(name="=HYPERLINK(\"http://evil.example\",\"x\")"))
    PersonFactory(department=DepartmentFactory(name="@SUM(A1)"))
    _, rows = export_rows(hr_client.get(EXPORT))
    names = [row[1] for row in rows]

    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names
    assert "'@SUM(A1)" in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)


def test_names_are_shown_as_text(hr_client):
    PersonFactory(department=DepartmentFactory(name="<script>alert(1)</script>"))
    boss = PersonFactory(user__first_name="<b>Boss</b>", user__last_name="")
    PersonFactory.create_batch(5, manager=boss)
    page = hr_client.get(DASHBOARD).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert '<th scope="row">&lt;b&gt;Boss&lt;/b&gt;</th><td class="text-end" data-value="5"' in page


@pytest.mark.parametrize("params, field, message", [
    ({"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}, "start",
     "The first day must be on or before the last day."),
    ({"period": "custom", "start": "2026-01-01", "end": "2026-04-01"}, "end",
     "The period cannot end after today (15 March 2026)."),
    ({"period": "custom", "start": "", "end": "2026-01-01"}, "start", "Choose the first day of the period."),
    ({"period": "custom", "start": "2019-01-01", "end": "2026-01-01"}, "start",
     "A period can cover at most 5 years."),
    ({"period": "custom", "start": "not a date", "end": "2026-01-01"}, "start", "Enter a valid date."),
    ({"period": "custom", "start": "0001-01-01", "end": "0001-02-01"}, "start",
     "Choose a date from 1 January 2000 onwards."),
    ({"period": "someday"}, "period", "Select a valid choice."),
    ({"department": "999999"}, "department", "Select a valid choice."),
])
def test_a_bad_filter_is_explained_next_to_its_field(hr_client, params, field, message):
    response = hr_client.get(DASHBOARD, params)
    page = response.content.decode()

    assert response.status_code == 200
    assert f'<div id="id_{field}_error" class="invalid-feedback d-block">' in page
    assert message in page.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0]
    assert 'aria-invalid="true"' in page
    assert hr_client.get(EXPORT, params).status_code == 400


def test_the_page_takes_the_same_number_of_queries_for_a_larger_organisation(hr_client, org):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert hr_client.get(DASHBOARD).status_code == 200
        return len(context.captured_queries)

    queries()  # The first visit records the organisation's settings row.
    small = queries()
    for number in range(3):
        manager = PersonFactory(department=DepartmentFactory(name=f"Operations {number}"))
        for _ in range(6):
            report = PersonFactory(department=manager.department, manager=manager)
            conversation = held(report, manager, NOW.date().replace(day=1))
            held(report, manager, NOW.date().replace(month=1, day=5), kind=Conversation.Kind.REVIEW)
            ActionItemFactory(conversation=conversation, due_on=NOW.date().replace(day=5))
            asked(report, NOW.date().replace(day=2), [(manager, "answered", NOW.date().replace(day=4))])
    large = queries()

    assert small == large
    # Worked out live (the view is not kept yet), after looking for kept figures: one query more than kept ones.
    assert large <= 16


def manager_rows(page):
    table = page.split('id="by-manager-table"', 1)[1].split("</table>", 1)[0]
    return [row.split("</th>", 1)[0] for row in table.split('<th scope="row">')[1:]]


def test_the_breakdown_by_manager_is_sorted_and_searched_on_the_server(hr_client, org):
    boss = PersonFactory(user__first_name="Zed", user__last_name="Boss")
    PersonFactory.create_batch(5, manager=boss)

    by_active = hr_client.get(DASHBOARD, {"period": "6m", "sort": "active", "order": "desc"}).content.decode()
    found = hr_client.get(DASHBOARD, {"period": "6m", "find": "sam"}).content.decode()

    # Maya has 6 active reports, Zed 5; Sam's and the unmanaged groups are too small to be ranked.
    assert manager_rows(by_active) == ["Maya Example", "Zed Boss", "Sam Example", "No manager"]
    assert 'aria-sort="descending"><a class="sort-button" href="?period=6m&amp;sort=active&amp;order=asc#by-manager"' \
        in by_active
    assert manager_rows(found) == ["Sam Example"]
    # The search keeps the filters chosen above it.
    assert '<input type="hidden" name="period" value="6m">' in found


def test_a_sort_or_page_that_is_not_offered_falls_back_to_the_default(hr_client):
    response = hr_client.get(DASHBOARD, {"sort": "nonsense", "order": "sideways", "page": "-3"})

    assert response.status_code == 200
    assert manager_rows(response.content.decode()) == ["Maya Example", "Sam Example", "No manager"]
