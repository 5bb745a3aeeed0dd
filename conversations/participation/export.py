"""The participation breakdowns as CSV, for spreadsheets: definitions first, as comment lines."""

import csv

from careerconv.spreadsheet import safe_cell
from conversations.participation.figures import DEFINITIONS, MIN_GROUP_SIZE

SUPPRESSED = f"fewer than {MIN_GROUP_SIZE}"

COLUMNS = [
    "Breakdown", "Group", "Active employees", "Ongoing conversations %", "On cadence %", "Overdue",
    "Conversations held", "Median days between conversations", "Outside the review %", "Breadth %", "Prepared %",
    "Follow-through %", "Organisation follow-through %",
]


def safe_text(value):
    """Text a spreadsheet shows as text: a leading formula character is escaped with an apostrophe."""
    return safe_cell(str(value))


def _percent(share):
    return "" if share.percent is None else f"{share.percent:.1f}"


def _row(breakdown, name, figures):
    if figures.suppressed:
        return [breakdown, safe_text(name), SUPPRESSED] + [""] * (len(COLUMNS) - 3)
    median = "" if figures.median_days is None else f"{figures.median_days:.1f}"
    return [
        breakdown, safe_text(name), figures.active, _percent(figures.ongoing_share),
        _percent(figures.on_cadence_share), figures.overdue, figures.held, median,
        _percent(figures.outside_review_share), _percent(figures.breadth_share), _percent(figures.prepared_share),
        _percent(figures.follow_through_share), _percent(figures.organisation_follow_through_share),
    ]


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
    comments += [f"  {label}: {definition}" for label, definition in DEFINITIONS.values()]
    for line in comments:
        out.write("# " + safe_text(line).replace("\n", " ") + "\r\n")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(_row("Everyone", str(department) if department else "All departments", participation.headline))
    for group in participation.departments:
        writer.writerow(_row("Department", group.name, group.figures))
    for group in participation.managers:
        writer.writerow(_row("Manager", group.name, group.figures))
