"""The directory's search and a person's own profile."""

from django import forms

from people.models import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS, Department, Person, timezone_choices
from people.profile import PROFILE_FIELDS, REMINDER_FIELDS


class DirectorySearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=100,
                        help_text="Name, job title, department or e-mail.")
    department = forms.ModelChoiceField(queryset=Department.objects.all(), required=False,
                                        empty_label="All departments", label="Department")
    offers = forms.BooleanField(required=False, label="Only people who offer career conversations")
    include_left = forms.BooleanField(required=False, label="Include people who have left")

    def __init__(self, *args, can_see_leavers=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_see_leavers:
            del self.fields["include_left"]


class ProfileForm(forms.ModelForm):
    timezone = forms.ChoiceField(choices=timezone_choices, label="Timezone",
                                 help_text="Times of conversations are shown to you in this timezone.")
    cadence_days = forms.IntegerField(
        label="Days between my career conversations",
        min_value=MIN_CADENCE_DAYS, max_value=MAX_CADENCE_DAYS,
        error_messages={
            "min_value": f"Choose at least {MIN_CADENCE_DAYS} days between conversations.",
            "max_value": f"Choose at most {MAX_CADENCE_DAYS} days between conversations.",
            "invalid": "Enter a number of days, such as 60.",
            "required": "Enter a number of days, such as 60.",
        },
    )

    class Meta:
        model = Person
        fields = PROFILE_FIELDS
        labels = {
            "offers_conversations": "I offer career conversations to people other than my own reports",
            "remind_due_soon": "When my next conversation is due soon",
            "remind_overdue": "When my conversation is overdue",
            "remind_upcoming": "The day before a conversation",
            "remind_notes": "When a conversation I held still needs its notes",
            "remind_actions": "When an action I own is due or overdue",
            "weekly_digest": "A Monday digest of my team",
        }
        help_texts = {name: "" for name in REMINDER_FIELDS}

    def __init__(self, *args, organisation, is_manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadence_days"].help_text = (
            f"The organisation has one every {organisation.default_cadence_days} days; you can choose more often "
            f"(as often as every {MIN_CADENCE_DAYS} days), not less."
        )
        self.fields["offers_conversations"].help_text = (
            "You appear in the directory as someone anyone can book, and set your availability."
        )
        if not is_manager:
            del self.fields["weekly_digest"]
