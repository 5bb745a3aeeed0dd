"""Views of a conversation's follow-through: the notes workspace, action items, completion, roadblocks, answering
a proposal, and "My commitments". Access is decided by the rules in permissions.py; what cannot be seen is 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from conversations import proposals
from conversations.followup import actions as action_rules
from conversations.followup import carryover, completion, notes
from conversations.followup.summary import workspace_for
from conversations.forms.followup import (
    ActionItemForm,
    DeclineForm,
    MarkHeldForm,
    NotesForm,
    ReflectionForm,
    RoadblockForm,
)
from conversations.models import ActionItem, Notes
from conversations.permissions import action_for, conversation_for, roadblock_for
from conversations.questions import questions_by_area
from conversations.views import autosave as answers
from people.permissions import can, requires


def _safe_next(request, target):
    """`target` when it is a page of this site, else an empty string."""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _back(request, default):
    """Where to return after a POST: the page it came from when that is on this site, else `default`."""
    return _safe_next(request, request.POST.get("next", "")) or default


def _workspace_url(conversation, anchor=""):
    return reverse("conversations:notes", args=[conversation.pk]) + (f"#{anchor}" if anchor else "")


def _today(request):
    return timezone.localdate(timezone.now(), request.person.tz)


def _error_text(error):
    return " ".join(error.messages)


def _render_workspace(request, conversation, *, status=200, **bound):
    """The workspace; forms given in `bound` (after a failed submit) replace the blank ones, so that what was
    typed stays on the page beside the message."""
    now = timezone.now()
    followup = workspace_for(conversation, user=request.user, now=now)
    today = followup.today
    context = {
        "followup": followup,
        "conversation": conversation,
        "questions": questions_by_area() if followup.is_partner else {},
        "notes_forms": [
            (visibility, bound.get(f"notes_{visibility}") or NotesForm(
                instance=followup.my_notes[visibility], visibility=visibility))
            for visibility in Notes.Visibility.values
        ],
        "action_form": bound.get("action_form") or ActionItemForm(conversation=conversation, today=today),
        "roadblock_form": bound.get("roadblock_form") or RoadblockForm(),
        "held_form": MarkHeldForm(),
        "reflection_form": bound.get("reflection_form") or (
            ReflectionForm(instance=conversation) if followup.can_reflect else None),
        "decline_form": bound.get("decline_form") or DeclineForm(),
        "active_notes": Notes.Visibility.PRIVATE if "notes_private" in bound else Notes.Visibility.SHARED,
        "next_url": request.get_full_path(),
    }
    return render(request, "conversations/notes.html", context, status=status)


# A refused action or roadblock comes back to the notes page it was typed on: what was typed is kept in the session
# across the redirect, so that the address stays the page's own and a reload does not post again.
REFUSED_FORMS = {"action_form": ActionItemForm, "roadblock_form": RoadblockForm}


def _refused(request, conversation, name, form, anchor):
    if form.errors:
        messages.error(request, f"Not added: {'; '.join(e for errors in form.errors.values() for e in errors)}")
    request.session[f"refused:{conversation.pk}"] = {"name": name, "data": request.POST.dict()}
    return redirect(_workspace_url(conversation, anchor))


def _bound_refused(request, conversation):
    refused = request.session.pop(f"refused:{conversation.pk}", None)
    if refused is None or refused.get("name") not in REFUSED_FORMS:
        return {}
    if refused["name"] == "action_form":
        form = ActionItemForm(refused["data"], conversation=conversation, today=_today(request))
    else:
        form = RoadblockForm(refused["data"])
    form.is_valid()
    return {refused["name"]: form}


def notes_workspace(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.take_notes")
    return _render_workspace(request, conversation, **_bound_refused(request, conversation))


@require_POST
def save_notes(request, pk, visibility):
    """Save one kind of the viewer's notes. Autosave asks for JSON; without JavaScript the form posts here too."""
    conversation = conversation_for(request.user, pk, "conversations.take_notes")
    if visibility not in Notes.Visibility.values:
        raise Http404
    wants_json = answers.wants_json(request)
    me = request.person
    existing = Notes.objects.filter(conversation=conversation, author=me, visibility=visibility).first()
    form = NotesForm(request.POST, instance=existing, visibility=visibility)
    if form.is_valid():
        now = timezone.now()
        try:
            notes.save_notes(conversation=conversation, author=me, visibility=visibility,
                             values=form.cleaned_data, now=now)
        except ValidationError as error:
            if wants_json:
                return answers.locked(_error_text(error))
            messages.error(request, _error_text(error))
            return _render_workspace(request, conversation, status=409, **{f"notes_{visibility}": form})
        if wants_json:
            return answers.saved(now=now)
        messages.success(request, f"Your {Notes.Visibility(visibility).label.lower()} notes were saved.")
        return redirect(_workspace_url(conversation, f"notes-{visibility}"))
    if wants_json:
        return answers.invalid(form)
    return _render_workspace(request, conversation, status=400, **{f"notes_{visibility}": form})


