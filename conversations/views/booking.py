"""Choosing a partner, picking a free time, booking; rescheduling and cancelling."""

import datetime
import functools
import itertools

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from careerconv import statements
from conversations import availability, booking, tasks
from conversations.forms.booking import BookingForm, PartnerSearchForm, ReasonForm, RescheduleForm
from conversations.models import AvailabilityWindow
from conversations.permissions import conversation_for
from people.models import Person
from people.permissions import require, requires

DIRECTORY_PAGE_SIZE = 20


class PartnerLeft(Exception):
    pass


def _bookable_partner_or_404(request, partner_pk):
    """(employee, partner) when the partner can be booked; PartnerLeft for someone who could until they left."""
    employee = request.person
    # Every booking page and booking reads the partner: one statement built once (careerconv.statements).
    partner = statements.one_with_related(Person, partner_pk, ("user", "department", "availability"))
    if partner is None:
        raise Http404("No such person.")
    if not partner.is_active and (partner.pk == employee.manager_id or partner.offers_conversations):
        messages.error(request, f"{partner.name} has left the organisation and cannot be booked.")
        raise PartnerLeft
    require(request.user, "conversations.book_with", partner)
    return employee, partner


def _week_of(day):
    return day - datetime.timedelta(days=day.weekday())


@functools.lru_cache(maxsize=128)
def _day_label(day, language):
    """A day's heading ("Tuesday 8 December"), formatted once per process for each day and language: Django's
    date_format was the slowest part of a day's free times."""
    return date_format(day, "l j F")


def _day_of_slots(day, slots):
    """A day's labels and its slots as (key, local time) pairs from (local start, slot) pairs: formatted here once
    rather than through template filters for each of the week's slots, which is most of what the booking page
    costs to render."""
    return {
        "id": f"day-{day:%Y-%m-%d}",
        "label": _day_label(day, get_language()),
        "slots": [(slot.key, f"{local.hour:02d}:{local.minute:02d}") for local, slot in slots],
    }


def _weeks_context(slots, *, tz, week_param):
    """The free slots of the viewer's chosen week (Monday first; the first week with free times unless another is
    asked for) grouped by day, with the nearest earlier and later weeks that have free times.

    The slots, soonest first, are read only as far as the first one after the chosen week: a page shows one week,
    and working out the rest of the horizon's free times was much of what the page cost. Each is put in the
    viewer's timezone once."""
    wanted = None
    if week_param:
        try:
            wanted = _week_of(datetime.date.fromisoformat(week_param))
        except ValueError:
            wanted = None
    slots = iter(slots)
    read, chosen, previous_week, next_week, days = [], None, None, None, {}
    for slot in slots:
        local = slot.starts_at.astimezone(tz)
        day = local.date()
        week = _week_of(day)
        if chosen is None and wanted is not None and week != wanted:
            if week > wanted:  # none in the week asked for: the first week that has some, as when none is asked for
                return _weeks_context(itertools.chain(read, [slot], slots), tz=tz, week_param=None)
            read.append(slot)
            previous_week = week
            continue
        if chosen is None:
            chosen = week
        elif week != chosen:
            next_week = week
            break
        days.setdefault(day, []).append((local, slot))
    if chosen is None and read:
        return _weeks_context(read, tz=tz, week_param=None)
    return {
        "week": chosen,
        "week_end": chosen + datetime.timedelta(days=6) if chosen else None,
        "week_days": [_day_of_slots(day, days[day]) for day in sorted(days)],
        "previous_week": previous_week,
        "next_week": next_week,
    }


