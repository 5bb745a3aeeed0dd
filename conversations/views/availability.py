"""A partner's availability: weekly windows, slot length, notice and horizon, days off; and offering
conversations to colleagues."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conversations import availability
from conversations.forms.availability import AvailabilitySettingsForm, DaysOffForm, OfferForm, WindowFormSet
from conversations.models import AvailabilityWindow, DayOff
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
    context = {
        "settings_form": settings_form,
        "offer_form": offer_form,
        "formset": formset,
        "days_off_form": days_off_form,
        "days_off": DayOff.objects.filter(person=person, date__gte=today),
        "is_manager_person": roles.is_manager(person),
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
