"""Privacy pages: a person's own ("who has seen my records", download my data) and HR's (the access log's counts,
erasing people who left)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from conversations.audit import access_counts, accesses_to_records_of
from conversations.personal_data import ErasureRefused, erase_person, export_personal_data, leavers
from people.permissions import person_for, requires

ACCESSES_PER_PAGE = 50


@require_GET
@requires("people.view_own_privacy")
def privacy(request):
    person = request.person
    page = Paginator(accesses_to_records_of(person), ACCESSES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "conversations/privacy.html", {"page": page})


@require_GET
@requires("people.export_personal_data")
def download(request):
    person = request.person
    now = timezone.now()
    content = export_personal_data(person=person, now=now)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="careerconv-my-data-{now:%Y-%m-%d}.zip"'
    return response


@require_GET
@requires("conversations.view_access_counts")
def hr_privacy(request):
    context = {"counts": access_counts(now=timezone.now()), "leavers": leavers()}
    return render(request, "conversations/hr_privacy.html", context)


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that this person's text and identity will be removed for good",
        error_messages={"required": "Tick the box to confirm: erasing cannot be undone."},
    )


@require_http_methods(["GET", "POST"])
def erase(request, pk):
    person = person_for(request.user, pk, "people.erase_person")
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = person.name
        try:
            erase_person(person=person, erased_by=request.user, now=timezone.now())
        except ErasureRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{name} has been erased. Their conversations still count in the figures.")
            return redirect("conversations:hr_privacy")
    return render(request, "conversations/erase_person.html", {"person": person, "form": form})
