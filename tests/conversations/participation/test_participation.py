"""Every participation figure on the hand-built organisation of tests/participation_org.py.

The expected values are worked out by hand from that module's docstring; the reasoning is next to each one.
"""

import datetime
import zoneinfo

import pytest

from conversations.models import FeedbackAnswer, FeedbackRequest
from conversations.participation.figures import Figures, Period, participation
from conversations.regularity import Regularity, person_regularity, with_conversation_dates
from people.models import Person
from tests.support.participation_org import NOW, TODAY, build_organisation

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
LAST_12_MONTHS = Period(start=datetime.date(2025, 3, 16), end=TODAY)


@pytest.fixture
def org():
    return build_organisation()


def figures_of(result, kind, name):
    groups = result.departments if kind == "department" else result.managers
    return next(group.figures for group in groups if group.name == name)


def test_the_default_period_is_the_last_twelve_months_up_to_today():
    assert Period.last_months(12, today=TODAY) == LAST_12_MONTHS


def test_headline_figures_for_the_whole_organisation(org):
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON)

    assert result.headline == Figures(
        # Everyone but Lee, who left: Maya, A–F, Sam, S1, S2, Hana.
        active=11,
        # Two held since 15 Sep 2025: A (1 Oct, 1 Feb), E (10 Jan, 1 Mar), Hana (1 Dec, 10 Feb). F's 1 Sep is older.
        ongoing=3,
        # Last held on or after 15 Dec 2025 (90 days): A, E, S1, Hana. F held on 20 Dec, but her cadence is 60 days.
        on_cadence=4,
        # Past due with nothing booked: Maya, C, Sam, S2 (never had one, started 2024) and F (due 18 Feb).
        # B is past due too, but has a conversation booked; D started on 1 Feb and is due in May.
        overdue=5,
        # With someone other than their manager: A (mentor), E (peer), Hana (other).
        broad=3,
        # A 3, B 1, E 2, F 2, Lee 1, S1 1, Hana 2. Not A's of Jan 2025, nor E's cancelled one or no-show.
        held=12,
        # All but A's and E's reviews.
        standalone=10,
        # A's 1 Feb, E's 1 Mar, S1's 10 Mar; B's preparation was never shared.
        prepared=3,
        # Gaps in days: E 50, Hana 71, F 110, A 122 and 123 and 142 (back to Jan 2025) → (110 + 122) / 2.
        median_days=116.0,
        # Employees' and partners': A's kept, Sam's done late, S1's done late in Tokyo. E's is due today.
        actions_kept=1,
        actions_due=3,
        # The organisation's: E's kept; A's still open past its due date.
        organisation_actions_kept=1,
        organisation_actions_due=2,
        # Asked at least two people other than their manager: A (B and C; Maya does not count) and E (F and S1).
        # S2 asked Hana and his manager Sam only; F's request was before the period.
        feedback_broad=2,
        # A 3, E 2, S2 2.
        feedback_asked=7,
        # B, Maya, F and Hana; C declined, S1 and Sam have not answered.
        feedback_answered=4,
        # Days to answer: Hana 1, B 3, F 5, Maya 10 → (3 + 5) / 2.
        feedback_median_days=4.0,
    )
    assert result.headline.feedback_breadth_share.percent == pytest.approx(18.18, abs=0.01)
    assert result.headline.feedback_answer_share.percent == pytest.approx(57.14, abs=0.01)
    assert result.headline.ongoing_share.percent == pytest.approx(27.27, abs=0.01)
    assert result.headline.follow_through_share.percent == pytest.approx(33.33, abs=0.01)
    assert result.as_of == NOW


def test_breakdown_by_department(org):
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON)

    assert [(group.name, group.figures.active, group.figures.suppressed) for group in result.departments] == [
        ("Engineering", 7, False), ("People", 1, True), ("Sales", 3, True),
    ]
    assert figures_of(result, "department", "Engineering") == Figures(
        active=7, ongoing=2, on_cadence=2, overdue=3, broad=2,
        # Lee's conversation counts: it was held, in the period, by someone in Engineering.
        held=9, standalone=7, prepared=2,
        # 50, 110, 122, 123, 142.
        median_days=122.0,
        actions_kept=1, actions_due=2, organisation_actions_kept=1, organisation_actions_due=2,
        # A's and E's requests: B 3, F 5 and Maya 10 days.
        feedback_broad=2, feedback_asked=5, feedback_answered=3, feedback_median_days=5.0,
    )


