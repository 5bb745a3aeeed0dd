"""The team pages of a manager, proposing a time to a report, and the employee's handover to a new manager."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from conversations.completion import next_due_for
from conversations.models import Handover
from conversations.proposals import propose_conversation, suggested_start

from . import roles
from .handover import handover_choices, save_handover
from .models import Person
from .team import attention_summary, team_member, team_rows
from .team_forms import HandoverForm, ProposalForm


def _report(request, pk, perm):
    report = get_object_or_404(Person.objects.select_related("user", "department"), pk=pk)
    if not request.user.has_perm(perm, report):
        raise Http404
    return report


def _show_on_form(form, error):
    """Put a domain error next to the field it is about; the proposal's start is the form's time field."""
    fields = {"starts_at": "time", "minutes": "minutes"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(fields.get(field), messages_)


def team(request):
    if not request.user.has_perm("people.view_team"):
        raise Http404
    manager = roles.person_of(request.user)
    now = timezone.now()
    rows = team_rows(manager, now=now)
    return render(request, "people/team.html", {"rows": rows, "summary": attention_summary(rows)})


def member(request, pk):
    report = _report(request, pk, "people.view_team_status")
    manager = roles.person_of(request.user)
    return render(request, "people/team_member.html",
                  {"member": team_member(manager, report, now=timezone.now()), "manager": manager})


def propose(request, pk):
    report = _report(request, pk, "people.propose_conversation")
    manager = roles.person_of(request.user)
    now = timezone.now()
    suggestion = suggested_start(manager=manager, now=now)
    form = ProposalForm(request.POST or None, tz=manager.tz,
                        initial={"date": suggestion.date(), "time": suggestion.time()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = propose_conversation(
                manager=manager, employee=report, starts_at=data["starts_at"], minutes=data["minutes"],
                location=data["location"], kind=data["kind"], now=now)
        except ValidationError as error:
            _show_on_form(form, error)
        else:
            messages.success(request, f"Proposed to {report.name}: they can accept it or suggest another time.")
            return redirect("conversations:notes", conversation.pk)
    due, status = next_due_for(report, now=now)
    return render(request, "people/propose.html", {"report": report, "form": form, "due": due, "status": status},
                  status=400 if form.errors else 200)


def handover(request):
    if not request.user.has_perm("people.hand_over"):
        raise Http404
    employee = roles.person_of(request.user)
    conversations = handover_choices(employee) if employee.manager_id else []
    existing = Handover.objects.filter(employee=employee, new_manager_id=employee.manager_id).first()
    initial = {}
    if existing is not None:
        initial = {"notes": list(existing.notes.values_list("pk", flat=True)),
                   "actions": list(existing.actions.values_list("pk", flat=True))}
    form = HandoverForm(request.POST or None, conversations=conversations, initial=initial)
    if request.method == "POST" and employee.manager_id and form.is_valid():
        try:
            save_handover(employee=employee, note_ids=form.cleaned_data["notes"],
                          action_ids=form.cleaned_data["actions"], now=timezone.now())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved: {employee.manager.name} now sees what you chose, and nothing else.")
            return redirect(reverse("people:handover"))
    chosen_notes = {int(pk) for pk in (form["notes"].value() or [])}
    chosen_actions = {int(pk) for pk in (form["actions"].value() or [])}
    return render(request, "people/handover.html", {
        "employee": employee, "conversations": conversations, "form": form, "handover": existing,
        "chosen_notes": chosen_notes, "chosen_actions": chosen_actions,
    }, status=400 if form.errors else 200)
