"""What each reminder says: one item per reminder, rendered from templates into an e-mail (HTML and plain text)
and into the matching in-app notification.

Everything is read fresh when the e-mail is composed, in the recipient's timezone, so a reminder that waited for
the sending window still shows the current state (a preparation shared meanwhile, a renamed colleague).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from conversations.models import ActionItem, Conversation, FeedbackAnswer, FeedbackRequest, Reminder
from conversations.regularity import ATTENTION_ORDER, Regularity, person_regularity, with_conversation_dates
from conversations.reminders import links
from conversations.reminders.selection import DIGEST_OVERDUE_DAYS, ORGANISATION_ACTIONS
from people.models import Person

Kind = Reminder.Kind
TEMPLATES = "conversations/email/reminders"
TITLE_LENGTH = 150

# The order of items in a bundled e-mail: what needs doing soonest first.
ORDER = [Kind.UPCOMING, Kind.NOTES, Kind.ACTION_OVERDUE, Kind.ACTION_DUE, Kind.FEEDBACK_OVERDUE, Kind.FEEDBACK_DUE,
         Kind.FEEDBACK_READY, Kind.OVERDUE, Kind.DUE_SOON, Kind.OVERDUE_MANAGER, Kind.DUE_SOON_MANAGER, Kind.DIGEST]


@dataclass
class Item:
    reminder: Reminder
    title: str
    path: str
    link_label: str
    context: dict = field(default_factory=dict)
    body: str = ""  # plain text: the e-mail's text part and the notification
    html: str = ""
    template_name: str = ""  # when it differs from the reminder's kind

    @property
    def url(self):
        return links.absolute(self.path)

    @property
    def template(self):
        return f"{TEMPLATES}/items/{self.template_name or self.reminder.kind}"


@dataclass
class Message:
    subject: str
    text: str
    html: str
    items: list
    missing: list  # reminders whose subject no longer exists (deleted): nothing to say about them


def one_line(text, limit=TITLE_LENGTH):
    """Titles become e-mail subjects: one line, bounded."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(value):
    return dateformat.format(value, "l j F")


def _when(value):
    return dateformat.format(timezone.localtime(value), "D j M, H:i T")


def _subject_id(reminder):
    return int(reminder.subject.split(":", 1)[1])


def _is_organisations(reminder):
    return reminder.subject == ORGANISATION_ACTIONS


@dataclass
class Subjects:
    people: dict
    conversations: dict
    actions: dict
    teams: dict
    organisation_actions: dict  # due date → open actions the organisation owns
    feedback_answers: dict
    feedback_requests: dict


def _load(reminders, *, now):
    """Everything the items talk about, a query per kind of subject rather than per reminder."""
    by_prefix = {}
    organisation_dates = set()
    for reminder in reminders:
        if _is_organisations(reminder):
            organisation_dates.add(datetime.date.fromisoformat(reminder.period))
        else:
            by_prefix.setdefault(reminder.subject.split(":", 1)[0], set()).add(_subject_id(reminder))
    people = {}
    if by_prefix.get("person"):
        queryset = Person.objects.filter(pk__in=by_prefix["person"]).select_related("user")
        people = {person.pk: person for person in with_conversation_dates(queryset, now=now)}
    conversations = {}
    if by_prefix.get("conversation"):
        conversations = Conversation.objects.select_related(
            "employee__user", "partner__user", "preparation").in_bulk(by_prefix["conversation"])
    actions = {}
    if by_prefix.get("action"):
        actions = ActionItem.objects.select_related(
            "conversation__employee__user", "conversation__partner__user").in_bulk(by_prefix["action"])
    teams = {manager_id: _team(manager_id, now=now) for manager_id in by_prefix.get("team", ())}
    organisation_actions = {}
    if organisation_dates:
        for action in (ActionItem.objects.filter(owner_kind=ActionItem.Owner.ORGANISATION, done_at__isnull=True,
                                                 due_on__in=organisation_dates)
                       .select_related("conversation__employee__user").order_by("due_on", "pk")):
            organisation_actions.setdefault(action.due_on, []).append(action)
    feedback_answers = FeedbackAnswer.objects.select_related("request__asker__user").in_bulk(
        by_prefix.get("feedback", ()))
    feedback_requests = FeedbackRequest.objects.annotate(
        asked=Count("answers"), answered=Count("answers", filter=Q(answers__status=FeedbackAnswer.Status.ANSWERED)),
        declined=Count("answers", filter=Q(answers__status=FeedbackAnswer.Status.DECLINED)),
    ).in_bulk(by_prefix.get("feedback_request", ()))
    return Subjects(people=people, conversations=conversations, actions=actions, teams=teams,
                    organisation_actions=organisation_actions, feedback_answers=feedback_answers,
                    feedback_requests=feedback_requests)


