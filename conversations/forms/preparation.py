from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.utils.html import format_html

from conversations.models import FEEDBACK_AREA_FIELDS, Direction, Horizon, Preparation, Topic


def _text(rows=4):
    return forms.Textarea(attrs={"rows": rows})


def _section(title):
    """A section's legend holds a heading, so that heading navigation (as screen readers offer) reaches it."""
    return format_html('<h2 class="h5 mb-0">{}</h2>', title)


class PreparationForm(forms.ModelForm):
    """The article's structure: three areas to gather feedback on, the topics to cover, feedback wanted on soft
    skills, technical skills and key peer differentiators, and where the employee wants their career to go."""

    topics = forms.MultipleChoiceField(label="Tick what you want to talk about", choices=Topic.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    aspiration_direction = forms.ChoiceField(
        label="Where I want to go", required=False, widget=forms.RadioSelect,
        choices=Direction.choices,
        help_text="Careers are a climbing wall: up, and sideways too.",
    )
    aspiration_horizon = forms.ChoiceField(label="When", required=False,
                                           choices=[("", "Not sure yet"), *Horizon.choices])

    class Meta:
        model = Preparation
        # The article's order: its three areas, the topics, then the three further feedback areas.
        fields = [*FEEDBACK_AREA_FIELDS[:3], "topics", *FEEDBACK_AREA_FIELDS[3:], "aspiration_direction",
                  "aspiration_target", "aspiration_horizon"]
        # In the employee's own words; the other feedback areas keep their labels (Area).
        labels = {
            "abilities": "My abilities and perceived value",
            "roadblocks": "My roadblocks to success",
            "environment": "The environment where I contribute most",
        }
        help_texts = {
            "abilities": "What are you good at, and how do you think the organisation sees your value? "
                         "Where would you like to hear how others see it?",
            "roadblocks": "What gets in the way of your success: skills, time, access, people, processes?",
            "environment": "The circumstances in which you do your best work: the kind of work, the team, "
                           "flexibility, support.",
            "soft_skills": "Which soft skills do you want feedback on (communicating, influencing, leading…)?",
            "technical_skills": "Which technical skills do you want feedback on?",
            "peer_differentiators": "What sets you apart from your peers, or could, in the long run?",
            "aspiration_target": "For example “Staff engineer”, “Product management”, or “mentoring others”.",
        }
        widgets = {name: _text() if position < 3 else _text(3) for position, name in enumerate(FEEDBACK_AREA_FIELDS)}

    def __init__(self, *args, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_section("1. Feedback on three areas"), *FEEDBACK_AREA_FIELDS[:3],
                     css_class="preparation-section"),
            Fieldset(_section("2. Topics to cover"), "topics", css_class="preparation-section"),
            Fieldset(_section("3. Feedback I want on"), *FEEDBACK_AREA_FIELDS[3:],
                     css_class="preparation-section"),
            Fieldset(
                _section("4. My career aspirations"),
                HTML('{% include "conversations/_previous_aspiration.html" %}'),
                "aspiration_direction", "aspiration_target", "aspiration_horizon",
                css_class="preparation-section",
            ),
        )
        self.previous = previous