@require_POST
def add_action(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.add_actionitem")
    form = ActionItemForm(request.POST, conversation=conversation, today=_today(request))
    if form.is_valid():
        try:
            action_rules.add_action(conversation=conversation, by=request.person, now=timezone.now(),
                                    **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, "Action added.")
            return redirect(_back(request, _workspace_url(conversation, "actions")))
    return _refused(request, conversation, "action_form", form, "actions")


def edit_action(request, pk):
    action = action_for(request.user, pk, "conversations.change_actionitem")
    conversation = action.conversation
    initial = {"text": action.text, "owner_kind": action.owner_kind, "due_on": action.due_on}
    data = request.POST if request.method == "POST" else None
    form = ActionItemForm(data, initial=initial, conversation=conversation, today=_today(request))
    if request.method == "POST" and form.is_valid():
        try:
            action_rules.update_action(action=action, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action updated.")
            return redirect(_back(request, _workspace_url(conversation, "actions")))
    window = notes.notes_window(conversation, now=timezone.now())
    return render(request, "conversations/action_edit.html",
                  {"action": action, "form": form, "conversation": conversation, "window": window,
                   "can_remove": action.done_at is None and window.editable,
                   "next_url": _safe_next(request, request.GET.get("next") or request.POST.get("next"))},
                  status=400 if form.errors else 200)


@require_POST
def remove_action(request, pk):
    action = action_for(request.user, pk, "conversations.change_actionitem")
    conversation = action.conversation
    try:
        action_rules.remove_action(action=action, now=timezone.now())
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Action removed.")
    return redirect(_workspace_url(conversation, "actions"))


@require_POST
def complete_action(request, pk):
    action = action_for(request.user, pk, "conversations.complete_actionitem")
    if request.POST.get("done") == "0":
        action_rules.reopen_action(action=action, now=timezone.now())
        messages.success(request, f"“{action.text}” is open again.")
    else:
        action_rules.complete_action(action=action, now=timezone.now(), by=request.person)
        messages.success(request, f"“{action.text}” marked done.")
    return redirect(_back(request, reverse("conversations:commitments")))


@require_POST
def ask_for_action_update(request, pk):
    action = action_for(request.user, pk, "conversations.ask_for_action_update")
    try:
        update, asked_now = action_rules.ask_for_update(action=action, by=request.person, now=timezone.now())
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if asked_now:
            messages.success(request, f"HR has been asked for an update on “{action.text}”. You will be told when "
                                      "it is done.")
        else:
            asked_on = dateformat.format(timezone.localdate(update.asked_at, request.person.tz), "j F Y")
            messages.info(request, f"An update was already asked for, on {asked_on}. You will be told when it is "
                                   "done.")
    return redirect(_back(request, f"{reverse('conversations:commitments')}#action-{action.pk}"))


@require_POST
def mark_held(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.mark_held")
    form = MarkHeldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say whether the conversation was held or the employee did not come.")
        return redirect(_back(request, _workspace_url(conversation, "completion")))
    try:
        completion.mark_held(conversation=conversation, outcome=form.cleaned_data["outcome"], now=timezone.now())
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if conversation.status == conversation.Status.COMPLETED:
            due, _ = completion.next_due_for(conversation.employee, now=timezone.now())
            messages.success(request, f"Marked as held. {conversation.employee.name}'s next conversation is due by "
                                      f"{dateformat.format(due, 'j F Y')}.")
        else:
            messages.success(request, "Marked as a no-show.")
    return redirect(_back(request, _workspace_url(conversation, "completion")))


@require_POST
def reflect(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.reflect_on_conversation")
    form = ReflectionForm(request.POST, instance=conversation)
    if form.is_valid():
        try:
            completion.reflect(conversation=conversation, reflection=form.cleaned_data["employee_reflection"],
                               acknowledge=form.cleaned_data.get("acknowledge", False), now=timezone.now())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your reflection was saved.")
            return redirect(_back(request, _workspace_url(conversation, "completion")))
    conversation.refresh_from_db()
    return _render_workspace(request, conversation, status=400, reflection_form=form)


@require_POST
def add_roadblock(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.track_roadblocks")
    form = RoadblockForm(request.POST)
    if form.is_valid():
        try:
            carryover.raise_roadblock(conversation=conversation, by=request.person,
                                      text=form.cleaned_data["text"], now=timezone.now())
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, "Roadblock noted: later conversations will show whether it is still open.")
            return redirect(_workspace_url(conversation, "roadblocks"))
    return _refused(request, conversation, "roadblock_form", form, "roadblocks")


@require_POST
def update_roadblock(request, pk, roadblock_pk):
    conversation = conversation_for(request.user, pk, "conversations.track_roadblocks")
    roadblock = roadblock_for(request.user, roadblock_pk, "conversations.change_roadblock")
    change = request.POST.get("change")
    try:
        if change == "again":
            carryover.raise_again(roadblock=roadblock, conversation=conversation, now=timezone.now())
            messages.success(request, f"“{roadblock.text}” is counted as raised again in this conversation.")
        elif change == "resolve":
            carryover.resolve_roadblock(roadblock=roadblock, conversation=conversation, now=timezone.now())
            messages.success(request, f"“{roadblock.text}” marked resolved.")
        elif change == "reopen":
            carryover.reopen_roadblock(roadblock=roadblock, conversation=conversation, now=timezone.now())
            messages.success(request, f"“{roadblock.text}” is open again.")
        else:
            messages.error(request, "Choose what to do with the roadblock.")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect(_workspace_url(conversation, "roadblocks"))


@require_POST
def answer_proposal(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.respond_to_proposal")
    if request.POST.get("answer") == "accept":
        try:
            proposals.accept_proposal(conversation=conversation)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, f"Accepted: {conversation.partner.name} has been told.")
        return redirect(_back(request, _workspace_url(conversation)))
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            proposals.decline_proposal(conversation=conversation, reason=form.cleaned_data["reason"],
                                       now=timezone.now())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Declined: {conversation.partner.name} has been told why.")
            return redirect("home")
    return _render_workspace(request, conversation, status=400, decline_form=form)


@requires("conversations.view_commitments")
def commitments(request):
    person = request.person
    today = _today(request)
    follows_organisation = can(request.user, "conversations.follow_organisation_actions")
    context = {
        "commitments": action_rules.commitments_for(person, today=today, follows_organisation=follows_organisation),
        "today": today,
        "next_url": request.get_full_path(),
        "organisation_owner": ActionItem.Owner.ORGANISATION,
        "follows_organisation": follows_organisation,
    }
    return render(request, "conversations/commitments.html", context)