def _team(manager_id, *, now):
    reports = with_conversation_dates(
        Person.objects.filter(manager_id=manager_id, is_active=True).select_related("user"), now=now)
    rows = []
    for report in reports:
        due, status = person_regularity(report, now=now)
        days_overdue = (now.astimezone(report.tz).date() - due).days
        rows.append({"person": report, "due_on": due, "status": status, "days_overdue": days_overdue,
                     "last_held_at": report.last_held_at, "next_booked_at": report.next_booked_at})
    rows.sort(key=lambda row: (ATTENTION_ORDER[row["status"]], row["due_on"], row["person"].name))
    return rows


def _person_item(reminder, subjects, recipient, today):
    person = subjects.people.get(_subject_id(reminder))
    if person is None:
        return None
    due = datetime.date.fromisoformat(reminder.period)
    context = {"person": person, "due_on": due, "days_overdue": (today - due).days,
               "last_held_at": person.last_held_at}
    if reminder.kind == Kind.DUE_SOON:
        title = f"Your next career conversation is due by {_day(due)}"
        return Item(reminder, title, links.booking_path(), "Book a conversation", context)
    if reminder.kind == Kind.OVERDUE:
        title = f"Your career conversation is overdue: it was due on {_day(due)}"
        return Item(reminder, title, links.booking_path(), "Book a conversation", context)
    if reminder.kind == Kind.DUE_SOON_MANAGER:
        title = f"{person.name}'s career conversation is due by {_day(due)}"
    else:
        title = f"{person.name}'s career conversation is {context['days_overdue']} days overdue"
    return Item(reminder, title, links.propose_path(person.pk), f"Propose a time to {person.name}", context)


def _conversation_item(reminder, subjects, recipient):
    conversation = subjects.conversations.get(_subject_id(reminder))
    if conversation is None:
        return None
    other = conversation.other_participant(recipient)
    context = {"conversation": conversation, "other": other, "starts": _when(conversation.starts_at)}
    if reminder.kind == Kind.NOTES:
        title = f"Was your conversation with {other.name} held? Mark it and write your notes"
        return Item(reminder, title, links.notes_path(conversation.pk), "Mark it and write notes", context)
    is_employee = conversation.employee_id == recipient.pk
    preparation = getattr(conversation, "preparation", None) if is_employee else None
    context["is_employee"] = is_employee
    context["preparation_empty"] = is_employee and (preparation is None or preparation.is_empty)
    context["preparation_unshared"] = is_employee and preparation is not None and not preparation.is_empty \
        and not preparation.is_shared
    title = f"Career conversation with {other.name}, {context['starts']}"
    label = "Prepare for it" if context["preparation_empty"] or context["preparation_unshared"] else \
        "Open the conversation"
    return Item(reminder, title, links.conversation_path(conversation.pk), label, context)


def _action_item(reminder, subjects, recipient, today):
    due = datetime.date.fromisoformat(reminder.period)
    context = {"due_on": due, "days_overdue": (today - due).days}
    if _is_organisations(reminder):
        actions = subjects.organisation_actions.get(due)
        if not actions:
            return None
        count = f"{len(actions)} action{'s' if len(actions) != 1 else ''} the organisation agreed"
        state = f"due {_day(due)}" if reminder.kind == Kind.ACTION_DUE else f"overdue since {_day(due)}"
        return Item(reminder, f"{count}: {state}", links.commitments_path(), "See the commitments",
                    {**context, "actions": actions}, template_name="organisation_actions")
    action = subjects.actions.get(_subject_id(reminder))
    if action is None:
        return None
    if reminder.kind == Kind.ACTION_DUE:
        title = f"Your action is due {_day(due)}: {one_line(action.text, 80)}"
    else:
        title = f"Your action is overdue since {_day(due)}: {one_line(action.text, 80)}"
    return Item(reminder, title, links.commitments_path(), "See the commitments", {**context, "action": action})


