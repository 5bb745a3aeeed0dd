from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from conversations import tasks
from conversations.forms.participation import BreakdownForm, ParticipationFilterForm
from conversations.participation.breakdown import NAME, breakdown_page
from conversations.participation.catalogue import FIGURES, headline_cards
from conversations.participation.export import write_participation_csv
from conversations.participation.figures import MIN_GROUP_SIZE
from conversations.participation.kept import dashboard_figures
from people.models import Organisation
from people.permissions import requires


def _figures(request):
    """The filter form, the figures (None when the filter is wrong) and how fresh kept figures are (None: live)."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    form = ParticipationFilterForm(request.GET or None, today=now.astimezone(tz).date())
    if form.is_bound and not form.is_valid():
        return form, None, None
    figures, kept = dashboard_figures(choice=form.selected_choice(), period=form.selected_period(), tz=tz,
                                      department=form.selected_department(), now=now,
                                      enqueue=tasks.keep_participation_view.delay)
    return form, figures, kept


def _with(query, **changes):
    query = query.copy()
    for name, value in changes.items():
        query[name] = value
    return f"?{query.urlencode()}#by-manager"


def _manager_table(request, groups):
    """The breakdown by manager, one page of it, with the links that reorder and page it."""
    choice = BreakdownForm(request.GET).choice()
    table = breakdown_page(groups, **choice)
    filters = request.GET.copy()
    for name in ("sort", "order", "page"):
        filters.pop(name, None)
    headers = []
    for key, label, numeric in [(NAME, "Manager", False)] + [(f.key, f.column, True) for f in FIGURES]:
        current = table.sort == key
        # Numbers sort largest first on the first click: who is furthest ahead, or behind, shows at once.
        descending = not table.descending if current else numeric
        headers.append({
            "label": label, "numeric": numeric,
            "aria_sort": ("descending" if table.descending else "ascending") if current else "none",
            "url": _with(filters, sort=key, order="desc" if descending else "asc"),
        })
    page = table.page
    return {
        "table": table, "headers": headers,
        "hidden": [(name, value) for name, value in request.GET.items() if name not in ("find", "page")],
        "previous_url": _with(request.GET, page=page.previous_page_number()) if page.has_previous() else None,
        "next_url": _with(request.GET, page=page.next_page_number()) if page.has_next() else None,
    }


@requires("conversations.view_participation")
@require_GET
def dashboard(request):
    form, figures, kept = _figures(request)
    context = {
        "kept": kept,
        "form": form,
        "participation": figures,
        "department": form.selected_department() if figures else None,
        "columns": FIGURES,
        "min_group_size": MIN_GROUP_SIZE,
        "organisation": Organisation.current(),
    }
    if figures:
        context["cards"] = headline_cards(figures.headline)
        context["managers"] = _manager_table(request, figures.managers)
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
    form, figures, _ = _figures(request)
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
