"""Import people from an HR system's CSV export (Workday, BambooHR, Personio, or a spreadsheet).

1. `read_people_file(data)` decodes the bytes (UTF-8, with or without a byte-order mark), finds the delimiter
   (`,`, `;` or tab) and maps the header's column names to fields, case-insensitively and with common aliases.
2. `plan_import(people_file, ...)` compares every row with the database and lists every problem with its line and
   column. It writes nothing: the preview HR sees *is* a plan.
3. `apply_import(people_file, ...)` plans again inside one transaction, against the data as it is at that moment,
   and writes the plan with bulk operations; with any blocking problem it writes nothing at all.

People are matched by employee id, falling back to e-mail, so importing the same file twice changes nothing.
With a full file, active people who are not in it are marked as having left: never deleted, their history stays.
"""

import csv
import datetime
import io
import logging
import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from people.models import Department, Organisation, PeopleImport, Person, ScimIdentity
from people.signals import manager_changed, people_left

MAX_ROWS = 50_000
BATCH_SIZE = 1000
# Lists shown in the preview are cut here; the counts are always complete.
SAMPLE_SIZE = 100
# "Lee, Sam" or "van der Berg, Anna-Lena": names on both sides of one comma (anything else is read as "First Last").
_NAME = r"[^\W\d_](?:[^\W\d_]|[ .'’-])*"
LAST_FIRST = re.compile(rf"\s*(?P<last>{_NAME}?)\s*,\s*(?P<first>{_NAME}?)\s*")
# Above this share of the active people marked as left, HR types the number to confirm the import.
LEAVING_SHARE_TO_CONFIRM = 1 / 5

User = get_user_model()
logger = logging.getLogger(__name__)


# --- Columns ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple
    max_length: int = 0


COLUMNS = (
    Column("employee_id", "Employee ID", (
        "employee id", "employee number", "employee no", "employee #", "employee code", "emp id", "worker id",
        "staff id", "staff number", "personnel number", "person id", "id",
    ), 64),
    Column("email", "Email", (
        "email", "e-mail", "email address", "e-mail address", "work email", "work e-mail", "work email address",
        "business email", "company email", "mail",
    ), 254),
    Column("first_name", "First name", ("first name", "given name", "forename", "firstname", "legal first name"), 150),
    Column("last_name", "Last name", ("last name", "surname", "family name", "lastname", "legal last name"), 150),
    Column("name", "Name", ("name", "full name", "display name", "employee name", "preferred full name"), 301),
    Column("job_title", "Job title", (
        "job title", "title", "position", "position title", "job", "job name", "business title", "role",
        "job profile",
    ), 150),
    Column("department", "Department", (
        "department", "dept", "department name", "team", "org unit", "organisational unit", "organizational unit",
        "supervisory organization", "supervisory organisation",
    ), 120),
    Column("manager", "Manager", (
        "manager", "manager id", "manager employee id", "manager email", "manager e-mail", "manager work email",
        "reports to", "reports to id", "reports to email", "line manager", "line manager id", "line manager email",
        "supervisor id", "supervisor eid", "supervisor email", "supervisor employee id",
    )),
    Column("timezone", "Timezone", ("timezone", "time zone", "tz", "time zone name")),
    Column("start_date", "Start date", (
        "start date", "hire date", "date of hire", "hired on", "joining date", "join date", "original hire date",
        "employment start date", "first day", "date joined",
    )),
    Column("status", "Status", ("status", "employment status", "employee status", "worker status", "active")),
    Column("left_on", "Leaving date", (
        "leaving date", "termination date", "end date", "last day", "last working day", "left on", "exit date",
        "date left",
    )),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}


def normalise_header(text):
    """'Work E-mail ' and 'work_email' both become 'workemail'; '#' reads as 'number'."""
    return re.sub(r"[^0-9a-z]", "", text.strip().lower().replace("#", "number"))


HEADER_ALIASES = {normalise_header(alias): column.field for column in COLUMNS for alias in column.aliases}

