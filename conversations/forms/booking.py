from django import forms

from conversations.booking import CHOSEN_RELATIONS
from conversations.models import Conversation, Relation

REASON_LIMIT = Conversation._meta.get_field("change_reason").max_length


class PartnerSearchForm(forms.Form):
    q = forms.CharField(label="Search by name, job title or department", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


class BookingForm(forms.Form):
    """The details of a booking once the time is chosen; the relation is asked only when the organisation chart
    does not say it."""

    starts_at = forms.CharField(widget=forms.HiddenInput)
    relation = forms.ChoiceField(
        label="How do you know them?", widget=forms.RadioSelect,
        choices=[(value, Relation(value).label) for value in CHOSEN_RELATIONS],
    )
    location = forms.CharField(
        label="Place or video link", required=False,
        max_length=Conversation._meta.get_field("location").max_length,
        help_text="Optional: a meeting room, or the link of a video call.",
    )
    kind = forms.ChoiceField(label="Kind of conversation", widget=forms.RadioSelect,
                             choices=Conversation.Kind.choices, initial=Conversation.Kind.STANDALONE,
                             help_text="Career conversations work best on their own, not squeezed into a review.")

    def __init__(self, *args, ask_relation=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_relation:
            del self.fields["relation"]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=REASON_LIMIT, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The other person sees it in their e-mail and on the conversation page.",
        error_messages={"required": "Please say why, so that the other person knows."},
    )


class RescheduleForm(ReasonForm):
    starts_at = forms.CharField(widget=forms.HiddenInput)
