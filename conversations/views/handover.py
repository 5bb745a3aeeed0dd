"""The employee's handover of chosen notes and actions to a new manager."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from conversations.forms.team import HandoverForm
from conversations.handover import handover_choices, save_handover
from conversations.models import Handover
from people.permissions import requires


@requires("people.hand_over")
def handover(request):
    employee = request.person
    conversations = handover_choices(employee) if employee.manager_id else []
    existing = Handover.objects.filter(employee=employee, new_manager_id=employee.manager_id).first()
    initial = {}
    if existing is not None:
        initial = {"notes": list(existing.notes.values_list("pk", flat=True)),
                   "actions": list(existing.actions.values_list("pk", flat=True))}
    data = request.POST if request.method == "POST" else None
    form = HandoverForm(data, conversations=conversations, initial=initial)
    if request.method == "POST" and employee.manager_id and form.is_valid():
        try:
            save_handover(employee=employee, note_ids=form.cleaned_data["notes"],
                          action_ids=form.cleaned_data["actions"], now=timezone.now())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved: {employee.manager.name} now sees what you chose, and nothing else.")
            return redirect(reverse("conversations:handover"))
    # What was ticked, to tick it again beside the message: ids as sent, which may not be numbers at all.
    chosen_notes = {int(pk) for pk in (form["notes"].value() or []) if str(pk).isdecimal()}
    chosen_actions = {int(pk) for pk in (form["actions"].value() or []) if str(pk).isdecimal()}
    return render(request, "conversations/handover.html", {
        "employee": employee, "conversations": conversations, "form": form, "handover": existing,
        "chosen_notes": chosen_notes, "chosen_actions": chosen_actions,
    }, status=400 if form.errors else 200)
