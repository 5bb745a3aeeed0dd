"""Feedback from colleagues: the employee asks a broader range of people than their manager for feedback on the
article's areas, and brings what they choose into a career conversation.

A request asks one or more colleagues (a FeedbackAnswer each); each colleague answers, in a draft only they see
until they submit it, or declines. The answers are the asker's: nobody else reads them, not the asker's manager,
HR or an administrator. An anonymous request shows its answers together and without names, and only once
ANONYMOUS_THRESHOLD have arrived. What the asker brings into a preparation reaches the partner only when the
preparation is shared, like the rest of it.

A request is open until the asker closes it or it expires (settings.FEEDBACK_EXPIRES_AFTER_DAYS after its date).
Nobody has more than settings.FEEDBACK_OPEN_REQUESTS_LIMIT requests waiting for their answer.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import dateformat

from conversations import tasks
from conversations.models import (
    FEEDBACK_AREA_FIELDS,
    TEXT_LIMIT,
    Area,
    Conversation,
    FeedbackAnswer,
    FeedbackRequest,
    Preparation,
)
from conversations.notifications import Notice, notify
from conversations.preparation import preparation_for, save_preparation
from people.models import Person

logger = logging.getLogger(__name__)

ANONYMOUS_THRESHOLD = 3
# The furthest date a request can ask answers by: feedback is for the next conversation, not next year's.
LONGEST_WAIT_DAYS = 90
Status = FeedbackAnswer.Status

# Two or three open prompts per area, in the spirit of the article: what the colleague has seen, not a rating.
PROMPTS = {
    Area.ABILITIES: (
        "What do you see as their strengths? Where have you relied on them?",
        "What value do they bring to the team and the organisation that others may not notice?",
    ),
    Area.ROADBLOCKS: (
        "What seems to get in the way of their success: skills, time, access, people, processes?",
        "What could they stop, start or ask for that would help most?",
    ),
    Area.ENVIRONMENT: (
        "When did you see them at their best? What was the work, the team, the setting?",
        "What kind of environment would let them contribute even more?",
    ),
    Area.SOFT_SKILLS: (
        "How do they communicate, influence and work with others?",
        "Which soft skill would make the biggest difference if they grew it?",
    ),
    Area.TECHNICAL_SKILLS: (
        "Which of their technical skills stand out?",
        "Which technical skill would open the most doors for them next?",
    ),
    Area.PEER_DIFFERENTIATORS: (
        "What sets them apart from others in similar roles?",
        "What could become their signature contribution over the next few years?",
        "Who would you send to them for help, and with what?",
    ),
}


def today_for(person, now):
    return now.astimezone(person.tz).date()


def open_requests():
    """Requests that can still be answered (expiry is checked against a date: see is_open)."""
    return FeedbackRequest.objects.filter(closed_at__isnull=True)


def is_open(request, *, now):
    return request.closed_at is None and today_for(request.asker, now) <= request.expires_on


def is_expired(request, *, now):
    return request.closed_at is None and today_for(request.asker, now) > request.expires_on


def waiting_for(colleague_ids, *, now):
    """How many open requests each of these people has still to answer."""
    today = now.date()
    rows = (FeedbackAnswer.objects.filter(colleague_id__in=colleague_ids, status=Status.ASKED,
                                          request__closed_at__isnull=True, request__expires_on__gte=today)
            .order_by().values("colleague_id").annotate(waiting=Count("pk")))
    return {row["colleague_id"]: row["waiting"] for row in rows}


def open_limit():
    return settings.FEEDBACK_OPEN_REQUESTS_LIMIT


# --- Whom to ask -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    person: Person
    group: str
    waiting: int

    @property
    def at_limit(self):
        return self.waiting >= open_limit()


TEAM, TALKED_WITH, ELSEWHERE = "Your team", "People you have had conversations with", "Everyone else"


def candidates(*, asker, now, exclude=()):
    """Everyone the asker may ask, suggestions first: their team (manager, peers, reports), the people they have
    had conversations with, then everyone else, each with how many requests they are already answering."""
    people = list(Person.objects.active().exclude(pk=asker.pk).exclude(pk__in=exclude)
                  .select_related("user", "department"))
    team = {person.pk for person in people
            if person.pk == asker.manager_id or person.manager_id == asker.pk
            or (asker.manager_id is not None and person.manager_id == asker.manager_id)}
    talked = set(Conversation.objects.involving(asker).exclude(status=Conversation.Status.CANCELLED)
                 .values_list("employee_id", "partner_id").distinct().iterator())
    talked = {pk for pair in talked for pk in pair}
    waiting = waiting_for([person.pk for person in people], now=now)

    def group(person):
        if person.pk in team:
            return TEAM
        if person.pk in talked:
            return TALKED_WITH
        return ELSEWHERE

    order = (TEAM, TALKED_WITH, ELSEWHERE)
    found = [Candidate(person, group(person), waiting.get(person.pk, 0)) for person in people]
    return sorted(found, key=lambda candidate: (order.index(candidate.group), candidate.person.name.casefold()))


def default_areas(*, asker, conversation=None):
    """The areas the asker wrote something about in their preparation; the article's three when none."""
    preparation = Preparation.objects.filter(conversation=conversation).first() if conversation else None
    if preparation is None:
        preparation = (Preparation.objects.filter(conversation__employee=asker,
                                                  conversation__status__in=Conversation.ACTIVE_STATUSES)
                       .order_by("conversation__starts_at").first())
    marked = [name for name in FEEDBACK_AREA_FIELDS if preparation and getattr(preparation, name).strip()]
    return marked or list(FEEDBACK_AREA_FIELDS[:3])


