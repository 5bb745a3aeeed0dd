"""The people import: reading HR exports, the preview with every problem by line and column, and applying it."""

import datetime

import pytest
from django.contrib.auth.models import User

from conversations.models import Conversation
from people.importing import apply_import, plan_import, preview_import, read_people_file
from people.models import Department, Organisation, PeopleImport, Person
from tests.support.factories import ConversationFactory, PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)

HEADER = "Employee ID,Email,First name,Last name,Job title,Department,Manager,Timezone,Start date,Status\n"
GOOD_FILE = (
    HEADER
    + "E001,ada@example.com,Ada,Lovelace,CTO,Engineering,,Europe/London,2020-01-06,Active\n"
    + "E002,grace@example.com,Grace,Hopper,Staff Engineer,Engineering,E001,America/New_York,2021-03-01,Active\n"
    + "E003,alan@example.com,Alan,Turing,Engineer,Research,grace@example.com,,2022-09-12,\n"
)


def plan(text, *, full=True, acting_user=None):
    return plan_import(read_people_file(text.encode()), full=full, today=TODAY, acting_user=acting_user)


def apply(text, *, full=True, acting_user=None, progress=None):
    return apply_import(read_people_file(text.encode() if isinstance(text, str) else text), full=full, today=TODAY,
                        now=NOW, acting_user=acting_user, progress=progress)


def problems(result, *, blocking=True):
    """The problems that stop the import (or, with blocking=False, the warnings), as (line, column, message)."""
    found = [p for p in result.problems if p.blocking == blocking]
    return [(p.line, p.column, p.message) for p in sorted(found, key=lambda p: (p.line, p.column))]


def snapshot():
    return (
        list(User.objects.order_by("pk").values_list("username", "email", "first_name", "last_name", "is_active")),
        list(Person.objects.order_by("pk").values_list(
            "employee_id", "job_title", "department__name", "manager__employee_id", "timezone", "start_date",
            "is_active", "left_on", "updated_at")),
        list(Department.objects.order_by("name").values_list("name", flat=True)),
    )


# --- Every kind of problem, by line and column -----------------------------------------------------------------

BROKEN_FILE = (
    HEADER                                                                                          # line 1
    + "E001,ada@example.com,Ada,Lovelace,CTO,Engineering,,Europe/London,2020-01-06,Active\n"        # 2
    + "E002,grace@example.com,Grace,Hopper,Engineer,Engineering,E001,,2021-03-01,Active\n"          # 3
    + "E003,not-an-email,Alan,Turing,Engineer,Engineering,E001,,,Active\n"                          # 4
    + "E004,linus@example.com,Linus,Torvalds,Engineer,Engineering,E999,,,Active\n"                  # 5
    + "E002,dup@example.com,Dup,Id,Engineer,Engineering,E001,,,Active\n"                            # 6
    + "E006,GRACE@example.com,Dup,Email,Engineer,Engineering,E001,,,Active\n"                       # 7
    + "E007,tim@example.com,Tim,Zone,Engineer,Engineering,E001,Mars/Olympus_Mons,,Active\n"         # 8
    + "E008,lo@example.com,Lo,One,Engineer,Engineering,E009,,,Active\n"                             # 9
    + "E009,la@example.com,La,Two,Engineer,Engineering,E008,,,Active\n"                             # 10
    + 'E010,dee@example.com,Dee,Date,"Head of\nPlatform",Engineering,E001,,03/04/2024,Active\n'      # 11-12
    + "E011,stu@example.com,Stu,Status,Engineer,Engineering,E001,,,Maybe\n"                         # 13
    + "E012,sel@example.com,Sel,Fish,Engineer,Engineering,E012,,,Active\n"                          # 14
    + "E013,,No,Mail,Engineer,Engineering,E001,,,Active\n"                                          # 15
    + "E014,olga@example.com,Olga,Petrova,Engineer,Engineering,E001,,,Active\n"                     # 16
    + "E015,nat@example.com,,,Engineer,Engineering,E001,,2024-13-01,Active\n"                       # 17
)