ACTIVE_STATUSES = {
    "", "active", "employed", "current", "yes", "true", "1", "y", "on leave", "leave of absence", "parental leave",
    "probation", "notice period",
}
LEFT_STATUSES = {
    "left", "leaver", "terminated", "inactive", "former", "no", "false", "0", "n", "resigned", "retired",
    "dismissed", "deactivated",
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d")
TIMEZONES = {name.lower(): name for name in zoneinfo.available_timezones()}


# --- Problems --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """Something wrong with the file, at a line (1 is the header) and a column as the file names it.

    A blocking problem stops the import; a warning is shown and the import may go ahead.
    """

    line: int
    column: str
    message: str
    blocking: bool = True

    def as_dict(self):
        return {"line": self.line, "column": self.column, "message": self.message, "blocking": self.blocking}


# --- Reading the file ------------------------------------------------------------------------------------------

@dataclass
class Row:
    line: int
    cells: dict  # field → stripped text


@dataclass
class PeopleFile:
    delimiter: str = ","
    headers: dict = field(default_factory=dict)  # field → the header as written in the file
    ignored: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    text: str | None = None  # the decoded file, None when it could not be decoded

    @property
    def checkable(self):
        """The rows can be checked: the file was read and names the columns every person needs."""
        return bool(self.rows) and "email" in self.headers and ("name" in self.headers or "first_name" in self.headers)

    def header(self, name):
        return self.headers.get(name, COLUMN_BY_FIELD[name].label)


def read_people_file(data):
    """Decode and parse an uploaded file. Problems with the file as a whole are reported on line 1."""
    people_file = PeopleFile()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        people_file.problems.append(Problem(line, "", (
            "This line is not UTF-8 text. Save the file as “CSV UTF-8” (in Excel: File › Save As › CSV UTF-8) "
            "and upload it again."
        )))
        return people_file
    if "\x00" in text:
        people_file.problems.append(Problem(1, "", "This is not a CSV file (it holds binary data)."))
        return people_file
    people_file.text = text

    lines = text.splitlines()
    first_line_number = 1
    # Excel writes "sep=;" on the first line when asked to name the delimiter.
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        people_file.delimiter = lines[0].strip()[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_line_number = 2
    else:
        header_line = next((line for line in lines if line.strip()), "")
        people_file.delimiter = _guess_delimiter(header_line)

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=people_file.delimiter, strict=True)
    header = None
    index_of = {}
    previous_end = 0
    try:
        for record in reader:
            line = first_line_number + previous_end
            previous_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                index_of = _map_header(people_file, header, line)
                continue
            if len(people_file.rows) >= MAX_ROWS:
                people_file.problems.append(Problem(line, "", (
                    f"The file has more than {MAX_ROWS:,} people: split it into smaller files."
                )))
                return people_file
            extra = [cell for cell in record[len(header):] if cell.strip()]
            if extra:
                people_file.problems.append(Problem(line, "", (
                    f"This line has {len(record)} values but the header has {len(header)} columns: "
                    "a value that contains the delimiter must be in double quotes."
                )))
            cells = {name: (record[i].strip() if i < len(record) else "") for name, i in index_of.items()}
            people_file.rows.append(Row(line=line, cells=cells))
    except csv.Error as error:
        people_file.problems.append(Problem(first_line_number + previous_end, "", (
            f"The file cannot be read from this line on ({error}): look for a double quote that is not closed."
        )))
        return people_file

    if header is None:
        people_file.problems.append(Problem(1, "", "The file is empty: it needs a header and one line per person."))
    elif not people_file.rows and not any(problem.blocking for problem in people_file.problems):
        people_file.problems.append(Problem(1, "", "The file has a header but no people."))
    return people_file


def _guess_delimiter(header_line):
    """The delimiter that makes the most recognised column names (then the most columns) of the header."""
    def score(delimiter):
        names = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(normalise_header(name) in HEADER_ALIASES for name in names), len(names)

    return max([",", ";", "\t"], key=score)


def _map_header(people_file, header, line):
    index_of = {}
    for index, name in enumerate(header):
        field_name = HEADER_ALIASES.get(normalise_header(name))
        if field_name is None:
            if name.strip():
                people_file.ignored.append(name.strip())
            continue
        if field_name in index_of:
            people_file.problems.append(Problem(line, name.strip(), (
                f"“{name.strip()}” and “{people_file.headers[field_name]}” both mean "
                f"{COLUMN_BY_FIELD[field_name].label.lower()}: keep one of them."
            )))
            continue
        index_of[field_name] = index
        people_file.headers[field_name] = name.strip()

    if "email" not in index_of:
        people_file.problems.append(Problem(line, "", (
            "There is no e-mail column: name one “Email” (or “Work email”, “E-mail address”)."
        )))
    if "name" not in index_of and "first_name" not in index_of:
        people_file.problems.append(Problem(line, "", (
            "There is no name column: add “First name” and “Last name”, or “Name”."
        )))
    if "employee_id" not in index_of and "email" in index_of:
        people_file.problems.append(Problem(line, "", (
            "There is no employee id column: people are matched by e-mail only."
        ), blocking=False))
    return index_of


# --- Planning --------------------------------------------------------------------------------------------------

@dataclass
class PersonRow:
    """One line of the file, checked and matched with the person it describes (if they exist already)."""

    line: int
    employee_id: str | None
    email: str
    first_name: str
    last_name: str
    job_title: str | None = None
    department: str | None = None
    manager_ref: str = ""
    timezone: str = ""
    start_date: datetime.date | None = None
    is_active: bool = True
    left_on: datetime.date | None = None
    person_id: int | None = None
    user_id: int | None = None  # an account without a person, given the same e-mail
    manager_key: tuple | None = None
    action: str = ""
    changes: list = field(default_factory=list)

    @property
    def key(self):
        return ("person", self.person_id) if self.person_id else ("line", self.line)

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class Plan:
    people_file: PeopleFile
    rows: list = field(default_factory=list)
    leavers: list = field(default_factory=list)  # existing people missing from a full file: dicts
    departments_to_create: list = field(default_factory=list)
    skipped: int = 0
    problems: list = field(default_factory=list)
    existing: dict = field(default_factory=dict)

    @property
    def errors(self):
        return [problem for problem in self.problems if problem.blocking]

    @property
    def warnings(self):
        return [problem for problem in self.problems if not problem.blocking]

    def rows_to(self, action):
        return [row for row in self.rows if row.action == action]

    def counts(self):
        left_by_status = sum(1 for row in self.rows_to("update")
                             if not row.is_active and self.existing[row.person_id]["is_active"])
        return {
            "rows": len(self.people_file.rows),
            "create": len(self.rows_to("create")),
            "update": len(self.rows_to("update")),
            "unchanged": len(self.rows_to("unchanged")),
            "leave": len(self.leavers) + left_by_status,
            "skipped": self.skipped,
            "departments": len(self.departments_to_create),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "active": sum(1 for person in self.existing.values() if person["is_active"]),
        }

    def as_preview(self):
        """What the preview page shows, as JSON: counts, columns, every problem, and samples of each change."""
        problems = sorted(self.problems, key=lambda problem: (problem.line, not problem.blocking))
        counts = self.counts()
        return {
            "counts": counts,
            "leavers_to_confirm": leavers_to_confirm(counts),
            "delimiter": {",": "comma", ";": "semicolon", "\t": "tab"}[self.people_file.delimiter],
            "columns": [
                {"field": COLUMN_BY_FIELD[name].label, "header": header}
                for name, header in self.people_file.headers.items()
            ],
            "ignored": self.people_file.ignored,
            "problems": [problem.as_dict() for problem in problems],
            "create": [
                {"line": row.line, "name": row.name, "email": row.email, "job_title": row.job_title or "",
                 "department": row.department or ""}
                for row in self.rows_to("create")[:SAMPLE_SIZE]
            ],
            "update": [
                {"line": row.line, "name": row.name, "changes": [list(change) for change in row.changes]}
                for row in self.rows_to("update")[:SAMPLE_SIZE]
            ],
            "leave": [{"name": person["name"], "email": person["email"]} for person in self.leavers[:SAMPLE_SIZE]],
            "missing": len(self.leavers),
            "departments": self.departments_to_create[:SAMPLE_SIZE],
        }


def leavers_to_confirm(counts):
    """How many leavers HR must type to confirm an import, or 0: a file that would mark more than a fifth of the
    active people as left is more likely a partial export uploaded as a full one than a wave of departures."""
    leaving = counts.get("leave", 0)
    return leaving if leaving > counts.get("active", 0) * LEAVING_SHARE_TO_CONFIRM else 0


def _existing_people():
    """Everyone already in the database, in one query, as plain values."""
    people = {}
    for values in Person.objects.values(
        "pk", "employee_id", "job_title", "department__name", "manager_id", "start_date", "is_active",
        "left_on", "user_id", "user__email", "user__first_name", "user__last_name", "user__username",
    ):
        people[values["pk"]] = {
            "pk": values["pk"],
            "employee_id": values["employee_id"],
            "job_title": values["job_title"],
            "department": values["department__name"],
            "manager_id": values["manager_id"],
            "start_date": values["start_date"],
            "is_active": values["is_active"],
            "left_on": values["left_on"],
            "user_id": values["user_id"],
            "email": values["user__email"] or "",
            "first_name": values["user__first_name"],
            "last_name": values["user__last_name"],
            "username": values["user__username"],
            "name": f"{values['user__first_name']} {values['user__last_name']}".strip() or values["user__username"],
        }
    return people


def plan_import(people_file, *, full, today, acting_user=None):
    """Compare the file with the database and list what would change, with every problem. Writes nothing.

    `full`: the file lists everyone, so active people missing from it are to be marked as having left.
    `acting_user`: whoever runs the import is never marked as left by omission (they would lock themselves out).
    """
    plan = Plan(people_file=people_file, problems=list(people_file.problems))
    if not people_file.checkable:
        return plan

    existing = _existing_people()
    plan.existing = existing
    by_employee_id = {p["employee_id"]: pk for pk, p in existing.items() if p["employee_id"]}
    by_email = {}
    for pk, p in existing.items():
        if p["email"]:
            by_email.setdefault(p["email"].lower(), []).append(pk)
    accounts_without_person = {}
    for user_id, email in User.objects.filter(person__isnull=True).exclude(email="").values_list("pk", "email"):
        accounts_without_person.setdefault(email.lower(), []).append(user_id)

    problems = plan.problems
    header = people_file.header
    # Every employee id and e-mail the file mentions, on valid lines or not: a person named on a line with a
    # problem is not "missing from the file", and a manager reference to them is not "unknown".
    mentioned_ids = {raw.cells.get("employee_id") for raw in people_file.rows} - {"", None}
    mentioned_emails = {raw.cells.get("email", "").lower() for raw in people_file.rows} - {""}
    lines_by_employee_id, lines_by_email, line_by_person, skipped_leavers = {}, {}, {}, {}
    unusable = []
    for raw in people_file.rows:
        row, usable = _check_row(raw, people_file, problems, today)
        if not usable:
            unusable.append(row)
        if not usable and not row.email:
            continue
        if row.employee_id:
            if row.employee_id in lines_by_employee_id:
                problems.append(Problem(row.line, header("employee_id"), (
                    f"Employee id {row.employee_id} is also on line {lines_by_employee_id[row.employee_id]}."
                )))
                continue
            lines_by_employee_id[row.employee_id] = row.line
        email_key = row.email.lower()
        if email_key in lines_by_email:
            problems.append(Problem(row.line, header("email"),
                                    f"{row.email} is also on line {lines_by_email[email_key]}."))
            continue
        lines_by_email[email_key] = row.line
        if not _match_row(row, existing, by_employee_id, by_email, accounts_without_person, header, problems):
            continue
        if row.person_id:
            if row.person_id in line_by_person:
                problems.append(Problem(row.line, header("email"), (
                    f"This is {existing[row.person_id]['name']}, who is also on line {line_by_person[row.person_id]}."
                )))
                continue
            line_by_person[row.person_id] = row.line
        if not usable:
            continue
        if not row.person_id and not row.is_active:
            # A leaver the organisation never had here: HR exports often list them; nothing to do.
            plan.skipped += 1
            skipped_leavers[email_key] = row
            if row.employee_id:
                skipped_leavers[row.employee_id] = row
            continue
        plan.rows.append(row)

    _check_emails_stay_unique(plan, by_email, header)
    _resolve_managers(plan, by_employee_id, by_email, mentioned_ids, mentioned_emails, skipped_leavers, header)
    _check_unusable_managers(unusable, plan, by_employee_id, by_email, mentioned_ids, mentioned_emails, header)
    if full:
        acting_person_id = (
            Person.objects.filter(user=acting_user).values_list("pk", flat=True).first() if acting_user else None
        )
        # Whoever the identity provider keeps (SCIM) leaves when the provider says so, not by a file's omission.
        provisioned = set(ScimIdentity.objects.values_list("person_id", flat=True))
        for pk, person in existing.items():
            if not person["is_active"] or pk in line_by_person or pk in provisioned:
                continue
            if person["employee_id"] in mentioned_ids or person["email"].lower() in mentioned_emails:
                continue
            if pk == acting_person_id:
                problems.append(Problem(1, "", (
                    "You are not in this file: you stay active, so that you can still sign in."
                ), blocking=False))
                continue
            plan.leavers.append(person)
    _check_manager_loops(plan, header)
    _warn_about_managers_leaving(plan, header)

    known_departments = {name.lower() for name in Department.objects.values_list("name", flat=True)}
    new_departments = {}
    for row in plan.rows:
        if row.department and row.department.lower() not in known_departments:
            new_departments.setdefault(row.department.lower(), row.department)
    plan.departments_to_create = sorted(new_departments.values(), key=str.lower)

    names = {row.key: row.name for row in plan.rows}
    names.update({("person", pk): person["name"] for pk, person in existing.items() if ("person", pk) not in names})
    for row in plan.rows:
        _decide_action(row, existing.get(row.person_id), people_file, names)
    return plan


def _check_row(raw, people_file, problems, today):
    """Validate the cells of one line; append its problems. Returns its PersonRow, and whether it is usable.

    An unusable row is still checked against the rest of the file (duplicates, its manager), so that every
    problem of a line is reported at once rather than one per upload.
    """
    cells, line, header = raw.cells, raw.line, people_file.header
    count_before = len(problems)

    def problem(name, message):
        problems.append(Problem(line, header(name), message))

    for name, value in cells.items():
        limit = COLUMN_BY_FIELD[name].max_length
        if limit and len(value) > limit:
            problem(name, f"This is {len(value)} characters long; at most {limit} fit.")

    email = cells.get("email", "")
    if not email:
        problem("email", "The e-mail address is missing.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            problem("email", f"“{email}” is not a valid e-mail address.")

    first_name, last_name = cells.get("first_name", ""), cells.get("last_name", "")
    if not first_name and not last_name:
        full_name = cells.get("name", "")
        # HR systems write "Last, First" when they put the family name first.
        last_first = LAST_FIRST.fullmatch(full_name)
        if last_first:
            last_name, first_name = last_first["last"], last_first["first"]
        else:
            first_name, _, last_name = full_name.partition(" ")
            last_name = last_name.strip()
    name_column = "first_name" if "first_name" in people_file.headers else "name"
    if not first_name and not last_name:
        problem(name_column, "The name is missing.")
    elif max(len(first_name), len(last_name)) > 150:
        problem(name_column, "A first or last name longer than 150 characters does not fit.")

    timezone_name = ""
    if cells.get("timezone"):
        timezone_name = TIMEZONES.get(cells["timezone"].lower(), "")
        if not timezone_name:
            problem("timezone", (
                f"“{cells['timezone']}” is not a timezone: use a name such as Europe/London or America/New_York."
            ))

    start_date = _date(cells.get("start_date", ""), lambda message: problem("start_date", message))
    left_on = _date(cells.get("left_on", ""), lambda message: problem("left_on", message))

    status = cells.get("status", "").lower()
    if status in LEFT_STATUSES:
        is_active = False
    elif status in ACTIVE_STATUSES:
        # A leaving date that has passed means the person has left, whatever a blank status says.
        is_active = not (status == "" and left_on is not None and left_on <= today)
    else:
        problem("status", f"“{cells['status']}” is not a status: use Active or Left (also: Terminated, Inactive).")
        is_active = True

    manager_ref = cells.get("manager", "")
    if manager_ref and manager_ref.lower() in {email.lower(), cells.get("employee_id", "").lower()}:
        problem("manager", "A person cannot be their own manager.")

    row = PersonRow(
        line=line,
        employee_id=cells.get("employee_id") or None,
        email=email,
        first_name=first_name,
        last_name=last_name,
        job_title=cells["job_title"] if "job_title" in cells else None,
        department=cells["department"] if "department" in cells else None,
        manager_ref=manager_ref,
        timezone=timezone_name,
        start_date=start_date,
        is_active=is_active,
        left_on=None if is_active else (left_on or today),
    )
    return row, len(problems) == count_before


def _date(text, report):
    if not text:
        return None
    # Some exports write a time after the date.
    text = text.split("T")[0].split(" ")[0]
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007 — a date, no time
        except ValueError:
            continue
    if "/" in text and any(_is_date(text, date_format) for date_format in ("%d/%m/%Y", "%m/%d/%Y")):
        report(f"“{text}” could be read two ways (day/month or month/day): write dates as YYYY-MM-DD.")
    else:
        report(f"“{text}” is not a date: write dates as YYYY-MM-DD (for example 2024-01-31).")
    return None


def _is_date(text, date_format):
    try:
        datetime.datetime.strptime(text, date_format)  # noqa: DTZ007 — a date, no time
    except ValueError:
        return False
    return True


def _match_row(row, existing, by_employee_id, by_email, accounts_without_person, header, problems):
    """Find the person a row describes: by employee id, else by e-mail. False when the match is contradictory."""
    if row.employee_id and row.employee_id in by_employee_id:
        row.person_id = by_employee_id[row.employee_id]
        return True
    matches = by_email.get(row.email.lower(), [])
    if len(matches) > 1:
        problems.append(Problem(row.line, header("email"), (
            f"{len(matches)} people in careerconv have the e-mail {row.email}: give them employee ids first."
        )))
        return False
    if matches:
        person = existing[matches[0]]
        if row.employee_id and person["employee_id"]:
            problems.append(Problem(row.line, header("employee_id"), (
                f"{row.email} belongs to {person['name']}, whose employee id is {person['employee_id']}, "
                f"not {row.employee_id}."
            )))
            return False
        row.person_id = person["pk"]
        return True
    accounts = accounts_without_person.get(row.email.lower(), [])
    if len(accounts) == 1:
        row.user_id = accounts[0]
    return True


def _check_emails_stay_unique(plan, by_email, header):
    """An e-mail may move to someone else only if its current owner's line gives them another one."""
    new_email_of = {row.person_id: row.email.lower() for row in plan.rows if row.person_id}
    kept = []
    for row in plan.rows:
        email = row.email.lower()
        owners = [pk for pk in by_email.get(email, []) if pk != row.person_id]
        clash = next((pk for pk in owners if new_email_of.get(pk, plan.existing[pk]["email"].lower()) == email), None)
        if clash is not None:
            plan.problems.append(Problem(row.line, header("email"), (
                f"{row.email} already belongs to {plan.existing[clash]['name']}, who is not in this file."
            )))
            continue
        kept.append(row)
    plan.rows = kept


def _resolve_managers(plan, by_employee_id, by_email, mentioned_ids, mentioned_emails, skipped_leavers, header):
    """Turn each manager reference (employee id or e-mail) into the key of a row or of an existing person.

    The file's own values win over the database's: a manager whose id or e-mail changes in the same file is found.
    """
    rows_by_employee_id = {row.employee_id: row for row in plan.rows if row.employee_id}
    rows_by_email = {row.email.lower(): row for row in plan.rows}
    kept = []
    for row in plan.rows:
        ref = row.manager_ref
        if ref:
            by_mail = "@" in ref
            ref_key = ref.lower() if by_mail else ref
            target = rows_by_email.get(ref_key) if by_mail else rows_by_employee_id.get(ref_key)
            existing_pks = by_email.get(ref_key, []) if by_mail else (
                [by_employee_id[ref_key]] if ref_key in by_employee_id else [])
            if target is not None:
                row.manager_key = target.key
            elif len(existing_pks) == 1:
                row.manager_key = ("person", existing_pks[0])
            elif ref_key in skipped_leavers:
                manager = skipped_leavers[ref_key]
                plan.problems.append(Problem(row.line, header("manager"), (
                    f"Their manager, {manager.name} (line {manager.line}), has left and was never in careerconv: "
                    "no manager is set."
                ), blocking=False))
            elif ref_key not in (mentioned_emails if by_mail else mentioned_ids):
                plan.problems.append(_unknown_manager(row, header))
                continue
            # Otherwise the manager is on a line with its own problem, which says enough: the import is blocked.
            if row.manager_key is not None and row.manager_key == row.key:
                plan.problems.append(Problem(row.line, header("manager"), "A person cannot be their own manager."))
                continue
        kept.append(row)
    plan.rows = kept


def _unknown_manager(row, header):
    kind = "e-mail" if "@" in row.manager_ref else "employee id"
    return Problem(row.line, header("manager"),
                   f"No one with the {kind} {row.manager_ref} is in this file or in careerconv.")


def _check_unusable_managers(rows, plan, by_employee_id, by_email, mentioned_ids, mentioned_emails, header):
    """A line with a problem elsewhere may also name a manager nobody knows: say so now, not after the next upload."""
    for row in rows:
        if not row.manager_ref:
            continue
        if "@" in row.manager_ref:
            known = row.manager_ref.lower() in mentioned_emails or row.manager_ref.lower() in by_email
        else:
            known = row.manager_ref in mentioned_ids or row.manager_ref in by_employee_id
        if not known:
            plan.problems.append(_unknown_manager(row, header))


def _check_manager_loops(plan, header):
    """Find loops in the reporting lines as they would be after the import: the file's rows plus everyone else.

    Each person has one manager, so walking each chain once and colouring what was walked finds every loop in a
    single pass over the organisation, with no query per row.
    """
    manager_of = {("person", pk): ("person", person["manager_id"]) if person["manager_id"] else None
                  for pk, person in plan.existing.items()}
    row_by_key = {}
    for row in plan.rows:
        manager_of[row.key] = row.manager_key
        row_by_key[row.key] = row

    state = {}  # key → "walking" while on the current chain, "done" after
    looped_lines = set()
    for start in manager_of:
        chain = []
        node = start
        while node is not None and node not in state:
            state[node] = "walking"
            chain.append(node)
            node = manager_of.get(node)
        if node is not None and state.get(node) == "walking":
            loop = chain[chain.index(node):]
            names = [
                f"{row_by_key[key].name} (line {row_by_key[key].line})" if key in row_by_key
                else plan.existing[key[1]]["name"]
                for key in loop
            ]
            description = " → ".join([*names, names[0]])
            for key in loop:
                if key in row_by_key:
                    looped_lines.add(row_by_key[key].line)
                    plan.problems.append(Problem(row_by_key[key].line, header("manager"),
                                                 f"A loop of managers: {description}."))
        for key in chain:
            state[key] = "done"
    plan.rows = [row for row in plan.rows if row.line not in looped_lines]


def _warn_about_managers_leaving(plan, header):
    leaving = {("person", person["pk"]) for person in plan.leavers}
    leaving.update(row.key for row in plan.rows if not row.is_active)
    names = {row.key: row.name for row in plan.rows}
    for row in plan.rows:
        if row.is_active and row.manager_key in leaving:
            name = names.get(row.manager_key) or plan.existing[row.manager_key[1]]["name"]
            plan.problems.append(Problem(row.line, header("manager"), (
                f"Their manager, {name}, is marked as having left."
            ), blocking=False))


def _decide_action(row, person, people_file, names):
    """create, update (with the list of changes, as HR reads them) or unchanged."""
    if person is None:
        row.action = "create"
        return
    present = people_file.headers
    changes = []

    def compare(label, old, new):
        if (old or "") != (new or ""):
            changes.append((label, str(old or "—"), str(new or "—")))

    compare("First name", person["first_name"], row.first_name)
    compare("Last name", person["last_name"], row.last_name)
    compare("E-mail", person["email"], row.email)
    if row.employee_id and not person["employee_id"]:
        compare("Employee id", None, row.employee_id)
    if "job_title" in present:
        compare("Job title", person["job_title"], row.job_title)
    if "department" in present and (person["department"] or "").lower() != (row.department or "").lower():
        # Departments match whatever their case: "engineering" in the file is the Engineering already here.
        compare("Department", person["department"], row.department)
    if "manager" in present:
        old_manager = ("person", person["manager_id"]) if person["manager_id"] else None
        if old_manager != row.manager_key:
            changes.append(("Manager", names.get(old_manager, "—"), names.get(row.manager_key, "—")))
    if "start_date" in present:
        compare("Start date", person["start_date"], row.start_date)
    if not row.is_active and not person["is_active"] and "left_on" not in present:
        # Someone who left already keeps their leaving date when the file does not give one.
        row.left_on = person["left_on"]
    if person["is_active"] != row.is_active:
        changes.append(("Status", "Active" if person["is_active"] else "Left", "Active" if row.is_active else "Left"))
    elif not row.is_active and "left_on" in present:
        compare("Leaving date", person["left_on"], row.left_on)
    row.changes = changes
    row.action = "update" if changes else "unchanged"


# --- Applying --------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    applied: bool
    plan: Plan
    created_person_ids: list = field(default_factory=list)

    def summary(self):
        return {**self.plan.counts(), "applied": self.applied}


def apply_import(people_file, *, full, today, now, acting_user=None, progress=None):
    """Plan the import again against the data as it is now and, without blocking problems, write it all in one
    transaction. Returns an Outcome; with problems, `applied` is False and nothing was written.

    `progress(stage, done, total)` is called as the work advances; it must not write through this database
    connection (the transaction hides its writes until the end), so the caller keeps progress elsewhere.
    """
    report = progress or (lambda stage, done, total: None)
    with transaction.atomic():
        # One import at a time: a second waits here for the first to commit, then plans against its result.
        organisation = Organisation.current()
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        report("Checking the file", 0, len(people_file.rows))
        plan = plan_import(people_file, full=full, today=today, acting_user=acting_user)
        if plan.errors:
            return Outcome(applied=False, plan=plan)
        created = _write(plan, today=today, now=now, cadence_days=organisation.default_cadence_days, report=report)
    return Outcome(applied=True, plan=plan, created_person_ids=created)


def _write(plan, *, today, now, cadence_days, report):
    present = plan.people_file.headers
    total = len(plan.rows) + len(plan.leavers)
    done = 0

    department_ids = {name.lower(): pk for pk, name in Department.objects.values_list("pk", "name")}
    for department in Department.objects.bulk_create(
        [Department(name=name) for name in plan.departments_to_create], batch_size=BATCH_SIZE
    ):
        department_ids[department.name.lower()] = department.pk

    def department_id(name):
        return department_ids[name.lower()] if name else None

    # New accounts sign in with their e-mail as username; a username already taken gets a number.
    to_create = plan.rows_to("create")
    usernames = set(User.objects.annotate(lowered=Lower("username")).values_list("lowered", flat=True))
    new_users, attached_users = [], []
    for row in to_create:
        if row.user_id:
            attached_users.append(User(pk=row.user_id, first_name=row.first_name, last_name=row.last_name,
                                       is_active=row.is_active))
            continue
        username = _free_username(row.email, usernames)
        new_users.append(User(
            username=username, email=row.email, first_name=row.first_name, last_name=row.last_name,
            is_active=row.is_active, password=make_password(None), date_joined=now,
        ))
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    User.objects.bulk_update(attached_users, ["first_name", "last_name", "is_active"], batch_size=BATCH_SIZE)
    new_user_ids = iter(user.pk for user in new_users)

    new_people = [
        Person(
            user_id=row.user_id or next(new_user_ids),
            employee_id=row.employee_id,
            job_title=row.job_title or "",
            department_id=department_id(row.department),
            timezone=row.timezone or settings.DEFAULT_PERSON_TIMEZONE,
            start_date=row.start_date,
            cadence_days=cadence_days,
            is_active=row.is_active,
            left_on=row.left_on,
        )
        for row in to_create
    ]
    for batch in _batches(new_people):
        Person.objects.bulk_create(batch)
        done += len(batch)
        report("Adding new people", done, total)
    pk_of_line = {row.line: person.pk for row, person in zip(to_create, new_people, strict=True)}

    # Managers are set once every row has a primary key: a new person's manager may be new too.
    def manager_id(row):
        if row.manager_key is None:
            return None
        kind, value = row.manager_key
        return value if kind == "person" else pk_of_line[value]

    new_managers = [
        Person(pk=pk_of_line[row.line], manager_id=manager_id(row), updated_at=now)
        for row in to_create if row.manager_key
    ]
    _bulk_set(Person, ["manager", "updated_at"], new_managers)

    changed_people, changed_users = [], []
    for row in plan.rows_to("update"):
        before = plan.existing[row.person_id]
        changed_people.append(Person(
            pk=row.person_id,
            employee_id=row.employee_id or before["employee_id"],
            job_title=row.job_title if "job_title" in present else before["job_title"],
            department_id=department_id(row.department if "department" in present else before["department"]),
            manager_id=manager_id(row) if "manager" in present else before["manager_id"],
            start_date=row.start_date if "start_date" in present else before["start_date"],
            is_active=row.is_active,
            left_on=row.left_on,
            updated_at=now,
        ))
        username = before["username"]
        # Someone who signs in with their e-mail keeps doing so when it changes.
        if username.lower() == before["email"].lower() and row.email.lower() != username.lower():
            username = _free_username(row.email, usernames)
        changed_users.append(User(pk=before["user_id"], first_name=row.first_name, last_name=row.last_name,
                                  email=row.email, username=username, is_active=row.is_active))
    for people_batch, users_batch in zip(_batches(changed_people), _batches(changed_users), strict=True):
        _bulk_set(Person, [
            "employee_id", "job_title", "department", "manager", "start_date", "is_active", "left_on", "updated_at",
        ], people_batch)
        _bulk_set(User, ["first_name", "last_name", "email", "username", "is_active"], users_batch)
        done += len(people_batch)
        report("Updating people", done, total)

    for batch in _batches([person["pk"] for person in plan.leavers]):
        Person.objects.filter(pk__in=batch).update(is_active=False, left_on=today, updated_at=now)
        User.objects.filter(person__pk__in=batch).update(is_active=False)
        done += len(batch)
        report("Marking leavers", done, total)
    left = [person["pk"] for person in plan.leavers] + [
        row.person_id for row in plan.rows_to("update")
        if not row.is_active and plan.existing[row.person_id]["is_active"]
    ]
    if left:
        people_left.send(sender=Person, person_ids=left, now=now)
    # New people have no earlier conversations, so only those already here can owe a new manager a handover.
    moved = [person.pk for person in changed_people
             if person.manager_id != plan.existing[person.pk]["manager_id"]]
    if moved:
        manager_changed.send(sender=Person, person_ids=moved)
    return [person.pk for person in new_people if person.is_active]


def _bulk_set(model, field_names, objects):
    """Write these fields of these objects, a batch per statement: UPDATE … FROM (VALUES …), which costs the
    database one join, where Django's bulk_update builds a CASE per field that grows with the square of a batch
    (a 20,000-person import spent most of its time there). PostgreSQL and SQLite (3.33+) both accept it."""
    if not objects:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    fields = [model._meta.get_field(name) for name in field_names]
    # PostgreSQL types a VALUES column from its values (text when they are all NULL): say what each column is.
    cast = connection.vendor == "postgresql"
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = "
        + (f"CAST(v.column{index} AS {field.db_type(connection)})" if cast else f"v.column{index}")
        for index, field in enumerate(fields, start=2)
    )
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for batch in _batches(objects):
            params = []
            for obj in batch:
                params.append(obj.pk)
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v "
                f"WHERE {table}.{pk_column} = v.column1",
                params,
            )


