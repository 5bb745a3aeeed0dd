from django import forms

from conversations import feedback
from conversations.models import FEEDBACK_AREA_FIELDS, TEXT_LIMIT, Area, FeedbackAnswer


def _colleague_choices(candidates):
    """Grouped as feedback.candidates orders them, each with how many requests the person is already answering."""
    groups = {}
    for candidate in candidates:
        person = candidate.person
        where = f", {person.department.name}" if person.department else ""
        waiting = (f" — at the limit of {feedback.open_limit()} open requests" if candidate.at_limit
                   else f" — {candidate.waiting} open request{'s' if candidate.waiting != 1 else ''}")
        groups.setdefault(candidate.group, []).append((person.pk, f"{person.name}{where}{waiting}"))
    return list(groups.items())


class ColleaguesField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(coerce=int, label="Whom to ask", error_messages={
            "required": "Choose at least one colleague to ask.",
            "invalid_choice": "Choose among the colleagues listed.",
        }, **kwargs)


class AskForm(forms.Form):
    colleagues = ColleaguesField(help_text="Ask beyond your manager: peers, people you work with in other "
                                           "teams, people you have had conversations with.")
    areas = forms.MultipleChoiceField(
        label="What you would like feedback on", choices=Area.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one area to hear about."})
    note = forms.CharField(label="A personal note", required=False, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Why you are asking them, and anything they should know.")
    answer_by = forms.DateField(label="Answers by", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "Choose the date you would like answers by.",
                                                "invalid": "Enter a date such as 2025-06-30."})
    anonymous = forms.BooleanField(
        label=f"Anonymous when at least {feedback.ANONYMOUS_THRESHOLD} answer", required=False,
        help_text=f"Answers are shown together, without names, once {feedback.ANONYMOUS_THRESHOLD} or more "
                  "have arrived.")
    conversation = forms.TypedChoiceField(label="For the conversation", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, candidates, conversations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleagues"].choices = _colleague_choices(candidates)
        self.people = {candidate.person.pk: candidate.person for candidate in candidates}
        self.conversations = {conversation.pk: conversation for conversation in conversations}
        self.fields["conversation"].choices = [("", "Not tied to a conversation")] + [
            (conversation.pk, f"{conversation.starts_at:%d %b %Y} with {conversation.partner.name}")
            for conversation in conversations]

    def cleaned_values(self):
        data = self.cleaned_data
        return {
            "colleagues": [self.people[pk] for pk in data["colleagues"]],
            "areas": data["areas"],
            "note": data["note"],
            "answer_by": data["answer_by"],
            "anonymous": data["anonymous"],
            "conversation": self.conversations.get(data["conversation"]),
        }


class AskMoreForm(forms.Form):
    colleagues = ColleaguesField()

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleagues"].choices = _colleague_choices(candidates)
        self.people = {candidate.person.pk: candidate.person for candidate in candidates}

    def chosen_colleagues(self):
        return [self.people[pk] for pk in self.cleaned_data["colleagues"]]


class AnswerForm(forms.ModelForm):
    """One box per area asked about, each introduced by the prompts written for it."""

    class Meta:
        model = FeedbackAnswer
        fields = list(FEEDBACK_AREA_FIELDS)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FEEDBACK_AREA_FIELDS:
            if name not in areas:
                del self.fields[name]
                continue
            field = self.fields[name]
            field.widget = forms.Textarea(attrs={"rows": 5})
            field.max_length = TEXT_LIMIT
            field.prompts = feedback.PROMPTS[Area(name)]
            field.help_text = " ".join(field.prompts)
            field.error_messages["max_length"] = f"Keep this within {TEXT_LIMIT} characters."


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500,
                             widget=forms.TextInput())


class BringForm(forms.Form):
    picks = forms.MultipleChoiceField(label="Answers to bring", widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": "Tick at least one answer to bring.",
                                                      "invalid_choice": "Choose among the answers shown."})
    conversation = forms.TypedChoiceField(label="Into the preparation for", coerce=int,
                                          error_messages={"required": "Choose one of your upcoming conversations.",
                                                          "invalid_choice": "Choose one of your upcoming "
                                                                            "conversations."})

    def __init__(self, *args, summary, conversations, **kwargs):
        super().__init__(*args, **kwargs)
        request = summary.request
        self.fields["picks"].choices = [
            (f"{answer.pk}:{area}", f"{feedback.attribution(answer, request)} on {Area(area).label}")
            for answer in summary.answers for area in request.areas if getattr(answer, area).strip()]
        self.conversations = {conversation.pk: conversation for conversation in conversations}
        self.fields["conversation"].choices = [
            (conversation.pk, f"{conversation.starts_at:%d %b %Y} with {conversation.partner.name}")
            for conversation in conversations]
        if request.conversation_id in self.conversations:
            self.fields["conversation"].initial = request.conversation_id

    def picked(self):
        pairs = []
        for value in self.cleaned_data["picks"]:
            answer_pk, area = value.split(":", 1)
            pairs.append((int(answer_pk), area))
        return pairs

    def chosen_conversation(self):
        return self.conversations.get(self.cleaned_data["conversation"])