def upcoming_conversations(*, asker, now):
    """Conversations a request can be tied to: the asker's own, still ahead."""
    return (Conversation.objects.filter(employee=asker, status__in=Conversation.ACTIVE_STATUSES, ends_at__gte=now)
            .select_related("partner__user").order_by("starts_at"))


# --- Asking ----------------------------------------------------------------------------------------------------


def _check_colleagues(*, asker, colleagues, now, already=()):
    if not colleagues:
        raise ValidationError({"colleagues": "Choose at least one colleague to ask."})
    if any(colleague.pk == asker.pk for colleague in colleagues):
        raise ValidationError({"colleagues": "You cannot ask yourself."})
    if any(not colleague.is_active for colleague in colleagues):
        raise ValidationError({"colleagues": "Someone you chose has left the organisation."})
    if any(colleague.pk in already for colleague in colleagues):
        raise ValidationError({"colleagues": "You have already asked someone you chose for this request."})
    waiting = waiting_for([colleague.pk for colleague in colleagues], now=now)
    full = [colleague.name for colleague in colleagues if waiting.get(colleague.pk, 0) >= open_limit()]
    if full:
        raise ValidationError({"colleagues": f"{', '.join(full)} already {'has' if len(full) == 1 else 'have'} "
                                             f"{open_limit()} requests to answer: ask someone else, or later."})


def _invite(request, colleagues, *, now):
    """One answer row per colleague, a notification each, and the e-mail once the request is saved."""
    answers = FeedbackAnswer.objects.bulk_create(
        [FeedbackAnswer(request=request, colleague=colleague, asked_at=now) for colleague in colleagues])
    answer_by = dateformat.format(request.answer_by, "j F")
    notify(*[Notice(recipient=answer.colleague,
                    title=f"{request.asker.name} asked you for feedback by {answer_by}",
                    body="A few minutes of your view on their strengths, roadblocks and best work.",
                    url=answer.get_absolute_url())
             for answer in answers])
    ids = [answer.pk for answer in answers]
    transaction.on_commit(lambda: _publish_request_emails(ids))
    return answers


def _publish_request_emails(answer_ids):
    try:
        for answer_id in answer_ids:
            tasks.send_feedback_request.delay(answer_id)
    except Exception:
        # The broker is unreachable: the answers stay waiting for their e-mail, which the feedback outbox sweep
        # sends once it is back (see feedback_outbox).
        logger.exception("feedback request e-mails %s not queued", answer_ids)