def test_breakdown_by_manager_holds_each_manager_to_their_own_reports(org):
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON)

    assert [(group.name, group.figures.active, group.figures.suppressed) for group in result.managers] == [
        ("Maya Example", 6, False), ("Sam Example", 2, True), ("No manager", 3, True),
    ]
    assert figures_of(result, "manager", "Maya Example") == Figures(
        active=6, ongoing=2, on_cadence=2, overdue=2, broad=2, held=9, standalone=7, prepared=2, median_days=122.0,
        actions_kept=1, actions_due=2, organisation_actions_kept=1, organisation_actions_due=2,
        feedback_broad=2, feedback_asked=5, feedback_answered=3, feedback_median_days=5.0,
    )


def test_filtering_by_department_scopes_every_figure(org):
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON, department=org.engineering)

    assert result.headline == figures_of(participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON), "department",
                                         "Engineering")
    assert [group.name for group in result.departments] == ["Engineering"]
    assert [(group.name, group.figures.active) for group in result.managers] == [("Maya Example", 6),
                                                                                 ("No manager", 1)]


def test_a_department_of_fewer_than_five_is_suppressed_even_when_filtered_on(org):
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON, department=org.sales)

    assert result.headline.active == 3
    assert result.headline.suppressed


def test_monthly_trend(org):
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON)

    assert [(f"{month.month:%Y-%m}", month.held) for month in result.trend] == [
        ("2025-04", 0), ("2025-05", 0), ("2025-06", 1), ("2025-07", 1), ("2025-08", 0), ("2025-09", 1),
        ("2025-10", 1), ("2025-11", 1), ("2025-12", 2), ("2026-01", 1), ("2026-02", 2), ("2026-03", 2),
    ]
    december, january, march = result.trend[8], result.trend[9], result.trend[11]
    # 31 Dec: ten employed (D has not started, Lee left that day). On cadence: B (20 Nov), F (20 Dec, within 60
    # days), Hana (1 Dec). A's last, 1 Oct, was due on 30 Dec.
    assert (december.employed, december.on_cadence) == (10, 3)
    # 31 Jan: B, E (10 Jan), F, Hana.
    assert (january.employed, january.on_cadence) == (10, 4)
    # This month, judged now: the headline figure.
    assert (march.employed, march.on_cadence) == (11, 4)


def test_a_past_period_is_judged_at_its_last_day(org):
    result = participation(now=NOW, period=Period(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)),
                           tz=LONDON)

    assert result.as_of == datetime.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=LONDON)
    # Ten employed on 31 Dec, three on cadence (as in the trend above). Held in 2025: A 3 (10 Jan, 1 Jun, 1 Oct),
    # B 1, F 2, Lee 1, Hana 1. Ongoing, two since 30 Jun 2025: F (1 Sep, 20 Dec) only; A had just 1 Oct.
    assert (result.headline.active, result.headline.on_cadence, result.headline.held) == (10, 3, 8)
    assert result.headline.ongoing == 1
    assert [f"{month.month:%Y-%m}" for month in result.trend][-1] == "2025-12"
    # F's request of 1 Feb 2025 to B, answered the next day; one person is not breadth.
    assert (result.headline.feedback_asked, result.headline.feedback_answered, result.headline.feedback_median_days,
            result.headline.feedback_broad) == (1, 1, 1.0, 0)


def test_overdue_agrees_with_each_persons_regularity(org):
    people = with_conversation_dates(Person.objects.active(), now=NOW)
    overdue = sorted(person.user.username for person in people
                     if person_regularity(person, now=NOW)[1] == Regularity.OVERDUE)

    assert overdue == ["c", "f", "maya", "s2", "sam"]
    assert participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON).headline.overdue == len(overdue)


def test_feedback_from_a_colleague_erased_since_still_counts_and_the_manager_asked_twice_counts_once(org):
    FeedbackAnswer.objects.filter(request__asker=org.a, colleague=org.c).update(colleague=None)
    request = FeedbackRequest.objects.create(asker=org.c, areas=["roadblocks"], answer_by=datetime.date(2026, 3, 20),
                                             expires_on=datetime.date(2026, 4, 3), created_at=NOW)
    FeedbackAnswer.objects.create(request=request, colleague=org.maya, asked_at=NOW)
    FeedbackAnswer.objects.create(request=request, colleague=org.d, asked_at=NOW)

    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON)

    # A still asked two people besides Maya; C asked D and his manager Maya: one person.
    assert (result.headline.feedback_broad, result.headline.feedback_asked) == (2, 9)


def test_an_organisation_without_conversations_has_empty_shares():
    result = participation(now=NOW, period=LAST_12_MONTHS, tz=LONDON)

    assert result.headline == Figures()
    assert result.headline.on_cadence_share.percent is None
    assert result.departments == [] and result.managers == []
