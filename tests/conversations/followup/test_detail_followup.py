"""The follow-through panel the conversation page includes: given the request and the view's `followup`
(`followup_panel_for`), it shows each viewer only what they may see."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from conversations.followup.summary import followup_panel_for
from conversations.models import Conversation, Notes
from tests.support.factories import ActionItemFactory, ConversationFactory, NotesFactory

pytestmark = pytest.mark.django_db

PAGE = Template('<main>{% include "conversations/_detail_followup.html" %}</main>')


def render_for(user, conversation):
    request = RequestFactory().get(f"/conversations/{conversation.pk}/")
    request.user = user
    followup = followup_panel_for(conversation, user=user, now=timezone.now())
    return PAGE.render(Context({"request": request, "conversation": conversation, "followup": followup,
                                "csrf_token": "token"}))


@pytest.fixture
def held(employee, manager):
    conversation = ConversationFactory(employee=employee, partner=manager, status=Conversation.Status.COMPLETED,
                                       starts_at=timezone.now() - datetime.timedelta(days=1),
                                       held_at=timezone.now() - datetime.timedelta(days=1))
    NotesFactory(conversation=conversation, author=manager, summary="Shared with Eli")
    NotesFactory(conversation=conversation, author=manager, visibility=Notes.Visibility.PRIVATE,
                 summary="Maya's eyes only")
    ActionItemFactory(conversation=conversation, text="Shadow the data team")
    return conversation


def test_the_employee_sees_shared_notes_actions_and_the_reflection_form(held, employee):
    html = render_for(employee.user, held)

    assert "Shared with Eli" in html
    assert "Shadow the data team" in html
    assert "Maya&#x27;s eyes only" not in html and "Maya's eyes only" not in html
    assert f'action="/conversations/{held.pk}/reflection/"' in html
    assert f'href="/conversations/{held.pk}/notes/"' in html
    assert "Mark as held" not in html


def test_the_partner_can_correct_the_outcome_but_not_reflect(held, manager):
    html = render_for(manager.user, held)

    assert "Shared with Eli" in html
    assert f'action="/conversations/{held.pk}/held/"' in html
    assert "reflection/" not in html


@pytest.mark.parametrize("who", ["hr", "stranger", "mentor"])
def test_anyone_else_gets_nothing(held, request, who):
    person = request.getfixturevalue(who)

    assert render_for(person.user, held).split() == ["<main>", "</main>"]


def test_an_anonymous_visitor_gets_nothing(held):
    assert render_for(AnonymousUser(), held).split() == ["<main>", "</main>"]