def ask_for_feedback(*, asker, colleagues, areas, note, answer_by, anonymous, conversation, now):
    """Ask colleagues for feedback on `areas` by `answer_by`; they are notified, and e-mailed once it is saved."""
    today = today_for(asker, now)
    errors = {}
    if not areas or any(area not in FEEDBACK_AREA_FIELDS for area in areas):
        errors["areas"] = "Choose at least one area to hear about."
    if answer_by is None or answer_by <= today:
        errors["answer_by"] = "Choose a date after today: people need time to answer."
    elif answer_by > today + datetime.timedelta(days=LONGEST_WAIT_DAYS):
        errors["answer_by"] = f"Choose a date within the next {LONGEST_WAIT_DAYS} days."
    if conversation is not None and (conversation.employee_id != asker.pk or not conversation.is_active):
        errors["conversation"] = "Choose one of your upcoming conversations."
    if len(note) > TEXT_LIMIT:
        errors["note"] = f"Keep the note within {TEXT_LIMIT} characters."
    try:
        _check_colleagues(asker=asker, colleagues=colleagues, now=now)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    ordered = [area for area in FEEDBACK_AREA_FIELDS if area in areas]
    with transaction.atomic():
        request = FeedbackRequest.objects.create(
            asker=asker, areas=ordered, note=note.strip(), answer_by=answer_by, anonymous=anonymous,
            expires_on=answer_by + datetime.timedelta(days=settings.FEEDBACK_EXPIRES_AFTER_DAYS),
            conversation=conversation, created_at=now)
        _invite(request, colleagues, now=now)
    return request


def ask_more(*, request, colleagues, now):
    """Ask further colleagues on an open request."""
    if not is_open(request, now=now):
        raise ValidationError("This request is closed: start a new one.")
    already = set(request.answers.values_list("colleague_id", flat=True))
    _check_colleagues(asker=request.asker, colleagues=colleagues, now=now, already=already)
    with transaction.atomic():
        return _invite(request, colleagues, now=now)


def close_request(*, request, now):
    """The asker has heard enough: nobody is asked any longer, and what was not answered stays unanswered."""
    FeedbackRequest.objects.filter(pk=request.pk, closed_at__isnull=True).update(closed_at=now)
    request.refresh_from_db(fields=["closed_at"])
    return request


# --- Answering -------------------------------------------------------------------------------------------------


def can_change_answer(answer, *, now):
    return answer.status == Status.ASKED and is_open(answer.request, now=now)


def _refuse_change(answer, *, now):
    if answer.is_submitted:
        raise ValidationError("You have already sent this answer: it can no longer change.")
    if not is_open(answer.request, now=now):
        raise ValidationError("This request has closed: it can no longer be answered.")


def save_answer(*, answer, values, now):
    """Keep the draft (the areas asked about only); only its author sees it."""
    _refuse_change(answer, now=now)
    for name in answer.request.areas:
        if name in values:
            setattr(answer, name, values[name])
    answer.save()
    return answer


def _tell_asker(answer, *, what):
    request = answer.request
    if request.anonymous:
        arrived = request.answers.filter(status=Status.ANSWERED).count()
        asked = request.answers.count()
        title = f"A colleague {what} your request for feedback"
        body = (f"{arrived} of {asked} answered; shown when {ANONYMOUS_THRESHOLD} have."
                if arrived < ANONYMOUS_THRESHOLD else f"{arrived} of {asked} answered: read them together.")
    else:
        title = f"{answer.colleague.name} {what} your request for feedback"
        body = ""
    notify(Notice(recipient=request.asker, title=title, body=body, url=request.get_absolute_url()))


def submit_answer(*, answer, values, now):
    """Send the answer to the asker: from now on it is theirs to read, and it no longer changes."""
    if not any(str(values.get(name, "")).strip() for name in answer.request.areas):
        raise ValidationError("Write something in at least one box, or decline instead.")
    with transaction.atomic():
        save_answer(answer=answer, values=values, now=now)
        updated = FeedbackAnswer.objects.filter(pk=answer.pk, status=Status.ASKED).update(
            status=Status.ANSWERED, submitted_at=now)
        if not updated:
            raise ValidationError("You have already sent this answer: it can no longer change.")
        answer.refresh_from_db()
        _tell_asker(answer, what="answered")
    return answer


