"""HR's editor for the question library. Everyone else gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from conversations import questions
from conversations.forms.followup import GuideQuestionForm
from conversations.models import Area, GuideQuestion
from people.permissions import requires

PERM = "conversations.edit_question_library"


def _render_library(request, *, form=None, status=200):
    grouped = questions.questions_by_area(include_retired=True)
    context = {
        "areas": [(value, label, grouped[value]) for value, label in Area.choices],
        "form": form or GuideQuestionForm(),
    }
    return render(request, "conversations/questions.html", context, status=status)


@requires(PERM)
def question_library(request):
    if request.method != "POST":
        return _render_library(request)
    form = GuideQuestionForm(request.POST)
    if form.is_valid():
        try:
            question = questions.add_question(area=form.cleaned_data["area"], text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Question added to {question.get_area_display()}.")
            return redirect(reverse("conversations:questions") + f"#area-{question.area}")
    return _render_library(request, form=form, status=400)


@requires(PERM)
def edit_question(request, pk):
    question = get_object_or_404(GuideQuestion, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = GuideQuestionForm(data, initial={"area": question.area, "text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            questions.update_question(question=question, area=form.cleaned_data["area"],
                                      text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Question updated.")
            return redirect(reverse("conversations:questions") + f"#area-{question.area}")
    return render(request, "conversations/question_edit.html", {"question": question, "form": form},
                  status=400 if form.errors else 200)


@require_POST
@requires(PERM)
def change_question(request, pk):
    """Move a question up or down within its area, retire it, or bring it back."""
    question = get_object_or_404(GuideQuestion, pk=pk)
    change = request.POST.get("change")
    if change in ("up", "down"):
        questions.move_question(question=question, up=change == "up")
    elif change in ("retire", "restore"):
        questions.set_active(question=question, active=change == "restore")
        messages.success(request, "Question retired: partners no longer see it." if change == "retire"
                         else "Question restored: partners see it again.")
    else:
        messages.error(request, "Choose what to do with the question.")
    return redirect(reverse("conversations:questions") + f"#question-{question.pk}")