def _batches(items):
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start:start + BATCH_SIZE]


def _free_username(email, taken):
    username = email.lower()[:150]
    suffix = 2
    while username in taken:
        username = f"{email.lower()[:140]}-{suffix}"
        suffix += 1
    taken.add(username)
    return username


# --- Running an import from the page or the worker -------------------------------------------------------------

PROGRESS_CACHE = "progress"


def progress_key(import_id):
    return f"people-import:{import_id}:progress"


def import_progress(import_id):
    """The latest progress of a running import, as {"stage", "done", "total"}, or None."""
    try:
        return caches[PROGRESS_CACHE].get(progress_key(import_id))
    except Exception:
        # Progress is a nicety: without the cache, the page shows the import as running, without figures.
        logger.warning("progress of people import %s unavailable", import_id, exc_info=True)
        return None


def _record_progress(import_id, progress):
    try:
        if progress is None:
            caches[PROGRESS_CACHE].delete(progress_key(import_id))
        else:
            caches[PROGRESS_CACHE].set(progress_key(import_id), progress, timeout=24 * 60 * 60)
    except Exception:
        # An unreachable cache must not fail the import it reports on.
        logger.warning("progress of people import %s not recorded", import_id, exc_info=True)


def preview_import(*, data, file_name, full, invite, created_by, today):
    """Read and plan an uploaded file, and keep it with its preview until HR confirms or discards it."""
    people_file = read_people_file(data)
    plan = plan_import(people_file, full=full, today=today, acting_user=created_by)
    return PeopleImport.objects.create(
        file_name=file_name[:255],
        content=people_file.text or "",
        marks_leavers=full,
        sends_invitations=invite,
        preview=plan.as_preview(),
        created_by=created_by,
    )