def test_a_broken_file_is_explained_line_by_line_and_column_by_column():
    PersonFactory(employee_id="E900", user__username="olga", user__email="olga@example.com",
                  user__first_name="Olga", user__last_name="Petrova")

    result = plan(BROKEN_FILE)

    assert problems(result) == [
        (4, "Email", "“not-an-email” is not a valid e-mail address."),
        (5, "Manager", "No one with the employee id E999 is in this file or in careerconv."),
        (6, "Employee ID", "Employee id E002 is also on line 3."),
        (7, "Email", "GRACE@example.com is also on line 3."),
        (8, "Timezone", "“Mars/Olympus_Mons” is not a timezone: use a name such as Europe/London or America/New_York."),
        (9, "Manager", "A loop of managers: Lo One (line 9) → La Two (line 10) → Lo One (line 9)."),
        (10, "Manager", "A loop of managers: Lo One (line 9) → La Two (line 10) → Lo One (line 9)."),
        (11, "Start date", "“03/04/2024” could be read two ways (day/month or month/day): write dates as YYYY-MM-DD."),
        (13, "Status", "“Maybe” is not a status: use Active or Left (also: Terminated, Inactive)."),
        (14, "Manager", "A person cannot be their own manager."),
        (15, "Email", "The e-mail address is missing."),
        (16, "Employee ID", "olga@example.com belongs to Olga Petrova, whose employee id is E900, not E014."),
        (17, "First name", "The name is missing."),
        (17, "Start date", "“2024-13-01” is not a date: write dates as YYYY-MM-DD (for example 2024-01-31)."),
    ]
    assert result.counts()["errors"] == 14


def test_a_slash_date_that_is_no_date_either_way_is_not_called_ambiguous():
    result = plan(HEADER + "E001,ada@example.com,Ada,Lovelace,CTO,Engineering,,,31/31/2026,Active\n")

    assert problems(result) == [
        (2, "Start date", "“31/31/2026” is not a date: write dates as YYYY-MM-DD (for example 2024-01-31)."),
    ]


def test_a_broken_file_changes_nothing_when_applied():
    PersonFactory(employee_id="E900", user__email="olga@example.com")
    before = snapshot()

    outcome = apply(BROKEN_FILE)

    assert outcome.applied is False
    assert snapshot() == before


def test_a_loop_through_people_already_here_is_found_with_their_names():
    boss = PersonFactory(employee_id="B1", user__first_name="Bea", user__last_name="Boss")
    PersonFactory(employee_id="R1", user__first_name="Rui", user__last_name="Report", manager=boss)
    # The file makes Bea report to Rui, who (in the database, not in the file) reports to Bea.
    text = HEADER.replace(",Timezone,Start date,Status", "") + \
        f"B1,{boss.user.email},Bea,Boss,Director,Engineering,R1\n"

    result = plan(text, full=False)

    assert problems(result) == [
        (2, "Manager", "A loop of managers: Bea Boss (line 2) → Rui Report → Bea Boss (line 2)."),
    ]


def test_values_too_long_for_their_field_are_reported():
    text = HEADER + f"E1,a@example.com,Ann,Lee,{'x' * 151},Engineering,,,,\n"

    assert problems(plan(text)) == [(2, "Job title", "This is 151 characters long; at most 150 fit.")]


def test_a_line_with_more_values_than_the_header_is_reported():
    text = "Email,Name\nann@example.com,Ann Lee,Sales\n"

    assert problems(plan(text)) == [(2, "", (
        "This line has 3 values but the header has 2 columns: a value that contains the delimiter must be in "
        "double quotes."
    ))]


def test_a_manager_on_a_line_with_its_own_problem_is_not_also_called_unknown():
    text = HEADER + "E1,ann@example,Ann,Lee,Boss,Sales,,,,\n" + "E2,bo@example.com,Bo,Ng,Rep,Sales,E1,,,\n"

    assert problems(plan(text)) == [(2, "Email", "“ann@example” is not a valid e-mail address.")]


# --- Reading the file: encodings, delimiters, headers ----------------------------------------------------------