def _digest_item(reminder, subjects, recipient):
    rows = subjects.teams.get(_subject_id(reminder), [])
    long_overdue = [row for row in rows
                    if row["status"] == Regularity.OVERDUE and row["days_overdue"] >= DIGEST_OVERDUE_DAYS]
    counts = {status: sum(1 for row in rows if row["status"] == status) for status in Regularity}
    context = {"rows": rows, "long_overdue": long_overdue, "full": recipient.weekly_digest,
               "overdue": counts[Regularity.OVERDUE], "due_soon": counts[Regularity.DUE_SOON],
               "booked": counts[Regularity.BOOKED], "size": len(rows), "overdue_days": DIGEST_OVERDUE_DAYS}
    if recipient.weekly_digest:
        title = (f"Your team this week: {context['overdue']} overdue, {context['due_soon']} due soon, "
                 f"{context['booked']} booked")
    else:
        title = f"{len(long_overdue)} of your team are {DIGEST_OVERDUE_DAYS} days or more overdue"
    return Item(reminder, title, links.team_path(), "See your team", context)


def _feedback_item(reminder, subjects, recipient, today):
    if reminder.kind == Kind.FEEDBACK_READY:
        # Counts only, never who answered: an anonymous request's names must not reach e-mails either.
        request = subjects.feedback_requests.get(_subject_id(reminder))
        if request is None:
            return None
        context = {"request": request, "answer_by": request.answer_by}
        title = f"Your request for feedback: {request.answered} of {request.asked} answered"
        return Item(reminder, title, request.get_absolute_url(), "Open your request", context)
    answer = subjects.feedback_answers.get(_subject_id(reminder))
    if answer is None:
        return None
    asker = answer.request.asker
    context = {"answer": answer, "asker": asker, "answer_by": answer.request.answer_by,
               "days_late": (today - answer.request.answer_by).days}
    if reminder.kind == Kind.FEEDBACK_DUE:
        title = f"{asker.name} would like your feedback by {_day(answer.request.answer_by)}"
    else:
        title = f"{asker.name} is still hoping for your feedback: it was asked for by {_day(answer.request.answer_by)}"
    return Item(reminder, title, answer.get_absolute_url(), "Answer or decline", context)


def _item(reminder, subjects, recipient, today):
    if reminder.kind in (Kind.DUE_SOON, Kind.DUE_SOON_MANAGER, Kind.OVERDUE, Kind.OVERDUE_MANAGER):
        return _person_item(reminder, subjects, recipient, today)
    if reminder.kind in (Kind.UPCOMING, Kind.NOTES):
        return _conversation_item(reminder, subjects, recipient)
    if reminder.kind in (Kind.ACTION_DUE, Kind.ACTION_OVERDUE):
        return _action_item(reminder, subjects, recipient, today)
    if reminder.kind in (Kind.FEEDBACK_DUE, Kind.FEEDBACK_OVERDUE, Kind.FEEDBACK_READY):
        return _feedback_item(reminder, subjects, recipient, today)
    return _digest_item(reminder, subjects, recipient)


def compose(*, recipient, reminders, now):
    """The e-mail (and notification texts) for reminders to one person, in that person's timezone."""
    reminders = sorted(reminders, key=lambda reminder: (ORDER.index(reminder.kind), reminder.pk))
    with timezone.override(recipient.tz):
        today = now.astimezone(recipient.tz).date()
        subjects = _load(reminders, now=now)
        items, missing = [], []
        for reminder in reminders:
            item = _item(reminder, subjects, recipient, today)
            if item is None:
                missing.append(reminder)
                continue
            item.title = one_line(item.title)
            item_context = {"item": item, "recipient": recipient, **item.context}
            item.body = render_to_string(f"{item.template}.txt", item_context).strip()
            item.html = render_to_string(f"{item.template}.html", item_context)
            items.append(item)
        context = {"recipient": recipient, "items": items,
                   "notifications_url": links.absolute(links.notifications_path()),
                   "preferences_url": links.absolute(links.preferences_path(recipient.pk))}
        text = render_to_string(f"{TEMPLATES}/message.txt", context)
        html = render_to_string(f"{TEMPLATES}/message.html", context)
    if len(items) == 1:
        subject = items[0].title
    else:
        subject = one_line(f"{len(items)} reminders: {items[0].title}", limit=180) if items else ""
    return Message(subject=subject, text=text, html=html, items=items, missing=missing)
