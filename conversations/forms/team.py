"""Forms of the team pages: proposing a time to a report, and the handover of earlier conversations."""

import datetime

from django import forms

from conversations.models import Conversation
from conversations.proposals import PROPOSAL_MINUTES

# Dates this far from the ends of the calendar can be shown in every timezone and given an end time; nearer the
# ends, converting them overflows.
FIRST_DATE = datetime.date.min + datetime.timedelta(days=2)
LAST_DATE = datetime.date.max - datetime.timedelta(days=2)


class ProposalForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": "Enter a date such as 2026-03-31."})
    time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           error_messages={"invalid": "Enter a time such as 10:30."})
    minutes = forms.TypedChoiceField(label="Length", coerce=int,
                                     choices=[(minutes, f"{minutes} minutes") for minutes in PROPOSAL_MINUTES],
                                     initial=45)
    location = forms.CharField(label="Place or video link", max_length=500, required=False)
    # Radios, as when booking: their labels wrap at large text sizes, where a select cuts its value off.
    kind = forms.ChoiceField(label="Kind of conversation", choices=Conversation.Kind.choices,
                             initial=Conversation.Kind.STANDALONE, widget=forms.RadioSelect)

    def __init__(self, *args, tz, **kwargs):
        self.tz = tz
        super().__init__(*args, **kwargs)
        self.fields["time"].help_text = f"In your timezone, {tz.key}."

    def clean(self):
        cleaned = super().clean()
        date, time = cleaned.get("date"), cleaned.get("time")
        if date is None or time is None:
            return cleaned
        if not FIRST_DATE <= date <= LAST_DATE:
            self.add_error("date", "Choose a time within the next year.")
            return cleaned
        starts_at = datetime.datetime.combine(date, time, tzinfo=self.tz)
        # A wall-clock time skipped when the clocks go forward does not survive the round trip through UTC.
        if starts_at.astimezone(datetime.UTC).astimezone(self.tz).replace(tzinfo=None) != starts_at.replace(
                tzinfo=None):
            self.add_error("time", "That time does not exist on that day: the clocks change. Choose another.")
            return cleaned
        cleaned["starts_at"] = starts_at
        return cleaned


class HandoverForm(forms.Form):
    notes = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    actions = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, conversations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notes"].choices = [(notes.pk, notes.pk) for c in conversations for notes in c.shared_notes]
        self.fields["actions"].choices = [(action.pk, action.pk) for c in conversations for action in c.action_list]
