"""The participation breakdowns as CSV, for spreadsheets: definitions first, as comment lines."""

import csv

from careerconv.spreadsheet import safe_cell
from conversations.participation.catalogue import COUNT, DAYS, FIGURES
from conversations.participation.figures import MIN_GROUP_SIZE

SUPPRESSED = f"fewer than {MIN_GROUP_SIZE}"

COLUMNS = ["Breakdown", "Group"] + [figure.csv_column for figure in FIGURES]


def safe_text(value):
    """Text a spreadsheet shows as text: a leading formula character is escaped with an apostrophe."""
    return safe_cell(str(value))


def _cell(figure, figures):
    value = figure.value(figures)
    if figure.kind == COUNT:
        return value
    if figure.kind == DAYS:
        return "" if value is None else f"{value:.1f}"
    return "" if value.percent is None else f"{value.percent:.1f}"


def _row(breakdown, name, figures):
    if figures.suppressed:
        return [breakdown, safe_text(name), SUPPRESSED] + [""] * (len(COLUMNS) - 3)
    return [breakdown, safe_text(name)] + [_cell(figure, figures) for figure in FIGURES]


def write_participation_csv(out, *, participation, organisation, department=None):
    """Write the headline and both breakdowns to `out` (a text file or an HttpResponse)."""
    period = participation.period
    comments = [
        f"Career conversation participation: {organisation}",
        f"Period: {period.start:%Y-%m-%d} to {period.end:%Y-%m-%d}; status figures as at "
        f"{participation.as_of:%Y-%m-%d %H:%M %Z}",
        f"Department: {department}" if department else "Department: all departments",
        f"Groups with fewer than {MIN_GROUP_SIZE} active employees are shown as \"{SUPPRESSED}\", without figures.",
        "Definitions:",
    ]
    comments += [f"  {figure.label}: {figure.definition}" for figure in FIGURES]
    for line in comments:
        out.write("# " + safe_text(line).replace("\n", " ") + "\r\n")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(_row("Everyone", str(department) if department else "All departments", participation.headline))
    for group in participation.departments:
        writer.writerow(_row("Department", group.name, group.figures))
    for group in participation.managers:
        writer.writerow(_row("Manager", group.name, group.figures))
