"""The home page: what each person should do next about their own career conversations, and their team's."""

from django.shortcuts import render
from django.utils import timezone

from conversations.overview import overview_for


def home(request):
    person = request.person
    context = {"overview": overview_for(person, now=timezone.now()) if person else None}
    return render(request, "conversations/home.html", context)