@require_http_methods(["GET"])
@requires("people.has_person")
def choose_partner(request):
    employee = request.person
    form = PartnerSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    manager = employee.manager if employee.manager_id and employee.manager.is_active else None
    directory = booking.partner_directory(employee=employee, query=query)
    page = Paginator(directory, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"person": person,
         "relation": booking.suggested_relation(employee=employee, partner=person, in_hr=person.in_hr)}
        for person in page.object_list
    ]
    context = {
        "form": form,
        "query": query,
        "manager": manager,
        "manager_has_windows": manager is not None and AvailabilityWindow.objects.filter(person=manager).exists(),
        "page": page,
        "rows": rows,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "conversations/_partner_results.html" if partial else "conversations/choose_partner.html"
    return render(request, template, context)


def _free_times(*, partner, employee, now, exclude_pk=None):
    """The partner's calendars (busy times, and when they were last read if that is too long ago to trust; old
    reads are renewed in the background meanwhile) and free slots."""
    return availability.free_times(partner=partner, employee=employee, now=now, exclude_pk=exclude_pk,
                                   enqueue=tasks.refresh_calendar.delay)


@require_http_methods(["GET"])
@requires("people.has_person")
def pick_slot(request, partner_pk):
    try:
        employee, partner = _bookable_partner_or_404(request, partner_pk)
    except PartnerLeft:
        return redirect("conversations:choose_partner")
    now = timezone.now()
    calendars, slots = _free_times(partner=partner, employee=employee, now=now)
    weeks = _weeks_context(slots, tz=timezone.get_current_timezone(), week_param=request.GET.get("week"))
    context = {
        "partner": partner,
        "calendar_checked_at": calendars.stale_since,
        "relation": booking.suggested_relation(employee=employee, partner=partner),
        "has_windows": weeks["week"] is not None or AvailabilityWindow.objects.filter(person=partner).exists(),
        "settings": availability.settings_for(partner),
        "confirm_url": reverse("conversations:book", args=[partner.pk]),
        "here_url": reverse("conversations:pick_slot", args=[partner.pk]),
        **weeks,
    }
    return render(request, "conversations/pick_slot.html", context)


def _chosen_slot(request, value, *, employee, partner, by, exclude_pk=None):
    """The slot a submitted key names if it can be booked, else None after saying why (as a message)."""
    starts_at = availability.parse_slot_key(value)
    if starts_at is None:
        messages.error(request, "Please choose one of the times offered.")
        return None
    try:
        return booking.check_time(employee=employee, partner=partner, starts_at=starts_at, now=timezone.now(),
                                  by=by, exclude_pk=exclude_pk)
    except booking.BookingError as error:
        messages.error(request, error.message)
        return None


@require_http_methods(["GET", "POST"])
@requires("people.has_person")
def book(request, partner_pk):
    try:
        employee, partner = _bookable_partner_or_404(request, partner_pk)
    except PartnerLeft:
        return redirect("conversations:choose_partner")
    back_url = reverse("conversations:pick_slot", args=[partner.pk])
    derived = booking.relation_between(employee=employee, partner=partner)
    value = request.POST.get("starts_at") if request.method == "POST" else request.GET.get("start")
    slot = _chosen_slot(request, value, employee=employee, partner=partner, by=employee)
    if slot is None:
        return redirect(back_url)
    if request.method == "POST":
        form = BookingForm(request.POST, ask_relation=derived is None)
        if form.is_valid():
            try:
                conversation = booking.book_conversation(
                    employee=employee, partner=partner, starts_at=slot.starts_at, now=timezone.now(),
                    relation=form.cleaned_data.get("relation"), location=form.cleaned_data["location"],
                    kind=form.cleaned_data["kind"], booked_by=employee,
                )
            except booking.BookingError as error:
                messages.error(request, error.message)
                return redirect(back_url)
            messages.success(request, f"Booked: your career conversation with {partner.name} is confirmed. "
                                      "An invitation is on its way to you both by e-mail.")
            return redirect("conversations:booked", conversation.pk)
    else:
        form = BookingForm(
            initial={"starts_at": value, "relation": booking.suggested_relation(employee=employee, partner=partner)},
            ask_relation=derived is None,
        )
    context = {"partner": partner, "slot": slot, "form": form, "derived_relation": derived,
               "back_url": back_url}
    return render(request, "conversations/book.html", context)


@require_http_methods(["GET"])
def booked(request, pk):
    conversation = conversation_for(request.user, pk)
    if not conversation.is_active:
        return redirect(conversation)
    return render(request, "conversations/booked.html", {"conversation": conversation})


@require_http_methods(["GET"])
def reschedule_pick_slot(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.reschedule_conversation")
    now = timezone.now()
    calendars, slots = _free_times(partner=conversation.partner, employee=conversation.employee, now=now,
                                   exclude_pk=conversation.pk)
    slots = (slot for slot in slots if slot.starts_at != conversation.starts_at)
    context = {
        "conversation": conversation,
        "partner": conversation.partner,
        "calendar_checked_at": calendars.stale_since,
        "has_windows": AvailabilityWindow.objects.filter(person=conversation.partner).exists(),
        "settings": availability.settings_for(conversation.partner),
        "confirm_url": reverse("conversations:reschedule", args=[conversation.pk]),
        "here_url": reverse("conversations:reschedule_pick_slot", args=[conversation.pk]),
        **_weeks_context(slots, tz=timezone.get_current_timezone(), week_param=request.GET.get("week")),
    }
    return render(request, "conversations/pick_slot.html", context)


@require_http_methods(["GET", "POST"])
def reschedule(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.reschedule_conversation")
    me = request.person
    back_url = reverse("conversations:reschedule_pick_slot", args=[conversation.pk])
    value = request.POST.get("starts_at") if request.method == "POST" else request.GET.get("start")
    slot = _chosen_slot(request, value, employee=conversation.employee, partner=conversation.partner, by=me,
                        exclude_pk=conversation.pk)
    if slot is None:
        return redirect(back_url)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                booking.reschedule_conversation(conversation=conversation, by=me, starts_at=slot.starts_at,
                                                reason=form.cleaned_data["reason"], now=timezone.now())
            except booking.BookingError as error:
                if error.field:
                    form.add_error(error.field, error.message)
                else:
                    messages.error(request, error.message)
                    return redirect(back_url)
            else:
                messages.success(request, "Rescheduled. The updated invitation is on its way to you both.")
                return redirect(conversation)
    else:
        form = RescheduleForm(initial={"starts_at": value})
    context = {"conversation": conversation, "partner": conversation.partner, "slot": slot, "form": form,
               "back_url": back_url}
    return render(request, "conversations/reschedule.html", context)


@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    conversation = conversation_for(request.user, pk, "conversations.cancel_conversation")
    me = request.person
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            booking.cancel_conversation(conversation=conversation, by=me, reason=form.cleaned_data["reason"],
                                        now=timezone.now())
        except booking.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Cancelled. Both of you are sent a cancellation for your calendars.")
        return redirect(conversation)
    context = {"conversation": conversation, "other": conversation.other_participant(me), "form": form}
    return render(request, "conversations/cancel.html", context)

