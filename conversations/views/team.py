"""The team pages of a manager, and proposing a time to a report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from conversations.availability import parse_slot_key
from conversations.followup.completion import next_due_for
from conversations.forms.team import ProposalForm
from conversations.proposals import free_times, outside_working_hours, propose_conversation, suggested_start
from conversations.team import attention_summary, team_member, team_rows
from people.permissions import person_for, requires


def _show_on_form(form, error):
    """Put a domain error next to the field it is about; the proposal's start is the form's time field."""
    fields = {"starts_at": "time", "minutes": "minutes"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(fields.get(field), messages_)


@requires("people.view_team")
def team(request):
    manager = request.person
    now = timezone.now()
    rows = team_rows(manager, now=now)
    return render(request, "conversations/team.html", {"rows": rows, "summary": attention_summary(rows)})


def member(request, pk):
    report = person_for(request.user, pk, "people.view_team_status")
    manager = request.person
    now = timezone.now()
    member = team_member(manager, report, now=now)
    return render(request, "conversations/team_member.html", {"member": member, "manager": manager})


def propose(request, pk):
    report = person_for(request.user, pk, "people.propose_conversation")
    manager = request.person
    now = timezone.now()
    times = free_times(manager=manager, employee=report, now=now)
    # A free time chosen from the list fills the form; otherwise the first free time, or a plain suggestion.
    chosen = parse_slot_key(request.GET.get("slot", ""))
    start = (chosen or (times[0].starts_at if times else suggested_start(manager=manager, now=now))).astimezone(
        manager.tz)
    form = ProposalForm(request.POST if request.method == "POST" else None, tz=manager.tz,
                        initial={"date": start.date(), "time": start.time()})
    warning = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warning = outside_working_hours(employee=report, starts_at=data["starts_at"], minutes=data["minutes"])
        # "Propose it anyway" confirms a time the manager has been warned about.
        if not warning or request.POST.get("confirm") == "outside-hours":
            try:
                conversation = propose_conversation(
                    manager=manager, employee=report, starts_at=data["starts_at"], minutes=data["minutes"],
                    location=data["location"], kind=data["kind"], now=now)
            except ValidationError as error:
                warning = ""
                _show_on_form(form, error)
            else:
                messages.success(request, f"Proposed to {report.name}: they can accept it or suggest another time.")
                return redirect("conversations:notes", conversation.pk)
    due, status = next_due_for(report, now=now)
    return render(request, "conversations/propose.html",
                  {"report": report, "form": form, "due": due, "status": status, "slots": times,
                   "warning": warning, "same_zone": manager.tz.key == report.tz.key},
                  status=400 if form.errors else 200)
