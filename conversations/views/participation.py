import functools

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from conversations.forms.participation import ParticipationFilterForm
from conversations.participation.export import write_participation_csv
from conversations.participation.figures import DEFINITIONS, MIN_GROUP_SIZE, participation
from people.models import Organisation
from people.permissions import can


def hr_only(view):
    """HR's dashboards answer 404 to everyone else: not even their existence is shown."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can(request.user, "conversations.view_participation"):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _figures(request):
    now = timezone.now()
    tz = timezone.get_current_timezone()
    form = ParticipationFilterForm(request.GET or None, today=now.astimezone(tz).date())
    if form.is_bound and not form.is_valid():
        return form, None
    department = form.selected_department()
    return form, participation(now=now, period=form.selected_period(), tz=tz, department=department)


@hr_only
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


@hr_only
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
