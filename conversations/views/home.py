"""The home page: what each person should do next about their own career conversations, and their team's."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from conversations.feedback import asked_of
from conversations.overview import overview_for


def home(request):
    person = request.person
    if person is None and request.user.is_staff:
        messages.info(request, "You are signed in as an administrator who is not one of the organisation's "
                               "people, so careerconv has no conversations for you. This is the administration site.")
        return redirect("admin:index")
    now = timezone.now()
    context = {"overview": overview_for(person, now=now) if person else None,
               "feedback_to_answer": asked_of(colleague=person, now=now).count() if person else 0}
    return render(request, "conversations/home.html", context)