def confirm_import(*, people_import, now):
    """Queue a previewed import for the worker. Returns False when it was not waiting for confirmation."""
    changed = PeopleImport.objects.filter(
        pk=people_import.pk, status=PeopleImport.Status.PREVIEWED
    ).update(status=PeopleImport.Status.QUEUED, queued_at=now)
    return changed == 1


# A worker that died mid-import left it "running" but its transaction rolled back: after this long it may rerun.
STALE_RUN = datetime.timedelta(minutes=15)


def run_import(*, import_id, now, today):
    """Apply a confirmed import (the worker calls this). Claims it first, so that a message delivered twice
    imports once; records the outcome. Returns the people to invite: those it created, when HR asked for it."""
    claimed = PeopleImport.objects.filter(
        Q(status=PeopleImport.Status.QUEUED)
        | Q(status=PeopleImport.Status.RUNNING, started_at__lt=now - STALE_RUN),
        pk=import_id,
    ).update(status=PeopleImport.Status.RUNNING, started_at=now)
    if not claimed:
        return []
    people_import = PeopleImport.objects.get(pk=import_id)

    def progress(stage, done, total):
        _record_progress(import_id, {"stage": stage, "done": done, "total": total})

    people_file = read_people_file(people_import.content.encode("utf-8"))
    try:
        outcome = apply_import(people_file, full=people_import.marks_leavers, today=today, now=now,
                               acting_user=people_import.created_by, progress=progress)
    except Exception:
        # The transaction rolled back: nothing was imported. HR sees that, and the log has the details.
        logger.exception("people import %s failed", import_id)
        PeopleImport.objects.filter(pk=import_id).update(
            status=PeopleImport.Status.FAILED, finished_at=timezone.now(),
            result={"applied": False, "error": "Something went wrong while importing: nothing was changed."},
        )
        _record_progress(import_id, None)
        return []
    people_import.result = outcome.summary()
    people_import.finished_at = timezone.now()
    if outcome.applied:
        people_import.status = PeopleImport.Status.DONE
        people_import.content = ""
    else:
        # The data changed between the preview and the confirmation: show the problems as they are now.
        people_import.status = PeopleImport.Status.FAILED
        people_import.preview = outcome.plan.as_preview()
    people_import.save(update_fields=["result", "finished_at", "status", "content", "preview"])
    _record_progress(import_id, None)
    return outcome.created_person_ids if people_import.sends_invitations else []
