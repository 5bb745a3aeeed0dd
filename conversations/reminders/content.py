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
from conversations.reminders.selection import ACTION_DUE_DAYS, DIGEST_OVERDUE_DAYS, ORGANISATION_ACTIONS
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
    key: str = ""  # what the in-app copy is about: a newer item about the same thing replaces it

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
    organisation_actions: list  # open actions the organisation owns, overdue or due soon
    feedback_answers: dict
    feedback_requests: dict


def _load(reminders, *, now, today):
    """Everything the items talk about, a query per kind of subject rather than per reminder."""
    by_prefix = {}
    organisation = False
    for reminder in reminders:
        if _is_organisations(reminder):
            organisation = True
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
    organisation_actions = _open_organisation_actions(today) if organisation else []
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
        return Item(reminder, title, links.booking_path(), "Book a conversation", context,
                    key=reminder.subject)
    if reminder.kind == Kind.OVERDUE:
        title = f"Your career conversation is overdue: it was due on {_day(due)}"
        return Item(reminder, title, links.booking_path(), "Book a conversation", context,
                    key=reminder.subject)
    if reminder.kind == Kind.DUE_SOON_MANAGER:
        title = f"{person.name}'s career conversation is due by {_day(due)}"
    else:
        title = f"{person.name}'s career conversation is {context['days_overdue']} days overdue"
    return Item(reminder, title, links.propose_path(person.pk), f"Propose a time to {person.name}", context,
                key=reminder.subject)


def _conversation_item(reminder, subjects, recipient):
    conversation = subjects.conversations.get(_subject_id(reminder))
    if conversation is None:
        return None
    other = conversation.other_participant(recipient)
    context = {"conversation": conversation, "other": other, "starts": _when(conversation.starts_at)}
    if reminder.kind == Kind.NOTES:
        title = f"Was your conversation with {other.name} held? Mark it and write your notes"
        return Item(reminder, title, links.notes_path(conversation.pk), "Mark it and write notes", context,
                    key=f"{reminder.subject}:{reminder.kind}")
    is_employee = conversation.employee_id == recipient.pk
    preparation = getattr(conversation, "preparation", None) if is_employee else None
    context["is_employee"] = is_employee
    context["preparation_empty"] = is_employee and (preparation is None or preparation.is_empty)
    context["preparation_unshared"] = is_employee and preparation is not None and not preparation.is_empty \
        and not preparation.is_shared
    title = f"Career conversation with {other.name}, {context['starts']}"
    label = "Prepare for it" if context["preparation_empty"] or context["preparation_unshared"] else \
        "Open the conversation"
    return Item(reminder, title, links.conversation_path(conversation.pk), label, context,
                key=f"{reminder.subject}:{reminder.kind}")


def _open_organisation_actions(today):
    return list(ActionItem.objects.filter(owner_kind=ActionItem.Owner.ORGANISATION, done_at__isnull=True,
                                          due_on__lte=today + datetime.timedelta(days=ACTION_DUE_DAYS))
                .select_related("conversation__employee__user").order_by("due_on", "pk"))


def _organisation_actions_item(reminder, kind, actions, today):
    """HR's item about organisation actions of one kind (overdue, due soon): every such action as it stands now,
    in one item (one item per action or per date filled HR's bell with rows all at the same minute). None when
    there are none."""
    if kind == Kind.ACTION_DUE:
        actions = [action for action in actions if action.due_on >= today]
    else:
        actions = [action for action in actions if action.due_on < today]
    if not actions:
        return None
    state = "due soon" if kind == Kind.ACTION_DUE else "overdue"
    if len(actions) == 1:
        title = f"An organisation action is {state}: {one_line(actions[0].text, 80)}"
        path = f"{links.commitments_path()}#action-{actions[0].pk}"
    else:
        title = f"{len(actions)} organisation actions are {state}"
        path = links.commitments_path()
    rows = [{"action": action, "days_overdue": (today - action.due_on).days} for action in actions]
    return Item(reminder, title, path, "See the organisation's actions", {"rows": rows, "state": state},
                template_name="organisation_actions", key=organisation_actions_key(kind))


def organisation_actions_key(kind):
    return f"organisation:{kind}"


