import datetime
import io
import json
import zipfile

import pytest
from django.utils import timezone

from conversations import audit
from conversations.models import AuditEvent
from tests.support.factories import ConversationFactory, PersonFactory, PreparationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employee_sees_who_opened_their_preparation_and_downloads_their_data(ui, employee, mentor):
    conversation = ConversationFactory(employee=employee, partner=mentor, relation="mentor")
    preparation = PreparationFactory(conversation=conversation, shared_at=timezone.now())
    audit.record_access(actor=mentor, conversation=conversation, subject=preparation,
                        action=AuditEvent.Action.VIEWED, now=timezone.now())
    ui.sign_in("eli")

    ui.open_menu("Eli Brandt")
    ui.page.get_by_role("link", name="My data and privacy").click()
    ui.check()

    assert ui.page.get_by_role("heading", name="Who has seen my records").is_visible()
    assert ui.page.get_by_role("cell", name="Mina Sato (the conversation partner)").is_visible()
    with ui.page.expect_download() as download_info:
        ui.page.get_by_role("link", name="Download my data").click()
    with zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read())) as archive:
        assert json.loads(archive.read("profile.json"))["username"] == "eli"


def test_hr_erases_a_person_who_left_after_confirming(ui, hr):
    PersonFactory(user__first_name="Lee", user__last_name="Walsh", is_active=False,
                  left_on=datetime.date(2026, 2, 27))
    ui.sign_in("hana")
    ui.goto("/people/privacy/")

    ui.page.get_by_role("link", name="Erase Lee Walsh…").click()
    ui.check()
    ui.page.get_by_role("button", name="Erase Lee Walsh").click()
    assert ui.page.get_by_text("Tick the box to confirm: erasing cannot be undone.").is_visible()
    ui.check()
    ui.page.get_by_label("I understand that this person's text and identity will be removed for good").check()
    ui.page.get_by_role("button", name="Erase Lee Walsh").click()

    assert ui.page.get_by_text("Lee Walsh has been erased.").is_visible()
    assert ui.page.get_by_role("cell", name="Former colleague").is_visible()
    ui.check()
