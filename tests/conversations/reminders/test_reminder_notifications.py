"""What reminders leave under the bell and in the inbox: one item per subject, kept up to date, cleared when done,
HR's organisation actions in one item, and reminders of one kind as one list.

It is Tuesday 3 March 2026, 10:00 in London; Eli's last conversation with Maya was on 8 December, so his next is
due on 8 March and nothing is booked.
"""

import datetime

import pytest
from django.core import mail

from conversations.followup.actions import complete_action, remove_action, reopen_action, update_action
from conversations.models import ActionItem, Notification
from conversations.reminders.sweep import sweep
from conversations.tasks import publish
from people.models import Person
from tests.support.factories import ActionItemFactory
from tests.support.reminding import at, held, settle

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03T10:00:00+00:00")
TODAY = datetime.date(2026, 3, 3)


def run(now):
    return sweep(now=now, enqueue=publish)


def outbox_to(username):
    return [message for message in mail.outbox if message.to == [f"{username}@example.com"]]


@pytest.fixture
def conversation(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=TODAY)
    Person.objects.filter(pk=manager.pk).update(weekly_digest=False)
    return held(employee, manager, NOW - datetime.timedelta(days=85))


def titles(person):
    return sorted(Notification.objects.filter(recipient=person).values_list("title", flat=True))


def organisation_action(conversation, text, due_on):
    return ActionItemFactory(conversation=conversation, text=text, due_on=due_on,
                             owner_kind=ActionItem.Owner.ORGANISATION, owner=None)


def test_an_action_reminder_names_the_conversation_and_links_to_the_action(conversation, employee):
    action = ActionItemFactory(conversation=conversation, text="Shadow the data team",
                               due_on=datetime.date(2026, 3, 4))

    run(NOW)

    notification = Notification.objects.get(recipient=employee, key=f"action:{action.pk}")
    assert notification.title == ("Your action from your conversation with Maya Okafor on 8 December is due "
                                  "Wednesday 4 March: Shadow the data team")
    assert notification.url == f"/conversations/commitments/#action-{action.pk}"


def test_an_action_now_overdue_replaces_its_due_soon_item_and_is_cleared_when_done(conversation, employee):
    action = ActionItemFactory(conversation=conversation, text="Shadow the data team",
                               due_on=datetime.date(2026, 3, 4))
    run(NOW)
    run(at("2026-03-05T10:00:00+00:00"))

    assert titles(employee) == [
        "Your action from your conversation with Maya Okafor on 8 December is overdue since Wednesday 4 March: "
        "Shadow the data team",
        "Your next career conversation is due by Sunday 8 March"]

    complete_action(action=action, now=at("2026-03-05T11:00:00+00:00"))

    assert titles(employee) == ["Your next career conversation is due by Sunday 8 March"]


def test_hr_get_one_item_for_all_overdue_organisation_actions_linking_to_the_list(conversation, hr):
    for day, text in ((1, "Fund the data course"), (1, "Open a data engineering role"), (2, "Budget a course")):
        organisation_action(conversation, text, datetime.date(2026, 3, day))

    run(NOW)

    [notification] = Notification.objects.filter(recipient=hr)
    assert notification.title == "3 organisation actions are overdue"
    assert notification.url == "/conversations/commitments/"
    assert notification.body.splitlines()[1:4] == [
        "- Fund the data course (agreed with Eli Brandt, due Sunday 1 March 2026, 2 days ago)",
        "- Open a data engineering role (agreed with Eli Brandt, due Sunday 1 March 2026, 2 days ago)",
        "- Budget a course (agreed with Eli Brandt, due Monday 2 March 2026, 1 day ago)"]
    [message] = outbox_to("hana")
    assert message.subject == "3 organisation actions are overdue"


def test_one_overdue_organisation_action_links_to_that_action_and_goes_when_done(conversation, hr):
    action = organisation_action(conversation, "Fund the data course", datetime.date(2026, 3, 1))

    run(NOW)

    [notification] = Notification.objects.filter(recipient=hr)
    assert notification.title == "An organisation action is overdue: Fund the data course"
    assert notification.url == f"/conversations/commitments/#action-{action.pk}"

    complete_action(action=action, now=NOW)

    assert not Notification.objects.filter(recipient=hr).exists()


def bundle(hr, state="overdue"):
    """HR's one item about organisation actions in that state, as (title, the actions it lists, url)."""
    [notification] = Notification.objects.filter(recipient=hr, key=f"organisation:action_{state}")
    listed = [line.split(" (agreed", 1)[0][2:] for line in notification.body.splitlines() if line.startswith("- ")]
    return notification.title, listed, notification.url