def organisation_action_items(*, recipient, now):
    """HR's items about organisation actions as they stand now, by key (None for a kind with nothing to say), in
    the recipient's timezone: for bringing what is already under their bell up to date."""
    with timezone.override(recipient.tz):
        today = now.astimezone(recipient.tz).date()
        actions = _open_organisation_actions(today)
        items = {}
        for kind in (Kind.ACTION_OVERDUE, Kind.ACTION_DUE):
            item = _organisation_actions_item(None, kind, actions, today)
            if item is not None:
                _render(item, recipient)
            items[organisation_actions_key(kind)] = item
    return items


def _action_item(reminder, subjects, recipient, today):
    due = datetime.date.fromisoformat(reminder.period)
    context = {"due_on": due, "days_overdue": (today - due).days}
    action = subjects.actions.get(_subject_id(reminder))
    if action is None:
        return None
    conversation = action.conversation
    # Named by the conversation it came from, so that two actions with the same words can be told apart.
    source = (f"from your conversation with {conversation.other_participant(recipient).name} on "
              f"{dateformat.format(timezone.localtime(conversation.starts_at), 'j F')}")
    state = f"is due {_day(due)}" if reminder.kind == Kind.ACTION_DUE else f"is overdue since {_day(due)}"
    title = f"Your action {source} {state}: {one_line(action.text, 80)}"
    return Item(reminder, title, f"{links.commitments_path()}#action-{action.pk}", "Open the action",
                {**context, "action": action}, key=reminder.subject)


def _digest_item(reminder, subjects, recipient):
    rows = subjects.teams.get(_subject_id(reminder), [])
    long_overdue = [row for row in rows
                    if row["status"] == Regularity.OVERDUE and row["days_overdue"] >= DIGEST_OVERDUE_DAYS]
    counts = {status: sum(1 for row in rows if row["status"] == status) for status in Regularity}
    context = {"rows": rows, "long_overdue": long_overdue, "full": recipient.weekly_digest,
               "overdue": counts[Regularity.OVERDUE], "due_soon": counts[Regularity.DUE_SOON],
               "booked": counts[Regularity.BOOKED], "size": len(rows), "overdue_days": DIGEST_OVERDUE_DAYS}
    if recipient.weekly_digest:
        if not (context["overdue"] or context["due_soon"] or context["booked"]):
            return None  # nothing to say: no e-mail rather than a row of noughts
        title = (f"Your team this week: {context['overdue']} overdue, {context['due_soon']} due soon, "
                 f"{context['booked']} booked")
    else:
        title = f"{len(long_overdue)} of your team are {DIGEST_OVERDUE_DAYS} days or more overdue"
    return Item(reminder, title, links.team_path(), "See your team", context, key=reminder.subject)


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


# How a group of several items of one kind is headed, in an e-mail and its subject.
GROUP_TITLES = {
    Kind.ACTION_OVERDUE: "{n} of your actions are overdue",
    Kind.ACTION_DUE: "{n} of your actions are due soon",
    Kind.OVERDUE_MANAGER: "{n} people in your team are overdue for a career conversation",
    Kind.DUE_SOON_MANAGER: "{n} people in your team are due a career conversation soon",
    Kind.NOTES: "{n} conversations are waiting to be marked held",
    Kind.UPCOMING: "{n} career conversations in the next 24 hours",
    Kind.FEEDBACK_DUE: "{n} colleagues would like your feedback soon",
    Kind.FEEDBACK_OVERDUE: "{n} colleagues are still waiting for your feedback",
    Kind.FEEDBACK_READY: "Feedback is in on {n} of your requests",
}


# A group in a subject that names several: (one, several).
SUMMARIES = {
    Kind.UPCOMING: ("a career conversation tomorrow", "{n} career conversations tomorrow"),
    Kind.NOTES: ("a conversation to mark held", "{n} conversations to mark held"),
    Kind.ACTION_OVERDUE: ("an action is overdue", "{n} actions are overdue"),
    Kind.ACTION_DUE: ("an action is due soon", "{n} actions are due soon"),
    Kind.OVERDUE: ("your career conversation is overdue", ""),
    Kind.DUE_SOON: ("your career conversation is due soon", ""),
    Kind.OVERDUE_MANAGER: ("1 person in your team is overdue", "{n} people in your team are overdue"),
    Kind.DUE_SOON_MANAGER: ("1 person in your team is due soon", "{n} people in your team are due soon"),
    Kind.DIGEST: ("your team this week", ""),
    Kind.FEEDBACK_DUE: ("a colleague would like your feedback soon", "{n} colleagues would like your feedback soon"),
    Kind.FEEDBACK_OVERDUE: ("a colleague is still waiting for your feedback",
                            "{n} colleagues are still waiting for your feedback"),
    Kind.FEEDBACK_READY: ("feedback you asked for is in", "feedback is in on {n} of your requests"),
}


