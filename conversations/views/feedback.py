"""Feedback from colleagues: asking, answering (with autosave) or declining, and reading what came back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversations import feedback
from conversations.forms.feedback import AnswerForm, AskForm, AskMoreForm, BringForm, DeclineForm
from conversations.permissions import feedback_answer_for, feedback_request_for
from conversations.views import autosave as answers
from people.permissions import requires


def _add_errors(form, error):
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@require_GET
@requires("conversations.ask_for_feedback")
def feedback_home(request):
    now = timezone.now()
    context = {
        "requests": feedback.my_requests(asker=request.person),
        "asked_of_me": feedback.asked_of(colleague=request.person, now=now),
        "given": feedback.feedback_given(colleague=request.person),
        "threshold": feedback.ANONYMOUS_THRESHOLD,
    }
    return render(request, "conversations/feedback.html", context)


@require_http_methods(["GET", "POST"])
@requires("conversations.ask_for_feedback")
def ask(request):
    now = timezone.now()
    asker = request.person
    conversations = list(feedback.upcoming_conversations(asker=asker, now=now))
    candidates = feedback.candidates(asker=asker, now=now)
    form_args = {"candidates": candidates, "conversations": conversations}
    if request.method == "POST":
        form = AskForm(request.POST, **form_args)
        if form.is_valid():
            try:
                feedback_request = feedback.ask_for_feedback(asker=asker, now=now, **form.cleaned_values())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Your request is on its way.")
                return redirect(feedback_request)
        messages.error(request, "Nothing was sent yet: please correct what is marked below.")
        status = 400
    else:
        conversation = next((item for item in conversations if str(item.pk) == request.GET.get("conversation")), None)
        colleague = request.GET.get("colleague", "")
        form = AskForm(initial={
            "areas": feedback.default_areas(asker=asker, conversation=conversation),
            "conversation": conversation.pk if conversation else None,
            "colleagues": [int(colleague)] if colleague.isdigit() else [],
        }, **form_args)
        status = 200
    at_limit = [candidate.person.name for candidate in candidates if candidate.at_limit]
    return render(request, "conversations/feedback_ask.html",
                  {"form": form, "at_limit": at_limit, "limit": feedback.open_limit()}, status=status)


def _request_context(request, feedback_request, *, now, ask_more_form=None, bring_form=None):
    summary = feedback.received(feedback_request)
    conversations = list(feedback.upcoming_conversations(asker=request.person, now=now))
    asked = feedback_request.answers.values_list("colleague_id", flat=True)
    return {
        "feedback_request": feedback_request,
        "summary": summary,
        "is_open": feedback.is_open(feedback_request, now=now),
        "is_expired": feedback.is_expired(feedback_request, now=now),
        "threshold": feedback.ANONYMOUS_THRESHOLD,
        "areas": feedback_request.areas,
        "ask_more_form": ask_more_form or AskMoreForm(
            candidates=feedback.candidates(asker=request.person, now=now, exclude=list(asked))),
        "bring_form": bring_form or BringForm(summary=summary, conversations=conversations),
        "conversations": conversations,
    }


@require_GET
def request_detail(request, pk):
    feedback_request = feedback_request_for(request.user, pk)
    context = _request_context(request, feedback_request, now=timezone.now())
    return render(request, "conversations/feedback_request.html", context)


@require_POST
def ask_more(request, pk):
    feedback_request = feedback_request_for(request.user, pk)
    now = timezone.now()
    asked = feedback_request.answers.values_list("colleague_id", flat=True)
    form = AskMoreForm(request.POST, candidates=feedback.candidates(asker=request.person, now=now,
                                                                     exclude=list(asked)))
    if form.is_valid():
        try:
            feedback.ask_more(request=feedback_request, colleagues=form.chosen_colleagues(), now=now)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Asked. They have been told.")
            return redirect(feedback_request)
    context = _request_context(request, feedback_request, now=now, ask_more_form=form)
    return render(request, "conversations/feedback_request.html", context, status=400)


@require_POST
def bring(request, pk):
    feedback_request = feedback_request_for(request.user, pk)
    now = timezone.now()
    summary = feedback.received(feedback_request)
    conversations = list(feedback.upcoming_conversations(asker=request.person, now=now))
    form = BringForm(request.POST, summary=summary, conversations=conversations)
    if form.is_valid():
        conversation = form.chosen_conversation()
        try:
            feedback.bring_into_preparation(request=feedback_request, picks=form.picked(), conversation=conversation,
                                            actor=request.user, now=now)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Added to your preparation. {conversation.partner.name} reads it only once "
                                      "you share the preparation.")
            return redirect("conversations:prepare", conversation.pk)
    context = _request_context(request, feedback_request, now=now, bring_form=form)
    return render(request, "conversations/feedback_request.html", context, status=400)


@require_POST
def close(request, pk):
    feedback_request = feedback_request_for(request.user, pk)
    feedback.close_request(request=feedback_request, now=timezone.now())
    messages.success(request, "Closed: nobody can answer it any more.")
    return redirect(feedback_request)


@require_http_methods(["GET", "POST"])
def answer(request, pk):
    feedback_answer = feedback_answer_for(request.user, pk)
    now = timezone.now()
    feedback_request = feedback_answer.request
    editable = feedback.can_change_answer(feedback_answer, now=now)
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, instance=feedback_answer, areas=feedback_request.areas)
        if not editable:
            messages.error(request, "This answer can no longer change.")
            return redirect(feedback_answer)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.fields}
            try:
                if request.POST.get("action") == "submit":
                    feedback.submit_answer(answer=feedback_answer, values=values, now=now)
                    messages.success(request, f"Sent to {feedback_request.asker.name}. Thank you.")
                    return redirect("conversations:feedback")
                feedback.save_answer(answer=feedback_answer, values=values, now=now)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Draft saved. Only you can see it until you send it.")
                return redirect(feedback_answer)
        messages.error(request, "Nothing was sent yet: please correct what is marked below.")
        status = 400
    else:
        form = AnswerForm(instance=feedback_answer, areas=feedback_request.areas)
    context = {"answer": feedback_answer, "feedback_request": feedback_request, "form": form, "editable": editable,
               "decline_form": DeclineForm()}
    return render(request, "conversations/feedback_answer.html", context, status=status)


@require_POST
def autosave_answer(request, pk):
    feedback_answer = feedback_answer_for(request.user, pk)
    now = timezone.now()
    if not feedback.can_change_answer(feedback_answer, now=now):
        return answers.locked("This answer was sent or the request has closed: it can no longer change.")
    form = AnswerForm(request.POST, instance=feedback_answer, areas=feedback_answer.request.areas)
    if not form.is_valid():
        return answers.invalid(form)
    feedback.save_answer(answer=feedback_answer, values={name: form.cleaned_data[name] for name in form.fields},
                         now=now)
    return answers.saved(now=now)


@require_POST
def decline(request, pk):
    feedback_answer = feedback_answer_for(request.user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            feedback.decline(answer=feedback_answer, reason=form.cleaned_data["reason"], now=timezone.now())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(feedback_answer)
        messages.success(request, f"Declined. {feedback_answer.request.asker.name} has been told.")
        return redirect("conversations:feedback")
    messages.error(request, "Keep the reason within 500 characters.")
    return redirect(feedback_answer)
