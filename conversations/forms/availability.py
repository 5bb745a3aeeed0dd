import datetime

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory

from conversations.availability import MAX_DAYS_OFF_AT_ONCE
from conversations.models import AvailabilitySettings, AvailabilityWindow
from people.models import Person

SLOT_LENGTHS = [(15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes"), (45, "45 minutes"), (60, "1 hour"),
                (90, "1 hour 30 minutes"), (120, "2 hours")]


class AvailabilitySettingsForm(forms.ModelForm):
    slot_minutes = forms.TypedChoiceField(label="Length of a conversation", choices=SLOT_LENGTHS, coerce=int)

    class Meta:
        model = AvailabilitySettings
        fields = ["slot_minutes", "weeks_ahead", "min_notice_hours"]
        labels = {"weeks_ahead": "Bookable up to (weeks ahead)", "min_notice_hours": "Notice needed (hours)"}
        help_texts = {"weeks_ahead": "From 1 to 12 weeks.",
                      "min_notice_hours": "Nobody can book a time that starts sooner than this."}


class OfferForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["offers_conversations"]
        labels = {"offers_conversations": "Offer career conversations to colleagues other than my reports"}
        help_texts = {"offers_conversations": "You then appear in the directory people choose a partner from, "
                                              "as a mentor, peer, skip-level or HR contact."}


class WindowForm(forms.ModelForm):
    class Meta:
        model = AvailabilityWindow
        fields = ["weekday", "start_time", "end_time"]
        labels = {"weekday": "Day", "start_time": "From", "end_time": "Until"}
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start (a window cannot run past midnight).")
        return cleaned


class BaseWindowFormSet(BaseModelFormSet):
    # The conversation length being saved with the windows, when it is valid: a shorter window offers no time.
    slot_minutes = None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this window"

    def clean(self):
        super().clean()
        # An untouched blank row has no cleaned data, a row ticked for removal no longer counts, and a row with
        # errors of its own is already marked.
        kept = [form for form in self.forms
                if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if self.slot_minutes:
            for form in kept:
                start, end = form.cleaned_data["start_time"], form.cleaned_data["end_time"]
                if (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute) < self.slot_minutes:
                    form.add_error("end_time", f"Shorter than one conversation ({self.slot_minutes} minutes): "
                                               "nobody could book a time in it.")
        by_day = {}
        for form in kept:
            by_day.setdefault(form.cleaned_data["weekday"], []).append(form)
        for forms_of_day in by_day.values():
            forms_of_day.sort(key=lambda f: f.cleaned_data["start_time"])
            for before, after in zip(forms_of_day, forms_of_day[1:], strict=False):
                if after.cleaned_data["start_time"] < before.cleaned_data["end_time"]:
                    after.add_error("start_time", "This window overlaps another one on the same day.")


WindowFormSet = modelformset_factory(AvailabilityWindow, form=WindowForm, formset=BaseWindowFormSet, extra=2,
                                     can_delete=True, max_num=35, validate_max=True)


class DaysOffForm(forms.Form):
    first_day = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="Until (optional)", required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="Leave empty for a single day.")
    note = forms.CharField(label="Note (optional)", required=False, max_length=120,
                           help_text="Only you see it.")

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_first_day(self):
        first_day = self.cleaned_data["first_day"]
        if first_day < self.today:
            raise forms.ValidationError("That day is already past.")
        return first_day

    def clean(self):
        cleaned = super().clean()
        first_day = cleaned.get("first_day")
        if first_day is None:
            return cleaned
        last_day = cleaned.get("last_day") or first_day
        if last_day < first_day:
            self.add_error("last_day", "The last day cannot be before the first.")
        elif (last_day - first_day) >= datetime.timedelta(days=MAX_DAYS_OFF_AT_ONCE):
            self.add_error("last_day", f"At most {MAX_DAYS_OFF_AT_ONCE} days at once. For longer, stop offering "
                                       "conversations or remove your weekly windows.")
        cleaned["last_day"] = last_day
        return cleaned


class SubscriptionForm(forms.Form):
    """Shown beside CalDAVForm on one page: their ids are their own (both have an `address`)."""

    address = forms.CharField(
        label="Subscription address", max_length=2000,
        help_text="Your calendar's secret iCal address: in Google Calendar, Settings → your calendar → "
                  "“Secret address in iCal format”; in Outlook, Settings → Calendar → Shared calendars → Publish "
                  "a calendar (the ICS link). It starts with https:// or webcal://.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_subscription_%s")
        super().__init__(*args, **kwargs)


class CalDAVForm(forms.Form):
    address = forms.CharField(label="CalDAV server address", max_length=2000,
                              help_text="For example https://cloud.example.com/remote.php/dav/ (Nextcloud) or "
                                        "https://caldav.fastmail.com/ (Fastmail).")
    username = forms.CharField(label="User name", max_length=200)
    password = forms.CharField(label="App password", max_length=500, widget=forms.PasswordInput(render_value=False),
                               help_text="An app password made for careerconv in your account's security "
                                         "settings, not your main password. It is never shown again.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_caldav_%s")
        super().__init__(*args, **kwargs)


class CalendarChoiceForm(forms.Form):
    read = forms.MultipleChoiceField(label="Read busy times from", required=False,
                                     widget=forms.CheckboxSelectMultiple)
    write = forms.ChoiceField(label="Write conversations to", required=False,
                              help_text="Each conversation you are booked for appears there, and moves or goes "
                                        "when it is rescheduled or called off.")

    def __init__(self, *args, connection, **kwargs):
        kwargs.setdefault("initial", {"read": connection.read_calendars, "write": connection.write_calendar})
        kwargs.setdefault("prefix", f"calendars-{connection.pk}")
        super().__init__(*args, **kwargs)
        self.connection_pk = connection.pk
        choices = [(calendar["url"], calendar["name"]) for calendar in connection.calendars]
        self.fields["read"].choices = choices
        self.fields["write"].choices = [("", "None")] + choices