def test_a_file_that_is_not_utf8_is_refused_with_the_line_to_look_at():
    data = "Email,Name\nann@example.com,Ann Lee\nzoe@example.com,Zoë Þórsdóttir\n".encode("cp1252")

    people_file = read_people_file(data)

    assert problems(people_file) == [(3, "", (
        "This line is not UTF-8 text. Save the file as “CSV UTF-8” (in Excel: File › Save As › CSV UTF-8) and "
        "upload it again."
    ))]


def test_a_utf8_file_with_a_byte_order_mark_and_semicolons_is_read():
    data = "\ufeffEmployee ID;E-Mail;First name;Last name\nP-1;zoe@example.com;Zoë;Þórsdóttir\n".encode()

    people_file = read_people_file(data)

    assert people_file.delimiter == ";"
    assert people_file.headers == {"employee_id": "Employee ID", "email": "E-Mail", "first_name": "First name",
                                   "last_name": "Last name"}
    assert people_file.rows[0].cells == {"employee_id": "P-1", "email": "zoe@example.com", "first_name": "Zoë",
                                         "last_name": "Þórsdóttir"}
    assert people_file.problems == []


def test_excel_s_sep_line_names_the_delimiter_and_line_numbers_still_match_the_file():
    text = "sep=;\nEmail;Name;Timezone\nann@example.com;Ann Lee;Nowhere/Land\n"

    result = plan(text)

    assert problems(result) == [(3, "Timezone", (
        "“Nowhere/Land” is not a timezone: use a name such as Europe/London or America/New_York."
    ))]


def test_common_header_names_from_hr_systems_are_recognised_whatever_their_case():
    text = ("EMPLOYEE #,Work Email,Given Name,Surname,Business Title,Supervisory Organization,Reports To,Time Zone,"
            "Hire Date,Employment Status,Termination Date,Cost Centre\n"
            "7,ann@example.com,Ann,Lee,Analyst,Finance,,Europe/Paris,2023-02-01,Active,,CC-12\n")

    people_file = read_people_file(text.encode())

    assert people_file.headers == {
        "employee_id": "EMPLOYEE #", "email": "Work Email", "first_name": "Given Name", "last_name": "Surname",
        "job_title": "Business Title", "department": "Supervisory Organization", "manager": "Reports To",
        "timezone": "Time Zone", "start_date": "Hire Date", "status": "Employment Status",
        "left_on": "Termination Date",
    }
    assert people_file.ignored == ["Cost Centre"]


def test_a_full_name_column_is_split_into_first_and_last_name():
    outcome = apply("Full Name,E-mail address\nMaria de la Cruz,maria@example.com\n")

    user = User.objects.get(email="maria@example.com")
    assert outcome.applied and (user.first_name, user.last_name) == ("Maria", "de la Cruz")


def test_a_full_name_written_last_comma_first_is_read_that_way():
    outcome = apply('Full Name,E-mail address\n"Lee, Sam",sam@example.com\n'
                    '"van der Berg, Anna-Lena",anna@example.com\n')

    names = dict(User.objects.filter(person__isnull=False).values_list("email", "first_name"))
    assert outcome.applied and names == {"sam@example.com": "Sam", "anna@example.com": "Anna-Lena"}
    assert User.objects.get(email="anna@example.com").last_name == "van der Berg"


def test_every_problem_of_a_line_is_reported_not_only_the_first():
    result = plan("Employee ID,Email,First name,Last name,Manager,Start date\n"
                  "E1,ada@example.com,Ada,Lovelace,,2024-01-31\n"
                  "E2,alan@example,Alan,Turing,E9,03/04/2024\n")

    assert problems(result) == [
        (3, "Email", "“alan@example” is not a valid e-mail address."),
        (3, "Manager", "No one with the employee id E9 is in this file or in careerconv."),
        (3, "Start date", "“03/04/2024” could be read two ways (day/month or month/day): write dates as YYYY-MM-DD."),
    ]


def test_marking_more_than_a_fifth_of_the_active_people_as_left_asks_for_the_number_typed():
    for _ in range(9):
        PersonFactory()
    one_left = plan("Email,First name,Last name\n" + "".join(
        f"{person.user.email},{person.user.first_name},{person.user.last_name}\n"
        for person in Person.objects.all()[:8]))
    two_left = plan("Email,First name,Last name\n" + "".join(
        f"{person.user.email},{person.user.first_name},{person.user.last_name}\n"
        for person in Person.objects.all()[:7]))

    assert one_left.as_preview()["leavers_to_confirm"] == 0
    assert (two_left.counts()["leave"], two_left.counts()["active"]) == (2, 9)
    assert two_left.as_preview()["leavers_to_confirm"] == 2