def decline(*, answer, reason, now):
    """Say no, with a reason if the colleague wants to give one; whatever draft there was is dropped."""
    _refuse_change(answer, now=now)
    reason = reason.strip()
    with transaction.atomic():
        updated = FeedbackAnswer.objects.filter(pk=answer.pk, status=Status.ASKED).update(
            status=Status.DECLINED, submitted_at=now, decline_reason=reason[:500],
            **dict.fromkeys(FEEDBACK_AREA_FIELDS, ""))
        if not updated:
            raise ValidationError("You have already answered this request.")
        answer.refresh_from_db()
        _tell_asker(answer, what="declined")
    return answer


# --- What the asker reads --------------------------------------------------------------------------------------


@dataclass
class Received:
    """A request as its asker sees it: counts always; answers only when they may be shown."""

    request: FeedbackRequest
    asked: int
    answered: int
    declined: int
    answers: list  # submitted answers, in the order they arrived; empty while held back

    @property
    def waiting(self):
        return self.asked - self.answered - self.declined

    @property
    def held_back(self):
        return self.request.anonymous and self.answered < ANONYMOUS_THRESHOLD

    @property
    def shows_names(self):
        return not self.request.anonymous


def received(request):
    answers = list(request.answers.select_related("colleague__user"))
    submitted = [answer for answer in answers if answer.status == Status.ANSWERED]
    for answer in submitted:
        answer.texts = [(Area(area).label, getattr(answer, area)) for area in request.areas
                        if getattr(answer, area).strip()]
    summary = Received(request=request, asked=len(answers), answered=len(submitted),
                       declined=sum(answer.status == Status.DECLINED for answer in answers), answers=submitted)
    if summary.held_back:
        summary.answers = []
    return summary


def my_requests(*, asker):
    return (FeedbackRequest.objects.filter(asker=asker)
            .annotate(asked=Count("answers"),
                      answered=Count("answers", filter=Q(answers__status=Status.ANSWERED)),
                      declined=Count("answers", filter=Q(answers__status=Status.DECLINED)))
            .select_related("conversation__partner__user").order_by("-created_at", "-pk"))


def asked_of(*, colleague, now):
    """What the colleague still has to answer, soonest date first."""
    return (FeedbackAnswer.objects.filter(colleague=colleague, status=Status.ASKED, request__closed_at__isnull=True,
                                          request__expires_on__gte=today_for(colleague, now))
            .select_related("request__asker__user").order_by("request__answer_by", "pk"))


def feedback_given(*, colleague):
    """Feedback I gave: the answers the colleague sent and the requests they declined."""
    return (FeedbackAnswer.objects.filter(colleague=colleague).exclude(status=Status.ASKED)
            .select_related("request__asker__user").order_by("-submitted_at", "-pk"))


def attribution(answer, request):
    return "A colleague" if request.anonymous or answer.colleague is None else answer.colleague.name


def bring_into_preparation(*, request, picks, conversation, actor, now):
    """Add the chosen parts of the answers (pairs of answer and area) to the preparation of one of the asker's
    upcoming conversations, quoted with who said them (or "A colleague"). The partner reads them only when the
    preparation is shared, like everything else in it."""
    summary = received(request)
    shown = {answer.pk: answer for answer in summary.answers}
    if not picks:
        raise ValidationError({"picks": "Tick at least one answer to bring."})
    if conversation is None or conversation.employee_id != request.asker_id or not conversation.is_active:
        raise ValidationError({"conversation": "Choose one of your upcoming conversations."})
    preparation = preparation_for(conversation=conversation)
    values = {}
    for answer_pk, area in picks:
        answer = shown.get(answer_pk)
        if answer is None or area not in request.areas or not getattr(answer, area).strip():
            raise ValidationError({"picks": "Choose among the answers shown."})
        current = values.get(area, getattr(preparation, area))
        quote = f"Feedback from {attribution(answer, request)}: {getattr(answer, area).strip()}"
        values[area] = f"{current.rstrip()}\n\n{quote}" if current.strip() else quote
    too_long = [Area(area).label for area, text in values.items() if len(text) > TEXT_LIMIT]
    if too_long:
        raise ValidationError({"picks": f"That would make “{too_long[0]}” longer than {TEXT_LIMIT} characters: "
                                        "bring less, or shorten the preparation first."})
    return save_preparation(preparation=preparation, values=values, actor=actor, now=now)


def request_path(request_id):
    return reverse("conversations:feedback_request", args=[request_id])