@dataclass
class Group:
    """Items of one kind, shown as one list with one button when they all lead to the same page."""

    title: str
    items: list
    path: str = ""
    link_label: str = ""

    @property
    def summary(self):
        first = self.items[0]
        if first.template_name == "organisation_actions":
            count = len(first.context["rows"])
            return (f"an organisation action is {first.context['state']}" if count == 1 else
                    f"{count} organisation actions are {first.context['state']}")
        one, several = SUMMARIES[first.reminder.kind]
        return one if len(self.items) == 1 else several.format(n=len(self.items))

    @property
    def url(self):
        return links.absolute(self.path)


def _groups(items):
    by_kind = {}
    for item in items:
        by_kind.setdefault((item.reminder.kind, item.template_name), []).append(item)
    groups = []
    for (kind, _template), members in by_kind.items():
        if len(members) == 1:
            item = members[0]
            groups.append(Group(item.title, members, item.path, item.link_label))
            continue
        # Items that lead to one page share its button; otherwise each entry links to its own page.
        paths = {item.path.split("#", 1)[0] for item in members}
        path, label = (members[0].path.split("#", 1)[0], members[0].link_label) if len(paths) == 1 else ("", "")
        if kind in (Kind.ACTION_DUE, Kind.ACTION_OVERDUE):
            label = "See your actions"
        groups.append(Group(GROUP_TITLES.get(kind, "{n} reminders").format(n=len(members)), members, path, label))
    return groups


def _render(item, recipient):
    item.title = one_line(item.title)
    item_context = {"item": item, "recipient": recipient, **item.context}
    item.body = render_to_string(f"{item.template}.txt", item_context).strip()
    item.html = render_to_string(f"{item.template}.html", item_context)


def compose(*, recipient, reminders, now):
    """The e-mail (and notification texts) for reminders to one person, in that person's timezone."""
    reminders = sorted(reminders, key=lambda reminder: (ORDER.index(reminder.kind), reminder.pk))
    with timezone.override(recipient.tz):
        today = now.astimezone(recipient.tz).date()
        subjects = _load(reminders, now=now, today=today)
        items, missing = [], []
        organisation = {}
        for reminder in reminders:
            if _is_organisations(reminder):
                organisation.setdefault(reminder.kind, []).append(reminder)
                continue
            item = _item(reminder, subjects, recipient, today)
            if item is None:
                missing.append(reminder)
                continue
            items.append(item)
        for kind, kind_reminders in organisation.items():
            item = _organisation_actions_item(kind_reminders[0], kind, subjects.organisation_actions, today)
            # Said only while what the reminders are about (their due dates) is still open; then about them all.
            dates = {datetime.date.fromisoformat(reminder.period) for reminder in kind_reminders}
            if item is None or not any(row["action"].due_on in dates for row in item.context["rows"]):
                missing.extend(kind_reminders)
            else:
                items.append(item)
        items.sort(key=lambda item: ORDER.index(item.reminder.kind))
        for item in items:
            _render(item, recipient)
        groups = _groups(items)
        context = {"recipient": recipient, "groups": groups,
                   "notifications_url": links.absolute(links.notifications_path()),
                   "preferences_url": links.absolute(links.preferences_path(recipient.pk))}
        text = render_to_string(f"{TEMPLATES}/message.txt", context)
        html = render_to_string(f"{TEMPLATES}/message.html", context)
    if len(groups) == 1:
        subject = groups[0].title
    else:
        subject = "; ".join(group.summary for group in groups)
        subject = one_line(subject[:1].upper() + subject[1:], limit=180)
    return Message(subject=subject, text=text, html=html, items=items, missing=missing)