def test_missing_required_columns_are_reported_on_the_header_line():
    result = plan("Employee ID,Department\nE1,Sales\n")

    assert problems(result) == [
        (1, "", "There is no e-mail column: name one “Email” (or “Work email”, “E-mail address”)."),
        (1, "", "There is no name column: add “First name” and “Last name”, or “Name”."),
    ]


def test_a_file_without_employee_ids_can_be_imported_with_a_warning():
    result = plan("Email,Name\nann@example.com,Ann Lee\n")

    assert problems(result) == []
    assert problems(result, blocking=False) == [
        (1, "", "There is no employee id column: people are matched by e-mail only.")]


def test_two_columns_meaning_the_same_field_are_reported():
    result = plan("Email,Work email,Name\na@example.com,b@example.com,Ann\n")

    assert problems(result)[0] == (1, "Work email", "“Work email” and “Email” both mean email: keep one of them.")


def test_an_empty_file_is_explained():
    assert problems(read_people_file(b"")) == [
        (1, "", "The file is empty: it needs a header and one line per person.")]
    assert problems(read_people_file(b"Email,Name\n")) == [(1, "", "The file has a header but no people.")]


def test_an_unclosed_quote_is_reported_where_the_line_starts():
    text = 'Email,Name\nann@example.com,Ann\nbo@example.com,"Bo\n'

    assert problems(read_people_file(text.encode())) == [(3, "", (
        "The file cannot be read from this line on (unexpected end of data): look for a double quote that is "
        "not closed."
    ))]


# --- The preview writes nothing ------------------------------------------------------------------------------

def test_the_preview_counts_what_would_change_and_writes_nothing(hr):
    PersonFactory(employee_id="E002", user__email="grace@example.com", user__first_name="Grace",
                  user__last_name="Hopper", job_title="Engineer", department__name="Engineering")
    leaver = PersonFactory(employee_id="E050", user__first_name="Lee", user__last_name="Ver")
    before = snapshot()

    people_import = preview_import(data=GOOD_FILE.encode(), file_name="workday.csv", full=True, invite=True,
                                   created_by=hr.user, today=TODAY)

    assert snapshot() == before
    assert people_import.status == PeopleImport.Status.PREVIEWED
    assert people_import.preview["counts"] == {
        "rows": 3, "create": 2, "update": 1, "unchanged": 0, "leave": 1, "skipped": 0, "departments": 1,
        "errors": 0, "warnings": 1, "active": 3,
    }
    assert people_import.preview["update"] == [{"line": 3, "name": "Grace Hopper", "changes": [
        ["Job title", "Engineer", "Staff Engineer"], ["Manager", "—", "Ada Lovelace"],
        ["Start date", "2024-01-08", "2021-03-01"],
    ]}]
    assert people_import.preview["leave"] == [{"name": "Lee Ver", "email": leaver.user.email}]
    assert people_import.preview["departments"] == ["Research"]
    assert people_import.preview["problems"] == [{"line": 1, "column": "", "blocking": False, "message": (
        "You are not in this file: you stay active, so that you can still sign in.")}]


# --- Applying: creation, idempotency, leavers -----------------------------------------------------------------

