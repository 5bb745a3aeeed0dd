"""A partner's availability: weekly windows, slot length, notice and horizon, days off; and offering
conversations to colleagues."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conversations import availability
from conversations.calendars import CalendarError, connections
from conversations.forms.availability import (
    AvailabilitySettingsForm,
    CalDAVForm,
    CalendarChoiceForm,
    DaysOffForm,
    OfferForm,
    SubscriptionForm,
    WindowFormSet,
)
from conversations.models import AvailabilityWindow, CalendarConnection, CalendarCopy, DayOff
from people import roles
from people.permissions import requires


@require_http_methods(["GET", "POST"])
@requires("people.has_person")
def availability_settings(request):
    person = request.person
    today = timezone.now().astimezone(person.tz).date()
    settings = availability.settings_for(person)
    windows = AvailabilityWindow.objects.filter(person=person).order_by("weekday", "start_time")
    days_off_form = DaysOffForm(today=today)
    if request.method == "POST" and request.POST.get("action") == "add_days_off":
        days_off_form = DaysOffForm(request.POST, today=today)
        if days_off_form.is_valid():
            count = availability.add_days_off(person=person, first_day=days_off_form.cleaned_data["first_day"],
                                              last_day=days_off_form.cleaned_data["last_day"],
                                              note=days_off_form.cleaned_data["note"])
            if count == 0:
                messages.info(request, "Those days were already marked as days off.")
            else:
                messages.success(request, "Day off added." if count == 1 else f"{count} days off added.")
            return redirect("conversations:availability")
        settings_form = AvailabilitySettingsForm(instance=settings)
        offer_form = OfferForm(instance=person)
        formset = WindowFormSet(queryset=windows, prefix="windows")
    elif request.method == "POST":
        settings_form = AvailabilitySettingsForm(request.POST, instance=settings)
        offer_form = OfferForm(request.POST, instance=person)
        formset = WindowFormSet(request.POST, queryset=windows, prefix="windows")
        if settings_form.is_valid():
            formset.slot_minutes = settings_form.cleaned_data["slot_minutes"]
        if settings_form.is_valid() and offer_form.is_valid() and formset.is_valid():
            availability.save_availability(
                person=person, settings=settings_form.save(commit=False),
                offers_conversations=offer_form.cleaned_data["offers_conversations"],
                windows=formset.save(commit=False), removed_windows=formset.deleted_objects,
            )
            messages.success(request, "Availability saved. Conversations already booked keep their time.")
            return redirect("conversations:availability")
        messages.error(request, "Nothing was saved: please correct what is marked below.")
    else:
        settings_form = AvailabilitySettingsForm(instance=settings)
        offer_form = OfferForm(instance=person)
        formset = WindowFormSet(queryset=windows, prefix="windows")
    return _render_page(request, settings_form=settings_form, offer_form=offer_form, formset=formset,
                        days_off_form=days_off_form)


def _render_page(request, **forms):
    """The availability page, with the forms given (bound ones show their errors) and fresh ones for the rest."""
    person = request.person
    today = timezone.now().astimezone(person.tz).date()
    settings = availability.settings_for(person)
    windows = AvailabilityWindow.objects.filter(person=person).order_by("weekday", "start_time")
    calendars = CalendarConnection.objects.filter(person=person).annotate(busy_count=Count("busy_intervals"))
    chosen = forms.pop("choice_form", None)
    context = {
        "settings_form": AvailabilitySettingsForm(instance=settings),
        "offer_form": OfferForm(instance=person),
        "formset": WindowFormSet(queryset=windows, prefix="windows"),
        "days_off_form": DaysOffForm(today=today),
        "subscription_form": SubscriptionForm(),
        "caldav_form": CalDAVForm(),
        **forms,
        "days_off": DayOff.objects.filter(person=person, date__gte=today),
        "is_manager_person": roles.is_manager(person),
        "calendars": [
            (connection, chosen if chosen is not None and chosen.connection_pk == connection.pk
             else CalendarChoiceForm(connection=connection))
            for connection in calendars],
        "failed_copies": CalendarCopy.objects.filter(
            connection__person=person, state=CalendarCopy.State.FAILED, conversation__ends_at__gt=timezone.now(),
        ).select_related("conversation", "connection"),
    }
    return render(request, "conversations/availability.html", context)


@require_POST
@requires("people.has_person")
def remove_day_off(request, pk):
    person = request.person
    day_off = get_object_or_404(DayOff, pk=pk, person=person)
    day_off.delete()
    messages.success(request, f"{day_off.date:%A} {day_off.date.day} {day_off.date:%B %Y} is bookable again.")
    return redirect("conversations:availability")


# --- Connected calendars ---------------------------------------------------------------------------------------


def _calendar_of(request, pk):
    return get_object_or_404(CalendarConnection, pk=pk, person=request.person)


@require_POST
@requires("people.has_person")
def connect_subscription(request):
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        try:
            connection = connections.connect_subscription(person=request.person, address=form.cleaned_data["address"],
                                                          now=timezone.now())
        except CalendarError as error:
            form.add_error("address", error.message)
        else:
            messages.success(request, f"Calendar {connection.label} connected: its busy times are now left out "
                                      "of your free times.")
            return redirect("conversations:availability")
    messages.error(request, "The calendar was not connected: please see what is marked below.")
    return _render_page(request, subscription_form=form)


@require_POST
@requires("people.has_person")
def connect_caldav(request):
    form = CalDAVForm(request.POST)
    if form.is_valid():
        try:
            connection = connections.connect_caldav(person=request.person, now=timezone.now(), **form.cleaned_data)
        except CalendarError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"CalDAV account {connection.label} connected. All its calendars are read "
                                      "for busy times: choose below which ones, and where to write conversations.")
            return redirect("conversations:availability")
    messages.error(request, "The account was not connected: please see what is marked below.")
    return _render_page(request, caldav_form=form)


@require_POST
@requires("people.has_person")
def choose_calendars(request, pk):
    connection = _calendar_of(request, pk)
    form = CalendarChoiceForm(request.POST, connection=connection)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: please correct what is marked below.")
        return _render_page(request, choice_form=form)
    read = connections.choose_calendars(connection=connection, read=form.cleaned_data["read"],
                                        write=form.cleaned_data["write"], now=timezone.now())
    if read:
        messages.success(request, "Calendars saved and read.")
    else:
        messages.warning(request, f"Calendars saved, but they could not be read: {connection.last_error}")
    return redirect("conversations:availability")


@require_POST
@requires("people.has_person")
def test_calendar(request, pk):
    connection = _calendar_of(request, pk)
    if connections.refresh(connection, now=timezone.now()):
        messages.success(request, f"{connection.label} was read just now.")
    else:
        messages.error(request, f"{connection.label} could not be read: {connection.last_error} "
                                "Your last busy times from it are kept.")
    return redirect("conversations:availability")


@require_POST
@requires("people.has_person")
def disconnect_calendar(request, pk):
    connection = _calendar_of(request, pk)
    connections.disconnect(connection=connection)
    messages.success(request, f"{connection.label} disconnected: its busy times and saved credentials are gone.")
    return redirect("conversations:availability")
