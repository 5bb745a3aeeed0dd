"""The home page: what each person should do next about their own career conversations, and their team's."""

from django.shortcuts import render
from django.utils import timezone

from conversations.feedback import asked_of
from conversations.overview import overview_for


def home(request):
    person = request.person
    now = timezone.now()
    context = {"overview": overview_for(person, now=now) if person else None,
               "feedback_to_answer": asked_of(colleague=person, now=now).count() if person else 0}
    return render(request, "conversations/home.html", context)
