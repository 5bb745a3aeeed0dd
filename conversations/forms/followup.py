"""Forms of the notes workspace, action items, completion, roadblocks, proposals and the question library."""

from django import forms

from conversations.followup.notes import NOTE_FIELDS
from conversations.models import TEXT_LIMIT, ActionItem, Area, Conversation, GuideQuestion, Notes, Roadblock

TOO_LONG = "Keep this to %(limit_value)d characters or fewer (it has %(show_value)d)."


def _long_text(field):
    field.error_messages["max_length"] = TOO_LONG
    field.widget.attrs.update({"rows": 4, "data-limit": TEXT_LIMIT})


class NotesForm(forms.ModelForm):
    class Meta:
        model = Notes
        fields = NOTE_FIELDS

    def __init__(self, *args, visibility, **kwargs):
        super().__init__(*args, prefix=visibility, **kwargs)
        for field in self.fields.values():
            _long_text(field)

    def area_fields(self):
        """(field, area value) pairs: the area names the guide questions that belong beside the field."""
        return [(self[name], name if name in Area.values else None) for name in NOTE_FIELDS]


class ActionItemForm(forms.Form):
    text = forms.CharField(label="Action", max_length=500,
                           error_messages={"max_length": TOO_LONG, "required": "Say what will be done."})
    # Radios: their labels wrap at large text sizes, where a select cuts the owner's name off.
    owner_kind = forms.ChoiceField(label="Owner", widget=forms.RadioSelect, initial=ActionItem.Owner.EMPLOYEE)
    due_on = forms.DateField(label="Due by", required=False,
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                             error_messages={"invalid": "Enter a date such as 2026-03-31."})

    def __init__(self, *args, conversation, today, **kwargs):
        self.today = today
        # Several forms share the notes page: ids named for the form keep each label on its own field.
        kwargs.setdefault("auto_id", "id_action_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner_kind"].choices = [
            (ActionItem.Owner.EMPLOYEE, f"{conversation.employee.name} (the employee)"),
            (ActionItem.Owner.PARTNER, f"{conversation.partner.name} (the partner)"),
            (ActionItem.Owner.ORGANISATION, "The organisation (HR follows it up)"),
        ]
        self.fields["due_on"].widget.attrs["min"] = today.isoformat()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        unchanged = "due_on" not in self.changed_data
        if due_on is not None and due_on < self.today and not unchanged:
            raise forms.ValidationError("Choose today or a later date.")
        return due_on


class MarkHeldForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(Conversation.Status.COMPLETED, "Held"),
                                         (Conversation.Status.NO_SHOW, "No-show")])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_held_%s")
        super().__init__(*args, **kwargs)


class ReflectionForm(forms.ModelForm):
    acknowledge = forms.BooleanField(
        label="I have read the shared notes and actions, and they reflect our conversation", required=False)

    class Meta:
        model = Conversation
        fields = ["employee_reflection"]
        labels = {"employee_reflection": "Your reflection"}
        help_texts = {"employee_reflection": "What you take away, in your own words. Your partner sees it."}
        widgets = {"employee_reflection": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _long_text(self.fields["employee_reflection"])
        if self.instance.notes_acknowledged_at:
            del self.fields["acknowledge"]


class RoadblockForm(forms.ModelForm):
    class Meta:
        model = Roadblock
        fields = ["text"]
        labels = {"text": "Roadblock"}
        help_texts = {"text": "A short name that you will both recognise next time, e.g. “No time for deep work”."}
        error_messages = {"text": {"max_length": TOO_LONG, "required": "Name the roadblock."}}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_roadblock_%s")
        super().__init__(*args, **kwargs)


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Why this time does not work", max_length=500,
                             error_messages={"required": "Say why, so that a better time can be found.",
                                             "max_length": TOO_LONG})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_decline_%s")
        super().__init__(*args, **kwargs)


class GuideQuestionForm(forms.ModelForm):
    class Meta:
        model = GuideQuestion
        fields = ["area", "text"]
        labels = {"text": "Question"}
        help_texts = {"text": "An open question that helps the employee make sense of their experience."}
        error_messages = {"text": {"max_length": TOO_LONG, "required": "Write the question."}}
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "area": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Radios need no empty "---------" choice: none ticked is the empty answer.
        self.fields["area"].choices = Area.choices
