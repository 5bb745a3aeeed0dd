from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from conversations.forms.participation import ParticipationFilterForm
from conversations.participation.export import write_participation_csv
from conversations.participation.figures import DEFINITIONS, MIN_GROUP_SIZE, participation
from people.models import Organisation
from people.permissions import requires


def _figures(request):
    now = timezone.now()
    tz = timezone.get_current_timezone()
    form = ParticipationFilterForm(request.GET or None, today=now.astimezone(tz).date())
    if form.is_bound and not form.is_valid():
        return form, None
    department = form.selected_department()
    return form, participation(now=now, period=form.selected_period(), tz=tz, department=department)


@requires("conversations.view_participation")
@require_GET
def dashboard(request):
    form, figures = _figures(request)
    context = {
        "form": form,
        "participation": figures,
        "department": form.selected_department() if figures else None,
        "definitions": {key: definition for key, (label, definition) in DEFINITIONS.items()},
        "min_group_size": MIN_GROUP_SIZE,
        "organisation": Organisation.current(),
    }
    if figures and not figures.headline.suppressed:
        context["trend"] = {
            "labels": [f"{month.month:%b %Y}" for month in figures.trend],
            "held": [None if month.suppressed else month.held for month in figures.trend],
            "onCadence": [None if month.suppressed or month.on_cadence_share.percent is None
                          else round(month.on_cadence_share.percent, 1) for month in figures.trend],
        }
    return render(request, "conversations/participation.html", context)


@requires("conversations.view_participation")
@require_GET
def dashboard_csv(request):
    form, figures = _figures(request)
    if figures is None:
        # The page explains what is wrong with the filter, next to the field.
        response = dashboard(request)
        response.status_code = 400
        return response
    department = form.selected_department()
    period = figures.period
    filename = f"participation-{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    write_participation_csv(response, participation=figures, organisation=Organisation.current(),
                            department=department)
    return response
