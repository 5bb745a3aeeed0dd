"""HR's pages for the people import: upload, preview with problems, confirm, progress, result."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from careerconv.spreadsheet import safe_cell
from people import importing
from people.forms.importing import ImportUploadForm
from people.models import PeopleImport
from people.permissions import requires
from people.tasks import run_people_import

RECENT_IMPORTS = 10
PROBLEMS_SHOWN = 500

@requires("people.import_people")
def import_page(request):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            people_import = importing.preview_import(
                data=upload.read(), file_name=upload.name, full=form.cleaned_data["marks_leavers"],
                invite=form.cleaned_data["sends_invitations"], created_by=request.user,
                today=timezone.localdate(),
            )
            return redirect(people_import)
    else:
        form = ImportUploadForm()
    recent = PeopleImport.objects.select_related("created_by").defer("content", "preview")[:RECENT_IMPORTS]
    return render(request, "people/import.html", {
        "form": form, "recent": recent, "columns": importing.COLUMNS,
    })


@requires("people.import_people")
def import_detail(request, pk):
    people_import = get_object_or_404(PeopleImport.objects.defer("content"), pk=pk)
    preview = people_import.preview
    problems = preview.get("problems", [])
    errors = [problem for problem in problems if problem["blocking"]]
    warnings = [problem for problem in problems if not problem["blocking"]]
    counts = preview.get("counts", {})
    return render(request, "people/import_detail.html", {
        "people_import": people_import,
        "preview": preview,
        "counts": counts,
        # The preview lists a sample of each kind of change; how many more there are:
        "more_create": counts.get("create", 0) - len(preview.get("create", [])),
        "more_update": counts.get("update", 0) - len(preview.get("update", [])),
        "more_leave": preview.get("missing", 0) - len(preview.get("leave", [])),
        "errors": errors[:PROBLEMS_SHOWN],
        "error_count": len(errors),
        "warnings": warnings[:PROBLEMS_SHOWN],
        "progress": importing.import_progress(people_import.pk),
    })


@requires("people.import_people")
def import_progress(request, pk):
    """The progress fragment the detail page polls while the import runs (htmx), or the result once done."""
    people_import = get_object_or_404(PeopleImport.objects.defer("content", "preview"), pk=pk)
    return render(request, "people/_import_progress.html", {
        "people_import": people_import, "progress": importing.import_progress(people_import.pk),
    })


@requires("people.import_people")
@require_POST
def import_confirm(request, pk):
    people_import = get_object_or_404(PeopleImport.objects.defer("content"), pk=pk)
    if people_import.preview.get("counts", {}).get("errors", 1):
        messages.error(request, "This file has problems: fix them and upload it again.")
    elif importing.confirm_import(people_import=people_import, now=timezone.now()):
        run_people_import.delay_on_commit(people_import.pk)
    else:
        messages.info(request, "This import was confirmed already.")
    return redirect(people_import)


@requires("people.import_people")
@require_POST
def import_discard(request, pk):
    people_import = get_object_or_404(PeopleImport, pk=pk, status=PeopleImport.Status.PREVIEWED)
    people_import.delete()
    messages.success(request, f"The preview of {people_import.file_name} is discarded; nothing was imported.")
    return redirect("people:import")


@requires("people.import_people")
def import_problems_csv(request, pk):
    """Every problem of a preview, to sort and fix in a spreadsheet next to the file."""
    people_import = get_object_or_404(PeopleImport.objects.defer("content"), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="problems-{people_import.pk}.csv"'
    response.write("\ufeff")  # so that Excel reads it as UTF-8
    writer = csv.writer(response)
    writer.writerow(["Line", "Column", "Problem", "Blocks the import"])
    for problem in people_import.preview.get("problems", []):
        writer.writerow([problem["line"], safe_cell(problem["column"]), safe_cell(problem["message"]),
                         "yes" if problem["blocking"] else "no"])
    return response


@requires("people.import_people")
def import_template_csv(request):
    """An example file with every column the import understands."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-template.csv"'
    writer = csv.writer(response)
    writer.writerow([column.label for column in importing.COLUMNS if column.field not in ("name",)])
    writer.writerow(["E001", "ada.lovelace@example.com", "Ada", "Lovelace", "Chief Technology Officer", "Engineering",
                     "", "Europe/London", "2020-01-06", "Active", ""])
    writer.writerow(["E002", "grace.hopper@example.com", "Grace", "Hopper", "Staff Engineer", "Engineering",
                     "E001", "America/New_York", "2021-03-01", "Active", ""])
    writer.writerow(["E003", "alan.turing@example.com", "Alan", "Turing", "Research Engineer", "Research",
                     "grace.hopper@example.com", "Europe/London", "2022-09-12", "Left", "2026-01-31"])
    return response
