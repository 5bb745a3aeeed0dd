"""Conversations in calendars: the .ics download, the invitation sent again, and the personal feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversations import booking
from conversations import calendar as calendars
from conversations.permissions import conversation_for
from people.permissions import requires

ICS_TYPE = "text/calendar; charset=utf-8"


@require_GET
def download_invite(request, pk):
    conversation = conversation_for(request.user, pk)
    person = request.person
    response = HttpResponse(calendars.download_ics(conversation, viewer=person, now=timezone.now()),
                            content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="career-conversation-{conversation.pk}.ics"'
    return response


@require_POST
def resend_invitation(request, pk):
    conversation = conversation_for(request.user, pk)
    person = request.person
    if not person.email:
        messages.error(request, "Your account has no e-mail address: download the invitation instead.")
    elif booking.request_invitation(conversation=conversation, recipient=person):
        messages.success(request, f"The invitation is on its way to {person.email}.")
    else:
        messages.error(request, "The invitation cannot be sent just now. Please try again later, or download it "
                                "and open it with your calendar.")
    return redirect(conversation)


@require_http_methods(["GET"])
@requires("people.has_person")
def calendar_subscription(request):
    person = request.person
    feed_url = calendars.feed_url(person)
    context = {"feed_url": feed_url, "webcal_url": "webcal://" + feed_url.split("://", 1)[-1]}
    return render(request, "conversations/calendar_subscription.html", context)


@require_POST
@requires("people.has_person")
def rotate_calendar_link(request):
    person = request.person
    calendars.rotate_calendar_token(person=person)
    messages.success(request, "Your calendar link was reset. Calendars subscribed with the old link no longer "
                              "update: subscribe again with the new one.")
    return redirect("conversations:calendar")


@login_not_required
@never_cache
@require_GET
def calendar_feed(request, token):
    """The subscription feed: opened by calendar apps without a session, so the secret in the URL is the key."""
    person = calendars.person_for_feed(token)
    if person is None:
        raise Http404("Unknown calendar link")
    response = HttpResponse(calendars.feed_ics(person, now=timezone.now()), content_type=ICS_TYPE)
    response["Content-Disposition"] = 'inline; filename="career-conversations.ics"'
    return response
