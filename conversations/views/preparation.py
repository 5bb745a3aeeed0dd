"""The employee's preparation: edited as a draft with autosave, shared with the partner when they choose."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conversations import preparation as preparations
from conversations.forms.preparation import PreparationForm
from conversations.permissions import conversation_for
from conversations.views import autosave as answers
from people.permissions import require


def _employee_preparation(request, pk):
    conversation = conversation_for(request.user, pk)
    preparation = preparations.preparation_for(conversation=conversation)
    require(request.user, "conversations.change_preparation", preparation)
    return conversation, preparation


@require_http_methods(["GET", "POST"])
def prepare(request, pk):
    conversation, preparation = _employee_preparation(request, pk)
    editable = preparations.is_editable(preparation)
    previous = preparations.previous_preparation(conversation=conversation)
    if request.method == "POST":
        if not editable:
            messages.error(request, "This conversation is no longer booked, so its preparation cannot change.")
            return redirect(conversation)
        action = request.POST.get("action", "save")
        form = PreparationForm(request.POST, instance=preparation, previous=previous)
        if form.is_valid():
            preparation = preparations.save_preparation(preparation=preparation, values=form.cleaned_data,
                                                        actor=request.user, now=timezone.now())
            if action == "unshare":
                preparations.withdraw_preparation(preparation=preparation)
                messages.success(request, f"Saved. {conversation.partner.name} no longer sees your preparation.")
                return redirect("conversations:prepare", conversation.pk)
            if action == "share":
                preparations.share_preparation(preparation=preparation, now=timezone.now())
                messages.success(request, f"Shared with {conversation.partner.name}. They also see the changes "
                                          "you save from now on.")
                return redirect(conversation)
            messages.success(request, "Draft saved. Only you can see it until you share it.")
            return redirect("conversations:prepare", conversation.pk)
        messages.error(request, "Nothing was saved yet: please correct what is marked below.")
    else:
        form = PreparationForm(instance=preparation, previous=previous)
        preparations.readable_preparation(preparation, user=request.user, now=timezone.now())
    context = {
        "conversation": conversation,
        "preparation": preparation,
        "form": form,
        "editable": editable,
        "previous": previous,
        "topic_labels": preparations.topic_labels(preparation),
        "open_actions": preparations.open_actions_for(employee=conversation.employee),
    }
    return render(request, "conversations/prepare.html", context)


@require_POST
def autosave(request, pk):
    """Save the draft as it is typed (a script, or a beacon when the tab closes); answers autosave's JSON."""
    conversation, preparation = _employee_preparation(request, pk)
    if not preparations.is_editable(preparation):
        return answers.locked("This conversation is no longer booked: the preparation cannot change.")
    form = PreparationForm(request.POST, instance=preparation)
    if not form.is_valid():
        return answers.invalid(form)
    now = timezone.now()
    preparations.save_preparation(preparation=preparation, values=form.cleaned_data, actor=request.user, now=now)
    # The preparation stays a draft, seen by nobody else, until the employee shares it.
    return answers.saved(now=now, what="Draft saved")
