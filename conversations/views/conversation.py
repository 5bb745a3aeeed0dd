"""A person's conversations: the list, one conversation's page, and the career timeline."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from conversations import preparation as preparations
from conversations import timeline
from conversations.followup.summary import followup_panel_for
from conversations.models import Preparation
from conversations.permissions import conversation_for
from people.permissions import can, requires

PAST_PAGE_SIZE = 20


def _with_preparation_status(conversations, *, person):
    for conversation in conversations:
        try:
            preparation = conversation.preparation
        except Preparation.DoesNotExist:
            preparation = None
        conversation.preparation_status = preparations.status_of(
            preparation, viewer_is_employee=conversation.employee_id == person.pk)
        conversation.other = conversation.other_participant(person)
    return conversations


@require_http_methods(["GET"])
@requires("people.has_person")
def my_conversations(request):
    person = request.person
    upcoming, past = timeline.conversation_lists(person=person, now=timezone.now())
    page = Paginator(past, PAST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "upcoming": _with_preparation_status(upcoming, person=person),
        "past": _with_preparation_status(list(page.object_list), person=person),
        "page": page,
    }
    return render(request, "conversations/my_conversations.html", context)


@require_http_methods(["GET"])
def detail(request, pk):
    conversation = conversation_for(request.user, pk)
    person = request.person
    preparation = Preparation.objects.filter(conversation=conversation).first()
    is_employee = conversation.employee_id == person.pk
    now = timezone.now()
    readable = preparations.readable_preparation(preparation, user=request.user, now=now)
    context = {
        "conversation": conversation,
        "other": conversation.other_participant(person),
        "is_employee": is_employee,
        "preparation": readable,
        "topic_labels": preparations.topic_labels(readable),
        "followup": followup_panel_for(conversation, user=request.user, now=now),
        "preparation_status": preparations.status_of(preparation, viewer_is_employee=is_employee),
        "can_change": can(request.user, "conversations.cancel_conversation", conversation),
    }
    return render(request, "conversations/detail.html", context)


@require_http_methods(["GET"])
@requires("people.has_person")
def career_timeline(request):
    person = request.person
    entries = timeline.career_timeline(person=person, now=timezone.now())
    context = {"entries": entries, "current_aspiration": timeline.current_aspiration(entries),
               "feedback_entries": timeline.feedback_timeline(person=person)}
    return render(request, "conversations/timeline.html", context)