def test_marking_organisation_actions_done_updates_hrs_item_in_place_until_it_clears(conversation, hr, employee,
                                                                                       manager):
    fund = organisation_action(conversation, "Fund the data course", datetime.date(2026, 3, 1))
    role = organisation_action(conversation, "Open a data engineering role", datetime.date(2026, 3, 1))
    # Agreed in a conversation whose notes are still open, so that it can be removed.
    recent = held(employee, manager, NOW - datetime.timedelta(days=2))
    budget = organisation_action(recent, "Budget a course", datetime.date(2026, 3, 2))
    run(NOW)
    first = Notification.objects.get(recipient=hr)
    Notification.objects.filter(pk=first.pk).update(read_at=NOW)

    complete_action(action=role, now=NOW, by=hr)

    assert bundle(hr) == ("2 organisation actions are overdue", ["Fund the data course", "Budget a course"],
                          "/conversations/commitments/")
    # The same item, still read: a smaller list is no news.
    [restated] = Notification.objects.filter(recipient=hr)
    assert (restated.pk, restated.read_at) == (first.pk, NOW)

    complete_action(action=fund, now=NOW, by=hr)

    assert bundle(hr) == ("An organisation action is overdue: Budget a course", ["Budget a course"],
                          f"/conversations/commitments/#action-{budget.pk}")

    reopen_action(action=fund, now=NOW)

    assert bundle(hr)[:2] == ("2 organisation actions are overdue", ["Fund the data course", "Budget a course"])

    complete_action(action=fund, now=NOW, by=hr)
    remove_action(action=budget, now=NOW)

    assert not Notification.objects.filter(recipient=hr).exists()


def test_an_action_moved_to_a_later_date_leaves_the_overdue_item(conversation, hr, employee, manager):
    fund = organisation_action(held(employee, manager, NOW - datetime.timedelta(days=2)), "Fund the data course",
                               datetime.date(2026, 3, 1))
    organisation_action(conversation, "Budget a course", datetime.date(2026, 3, 2))
    run(NOW)

    update_action(action=fund, text="Fund the data course", owner_kind="organisation",
                  due_on=datetime.date(2026, 3, 31), now=NOW)

    assert bundle(hr)[:2] == ("An organisation action is overdue: Budget a course", ["Budget a course"])


def test_an_action_newly_overdue_joins_the_same_item_instead_of_adding_one(conversation, hr):
    organisation_action(conversation, "Fund the data course", datetime.date(2026, 3, 1))
    organisation_action(conversation, "Budget a course", datetime.date(2026, 3, 2))
    organisation_action(conversation, "Open a data engineering role", datetime.date(2026, 3, 4))
    run(NOW)
    assert bundle(hr)[:2] == ("2 organisation actions are overdue", ["Fund the data course", "Budget a course"])
    assert bundle(hr, "due")[:2] == ("An organisation action is due soon: Open a data engineering role",
                                     ["Open a data engineering role"])

    run(at("2026-03-05T10:00:00+00:00"))

    # One item lists all three; the "due soon" item that listed the third is gone.
    assert bundle(hr)[:2] == ("3 organisation actions are overdue",
                              ["Fund the data course", "Budget a course", "Open a data engineering role"])
    assert list(Notification.objects.filter(recipient=hr).values_list("key", flat=True)) == [
        "organisation:action_overdue"]
    assert outbox_to("hana")[-1].subject == "3 organisation actions are overdue"


def test_reminders_of_one_kind_come_as_one_list_with_one_button(conversation, employee):
    Person.objects.filter(pk=employee.pk).update(remind_due_soon=False)
    for text in ("Write up the migration", "Shadow the data team"):
        ActionItemFactory(conversation=conversation, text=text, due_on=datetime.date(2026, 3, 1))

    run(NOW)

    [message] = outbox_to("eli")
    assert message.subject == "2 of your actions are overdue"
    assert message.body.count("See your actions: http://127.0.0.1:8000/conversations/commitments/") == 1
    assert ("- Your action from your conversation with Maya Okafor on 8 December is overdue since Sunday 1 March: "
            "Write up the migration") in message.body
    html = message.alternatives[0][0]
    assert html.count('class="button"') == 1
    assert html.count("<li>") == 2


def test_a_weekly_digest_with_nothing_to_say_is_not_sent(employee, manager, mentor, hr):
    settle(employee, manager, mentor, hr, today=TODAY)
    Person.objects.filter(pk=manager.pk).update(weekly_digest=True)

    run(at("2026-03-02T09:00:00+00:00"))

    assert outbox_to("maya") == []
    assert not Notification.objects.filter(recipient=manager).exists()
