import pytest

from conversations.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_bell_leads_to_the_list_and_reading_everything_clears_it(ui, employee):
    for title in ("Your next career conversation is due by Sunday 8 March",
                  "Your action is due Wednesday 4 March: Shadow the data team"):
        Notification.objects.create(recipient=employee, title=title, body="Nothing is booked yet.",
                                    url="/conversations/notifications/")
    ui.sign_in("eli")

    # On a phone the bell stays in the top bar, outside the folded menu.
    bell = ui.page.get_by_role("link", name="Notifications, 2 unread")
    assert bell.is_visible()
    ui.check()
    bell.click()
    ui.page.wait_for_url("**/conversations/notifications/")
    ui.check()

    assert ui.page.get_by_role("heading", name="Notifications", level=1).is_visible()
    assert ui.page.get_by_role("link", name="Your action is due Wednesday 4 March: Shadow the data team").is_visible()
    ui.page.get_by_role("button", name="Mark all as read").click()
    ui.page.wait_for_load_state("load")
    ui.check()

    assert ui.page.get_by_text("Marked 2 notifications as read.").is_visible()
    assert ui.page.get_by_role("link", name="Notifications, none unread").is_visible()


def test_opening_a_notification_marks_it_read(ui, employee):
    notification = Notification.objects.create(recipient=employee, title="Was your conversation held?",
                                               url="/conversations/notifications/")
    ui.sign_in("eli")
    ui.goto("/conversations/notifications/")

    ui.page.get_by_role("link", name="Was your conversation held?").click()
    ui.page.wait_for_load_state("load")
    ui.check()

    notification.refresh_from_db()
    assert notification.read_at is not None
    assert ui.page.get_by_text("New").count() == 0
