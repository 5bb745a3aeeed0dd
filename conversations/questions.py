"""The question library: open questions per area that help a partner guide the conversation rather than direct it.

HR adds, rewords, orders and retires questions; partners see the active ones beside each area of the notes form.
A retired question is kept (not deleted) so that it can be brought back.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from conversations.models import Area, GuideQuestion


def questions_by_area(*, include_retired=False):
    """{area value: [questions in order]} for every area, in the areas' own order."""
    questions = GuideQuestion.objects.all() if include_retired else GuideQuestion.objects.filter(is_active=True)
    grouped = {area: [] for area in Area.values}
    for question in questions.order_by("position", "pk"):
        grouped[question.area].append(question)
    return grouped


def _check_text(*, area, text, exclude_pk=None):
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": "Write the question."})
    duplicates = GuideQuestion.objects.filter(area=area, text__iexact=text)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ValidationError({"text": "This area already has that question."})
    return text


@transaction.atomic
def add_question(*, area, text):
    text = _check_text(area=area, text=text)
    last = GuideQuestion.objects.select_for_update().filter(area=area).aggregate(last=Max("position"))["last"]
    return GuideQuestion.objects.create(area=area, text=text, position=(last or 0) + 1)


@transaction.atomic
def update_question(*, question, area, text):
    text = _check_text(area=area, text=text, exclude_pk=question.pk)
    if area != question.area:
        last = GuideQuestion.objects.select_for_update().filter(area=area).aggregate(last=Max("position"))["last"]
        question.position = (last or 0) + 1
    question.area = area
    question.text = text
    question.save(update_fields=["area", "text", "position"])
    return question


@transaction.atomic
def move_question(*, question, up):
    """Swap the question with its neighbour in the area. Positions are renumbered 1..n first, so gaps and ties
    left by earlier edits cannot make a move do nothing."""
    siblings = list(GuideQuestion.objects.select_for_update().filter(area=question.area).order_by("position", "pk"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == question.pk)
    target = index - 1 if up else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    GuideQuestion.objects.bulk_update(siblings, ["position"])


def set_active(*, question, active):
    question.is_active = active
    question.save(update_fields=["is_active"])
    return question