def test_applying_creates_people_with_their_managers_departments_and_accounts():
    Organisation.objects.update_or_create(pk=1, defaults={"default_cadence_days": 60})

    outcome = apply(GOOD_FILE)

    assert outcome.applied
    ada, grace, alan = (Person.objects.select_related("user", "department", "manager")
                        .get(employee_id=eid) for eid in ("E001", "E002", "E003"))
    assert (ada.user.username, ada.user.email, ada.name, ada.job_title) == (
        "ada@example.com", "ada@example.com", "Ada Lovelace", "CTO")
    assert ada.manager is None and grace.manager == ada and alan.manager == grace
    assert (grace.timezone, alan.timezone) == ("America/New_York", "Europe/London")
    assert alan.department.name == "Research" and alan.start_date == datetime.date(2022, 9, 12)
    assert ada.cadence_days == 60
    assert not ada.user.has_usable_password()
    assert sorted(outcome.created_person_ids) == sorted([ada.pk, grace.pk, alan.pk])


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    apply(GOOD_FILE)
    before = snapshot()

    outcome = apply(GOOD_FILE)

    assert outcome.plan.counts() | {"rows": 0} == {
        "rows": 0, "create": 0, "update": 0, "unchanged": 3, "leave": 0, "skipped": 0, "departments": 0,
        "errors": 0, "warnings": 0, "active": 3,
    }
    assert snapshot() == before


def test_people_are_matched_by_employee_id_then_by_e_mail():
    by_id = PersonFactory(employee_id="E001", user__email="old-ada@example.com", user__username="old-ada@example.com")
    by_email = PersonFactory(employee_id=None, user__email="Grace@Example.com")

    apply(GOOD_FILE)

    by_id.refresh_from_db()
    by_id.user.refresh_from_db()
    by_email.refresh_from_db()
    assert (by_id.user.email, by_id.user.username) == ("ada@example.com", "ada@example.com")
    assert by_email.employee_id == "E002"
    assert Person.objects.count() == 3


def test_an_account_without_a_person_is_linked_instead_of_duplicated():
    admin = User.objects.create_user("admin", email="ada@example.com")

    apply(GOOD_FILE)

    assert Person.objects.get(employee_id="E001").user == admin
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


def test_people_missing_from_a_full_file_are_marked_as_left_and_keep_their_history():
    apply(GOOD_FILE)
    alan = Person.objects.get(employee_id="E003")
    ConversationFactory(employee=alan, partner=Person.objects.get(employee_id="E002"),
                        status=Conversation.Status.COMPLETED)

    outcome = apply(GOOD_FILE.rsplit("E003", 1)[0])

    alan.refresh_from_db()
    assert outcome.plan.counts()["leave"] == 1
    assert (alan.is_active, alan.left_on, alan.user.is_active) == (False, TODAY, False)
    assert Conversation.objects.filter(employee=alan).count() == 1


def test_a_partial_file_marks_nobody_as_left():
    apply(GOOD_FILE)

    outcome = apply(GOOD_FILE.rsplit("E003", 1)[0], full=False)

    assert outcome.plan.counts()["leave"] == 0
    assert Person.objects.get(employee_id="E003").is_active


def test_a_status_of_terminated_marks_a_person_as_left_on_their_leaving_date():
    apply(GOOD_FILE)
    text = GOOD_FILE.replace("Status\n", "Status,Termination date\n").replace(",Active\n", ",Active,\n") \
        .replace("2022-09-12,\n", "2022-09-12,Terminated,2026-02-27\n")

    apply(text)

    alan = Person.objects.get(employee_id="E003")
    assert (alan.is_active, alan.left_on) == (False, datetime.date(2026, 2, 27))


def test_someone_who_left_and_is_back_in_the_file_is_active_again():
    apply(GOOD_FILE)
    apply(GOOD_FILE.rsplit("E003", 1)[0])

    outcome = apply(GOOD_FILE)

    alan = Person.objects.select_related("user").get(employee_id="E003")
    assert outcome.plan.counts()["update"] == 1
    assert (alan.is_active, alan.left_on, alan.user.is_active) == (True, None, True)


def test_leavers_the_organisation_never_had_are_skipped():
    outcome = apply(HEADER + "E1,old@example.com,Old,Timer,Clerk,Sales,,,2001-01-01,Terminated\n")

    assert outcome.plan.counts()["skipped"] == 1
    assert not Person.objects.exists()


def test_the_person_running_a_full_import_is_not_marked_as_left(hr):
    outcome = apply(GOOD_FILE, acting_user=hr.user)

    hr.refresh_from_db()
    assert hr.is_active and outcome.plan.counts()["leave"] == 0


