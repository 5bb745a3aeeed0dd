import datetime

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from conversations.models import Conversation
from tests.support.factories import ConversationFactory

pytestmark = pytest.mark.django_db


def test_marking_someone_as_left_in_the_admin_calls_off_their_coming_conversations(
        client, django_user_model, employee, manager, django_capture_on_commit_callbacks):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "unused-password-123")
    coming = ConversationFactory(employee=employee, partner=manager,
                                 starts_at=timezone.now() + datetime.timedelta(days=4))
    client.force_login(admin)
    form = {key: value for key, value in model_to_dict(employee).items() if value is not None}
    form.update(is_active="", left_on="2026-11-25")
    form = {key: ("on" if value is True else value) for key, value in form.items() if value is not False}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/people/person/{employee.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    coming.refresh_from_db()
    assert coming.status == Conversation.Status.CANCELLED
