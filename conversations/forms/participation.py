import datetime

from django import forms

from conversations.participation.breakdown import NAME
from conversations.participation.catalogue import FIGURES
from conversations.participation.figures import PRESETS, Period, add_months, period_for
from people.models import Department

# The longest custom period: older data says little about today's habits.
MAX_PERIOD_YEARS = 5
# Nothing in the app predates this; it also keeps the monthly trend's arithmetic within the calendar.
EARLIEST_DAY = datetime.date(2000, 1, 1)


class ParticipationFilterForm(forms.Form):
    PERIODS = [*PRESETS.items(), ("custom", "Custom dates")]

    period = forms.ChoiceField(choices=PERIODS, initial="12m", required=False)
    start = forms.DateField(label="From", required=False, help_text="For custom dates.",
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="To", required=False, help_text="For custom dates.",
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    department = forms.ModelChoiceField(Department.objects.all(), required=False, empty_label="All departments")

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self):
        super().full_clean()
        # Mark the fields in error so that screen readers announce the message next to them.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = " ".join(filter(None, [f"id_{name}_error", attrs.get("aria-describedby")]))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != "custom":
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None and "start" not in self.errors:
            self.add_error("start", "Choose the first day of the period.")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Choose the last day of the period.")
        for name, day in (("start", start), ("end", end)):
            if day and day < EARLIEST_DAY:
                self.add_error(name, f"Choose a date from {EARLIEST_DAY:%-d %B %Y} onwards.")
                return cleaned
        if start and end:
            if end > self.today:
                self.add_error("end", f"The period cannot end after today ({self.today:%-d %B %Y}).")
            elif start > end:
                self.add_error("start", "The first day must be on or before the last day.")
            elif start < add_months(end, -12 * MAX_PERIOD_YEARS):
                self.add_error("start", f"A period can cover at most {MAX_PERIOD_YEARS} years.")
        return cleaned

    def selected_choice(self):
        """The period's choice: a preset's key or "custom"; the last 12 months when nothing (valid) was chosen."""
        choice = self.cleaned_data.get("period") if self.is_bound and self.is_valid() else None
        return choice if choice == "custom" or choice in PRESETS else "12m"

    def selected_period(self):
        """The period asked for."""
        choice = self.selected_choice()
        if choice == "custom":
            return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])
        return period_for(choice, today=self.today)

    def selected_department(self):
        return self.cleaned_data.get("department") if self.is_bound and self.is_valid() else None


class BreakdownForm(forms.Form):
    """How the breakdown by manager is searched, ordered and paged. The order and page come from the page's own
    links: a value that is not one of them falls back to the default instead of hiding the figures."""

    find = forms.CharField(label="Find a manager", required=False, max_length=200)
    sort = forms.ChoiceField(choices=[(NAME, "Name")] + [(figure.key, figure.column) for figure in FIGURES],
                             required=False)
    order = forms.ChoiceField(choices=[("asc", "Ascending"), ("desc", "Descending")], required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def choice(self):
        """The search, order and page asked for, as keyword arguments of breakdown_page()."""
        self.is_valid()
        cleaned = self.cleaned_data
        return {"find": cleaned.get("find") or "", "sort": cleaned.get("sort") or NAME,
                "descending": cleaned.get("order") == "desc", "page": cleaned.get("page") or 1}