def test_a_persons_own_timezone_survives_a_new_import():
    apply(GOOD_FILE)
    Person.objects.filter(employee_id="E002").update(timezone="Asia/Tokyo")

    outcome = apply(GOOD_FILE)

    assert outcome.plan.counts()["unchanged"] == 3
    assert Person.objects.get(employee_id="E002").timezone == "Asia/Tokyo"


def test_an_active_person_whose_manager_leaves_is_a_warning_not_a_problem():
    apply(GOOD_FILE)
    text = GOOD_FILE.replace("2020-01-06,Active", "2020-01-06,Left")

    result = plan(text)

    assert problems(result, blocking=False) == [
        (3, "Manager", "Their manager, Ada Lovelace, is marked as having left.")]
    assert problems(result) == []


def test_an_email_already_used_by_someone_outside_the_file_is_refused():
    PersonFactory(employee_id="X1", user__email="grace@example.com", user__first_name="Gr", user__last_name="Ace")

    result = plan(GOOD_FILE, full=False)

    assert problems(result) == [(3, "Employee ID", (
        "grace@example.com belongs to Gr Ace, whose employee id is X1, not E002."))]


def test_two_people_can_swap_e_mail_addresses_in_one_file():
    apply(GOOD_FILE)
    swapped = GOOD_FILE.replace("ada@example.com", "tmp").replace("grace@example.com", "ada@example.com") \
        .replace("tmp", "grace@example.com")

    outcome = apply(swapped)

    assert outcome.applied
    assert Person.objects.get(employee_id="E001").user.email == "grace@example.com"


# --- Scale: bulk operations, progress ----------------------------------------------------------------------------

def big_file(rows):
    lines = [HEADER]
    for n in range(rows):
        manager = "" if n == 0 else f"E{(n - 1) // 10:05d}"
        lines.append(f"E{n:05d},p{n}@example.com,First{n},Last{n},Engineer,Dept {n % 7},{manager},,2024-01-01,\n")
    return "".join(lines)


@pytest.mark.postgres  # SQLite caps the parameters of a statement, so its batches are smaller and more numerous
def test_the_number_of_queries_does_not_grow_with_the_file(django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        outcome = apply(big_file(1500))

    assert outcome.applied and Person.objects.count() == 1500
    assert Person.objects.get(employee_id="E00011").manager.employee_id == "E00001"


def test_progress_is_reported_through_every_stage():
    seen = []

    apply(big_file(2500), progress=lambda stage, done, total: seen.append((stage, done, total)))

    assert seen == [
        ("Checking the file", 0, 2500),
        ("Adding new people", 1000, 2500),
        ("Adding new people", 2000, 2500),
        ("Adding new people", 2500, 2500),
    ]


def test_an_active_person_whose_manager_left_before_ever_being_here_gets_no_manager_and_a_warning():
    text = HEADER + "E1,old@example.com,Old,Boss,Director,Sales,,,,Terminated\n" + \
        "E2,new@example.com,New,Hire,Rep,Sales,E1,,,Active\n"

    outcome = apply(text)

    assert problems(outcome.plan, blocking=False) == [(3, "Manager", (
        "Their manager, Old Boss (line 2), has left and was never in careerconv: no manager is set."))]
    assert outcome.applied and Person.objects.get(employee_id="E2").manager is None


def test_a_department_written_in_another_case_is_the_same_department():
    apply(GOOD_FILE)

    outcome = apply(GOOD_FILE.replace(",Engineering,", ",ENGINEERING,"))

    assert outcome.plan.counts()["update"] == 0 and outcome.plan.counts()["departments"] == 0
    assert Department.objects.filter(name__iexact="engineering").count() == 1


def test_someone_who_left_keeps_their_leaving_date_when_the_file_gives_none():
    apply(GOOD_FILE)
    Person.objects.filter(employee_id="E003").update(is_active=False, left_on=datetime.date(2025, 12, 31))

    outcome = apply(GOOD_FILE.replace("2022-09-12,\n", "2022-09-12,Left\n").replace("Alan,", "Alan-Mathison,"))

    alan = Person.objects.get(employee_id="E003")
    assert outcome.plan.counts()["update"] == 1
    assert (alan.is_active, alan.left_on, alan.user.first_name) == (False, datetime.date(2025, 12, 31),
                                                                    "Alan-Mathison")
