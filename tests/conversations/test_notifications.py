"""The bell and the notification list: unread count, reading, marking read, and privacy."""

import datetime

import pytest
from django.contrib.auth.models import User

from conversations import context_processors
from conversations.models import Notification
from conversations.notifications import notifications_of, unread_count_sql
from conversations.proposals import propose_conversation
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(person, title, url="/conversations/book/", read=False):
    notification = Notification.objects.create(recipient=person, title=title, body=f"About: {title}", url=url)
    if read:
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.created_at)
    return notification


@pytest.fixture
def eli_client(client, employee):
    client.force_login(employee.user)
    return client


def test_the_bell_shows_how_many_notifications_are_unread(eli_client, employee):
    notify(employee, "One")
    notify(employee, "Two")
    notify(employee, "Read already", read=True)

    page = eli_client.get("/").content.decode()

    assert '<span class="badge rounded-pill nav-bell-count" aria-hidden="true">2</span>' in page
    assert '<span class="visually-hidden">Notifications, 2 unread</span>' in page


def test_the_bell_counts_once_with_the_navigations_roles(eli_client, employee, monkeypatch):
    for number in range(3):
        notify(employee, f"Reminder {number}")
    asked = []
    monkeypatch.setattr(context_processors, "unread_count_sql",
                        lambda person: asked.append(person) or unread_count_sql(person))

    page = eli_client.get("/conversations/notifications/").content.decode()

    # Shown twice (the small screens' bell and the wide screens'), counted once, in the roles' statement.
    assert asked == [employee]
    assert page.count("Notifications, 3 unread") == 2


def test_more_than_99_unread_shows_99_plus(eli_client, employee):
    Notification.objects.bulk_create([Notification(recipient=employee, title=f"N{n}") for n in range(120)])

    page = eli_client.get("/").content.decode()

    assert ">99+</span>" in page
    assert '<span class="visually-hidden">Notifications, 120 unread</span>' in page


def test_the_list_shows_my_notifications_newest_first_and_not_anyone_elses(eli_client, employee, manager):
    notify(employee, "Older")
    notify(employee, "Newer")
    notify(manager, "Maya's own")

    page = eli_client.get("/conversations/notifications/").content.decode()

    assert page.index("Newer") < page.index("Older")
    assert "Maya&#x27;s own" not in page and "Maya's own" not in page


def test_html_in_a_notification_is_shown_as_text(eli_client, employee):
    notify(employee, "<script>alert(1)</script> action")

    page = eli_client.get("/conversations/notifications/").content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; action" in page
    assert "<script>alert(1)</script>" not in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(eli_client, employee):
    notification = notify(employee, "Book now", url="/conversations/book/")

    response = eli_client.get(f"/conversations/notifications/{notification.pk}/")

    assert response.status_code == 302 and response["Location"] == "/conversations/book/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_answers_404_and_stays_unread(eli_client, manager):
    notification = notify(manager, "Maya's")

    assert eli_client.get(f"/conversations/notifications/{notification.pk}/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_link_to_another_site_is_never_followed(eli_client, employee):
    notification = notify(employee, "Odd", url="https://elsewhere.example/")

    response = eli_client.get(f"/conversations/notifications/{notification.pk}/")

    assert response["Location"] == "/conversations/notifications/"


def test_marking_all_read_needs_a_post_and_clears_the_count(eli_client, employee, manager):
    notify(employee, "One")
    notify(employee, "Two")
    theirs = notify(manager, "Maya's")

    assert eli_client.get("/conversations/notifications/read/").status_code == 405
    response = eli_client.post("/conversations/notifications/read/", follow=True)

    assert "Marked 2 notifications as read." in response.content.decode()
    assert Notification.objects.filter(recipient=employee, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "nav-bell-count" not in response.content.decode()


def test_long_lists_are_paged(eli_client, employee):
    Notification.objects.bulk_create([Notification(recipient=employee, title=f"Item {n:02d}") for n in range(25)])

    first = eli_client.get("/conversations/notifications/").content.decode()
    second = eli_client.get("/conversations/notifications/?page=2").content.decode()

    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert eli_client.get("/conversations/notifications/?page=99").status_code == 200


def test_an_empty_list_says_what_will_appear_there(eli_client):
    page = eli_client.get("/conversations/notifications/").content.decode()

    assert "No notifications yet." in page


def test_an_account_without_a_person_has_no_list(client):
    client.force_login(UserFactory(username="robot"))

    assert client.get("/conversations/notifications/").status_code == 404
    assert "nav-bell" not in client.get("/").content.decode()
    assert User.objects.filter(username="robot").exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/conversations/notifications/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_proposal_is_under_the_bell_and_e_mailed(
        employee, manager, mailoutbox, django_capture_on_commit_callbacks):
    now = datetime.datetime(2026, 3, 2, 8, tzinfo=datetime.UTC)
    slot = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        propose_conversation(manager=manager, employee=employee, starts_at=slot, minutes=45, location="",
                             kind="standalone", now=now)

    assert [n.title for n in notifications_of(employee)][0].startswith(f"{manager.name} proposed")
    assert any(message.subject.startswith(f"{manager.name} proposed") for message in mailoutbox)


def test_a_list_in_a_notification_is_shown_as_a_list(eli_client, employee):
    Notification.objects.create(recipient=employee, title="2 of your actions are overdue",
                                body="Owned by you:\n- Write up the migration\n- Shadow the data team\nMark them done.")

    page = eli_client.get("/conversations/notifications/").content.decode()

    assert ('<ul class="mb-1 small"><li>Write up the migration</li><li>Shadow the data team</li></ul>') in page
    assert '<p class="mb-1 small text-prewrap">Owned by you:</p>' in page
