"""HR's import pages: upload, preview with problems, confirm, progress and result; and the import_people command."""

import io

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from people.importing import progress_key
from people.models import Invitation, PeopleImport, Person
from tests.support.factories import PersonFactory
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db

HEADER = "Employee ID,Email,First name,Last name,Job title,Department,Manager\n"
GOOD = (HEADER + "E1,ada@example.com,Ada,Lovelace,CTO,Engineering,\n"
        + "E2,alan@example.com,Alan,Turing,Engineer,Research,E1\n")
BROKEN = HEADER + "E1,ada@example.com,Ada,Lovelace,CTO,Engineering,\nE2,alan@example,Alan,Turing,Engineer,Research,E9\n"


def upload(client, text, name="people.csv", **options):
    data = {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"), "marks_leavers": "on",
            "sends_invitations": "on", **options}
    return client.post(reverse("people:import"), data)


@pytest.fixture
def hr_client(client, hr):
    client.force_login(hr.user)
    return client


def test_only_hr_may_open_the_import_page(client, employee, hr):
    client.force_login(employee.user)
    assert client.get(reverse("people:import")).status_code == 404

    client.force_login(hr.user)
    response = client.get(reverse("people:import"))
    assert response.status_code == 200
    assert "Preview the import" in response.text


def test_a_file_with_problems_is_previewed_with_its_lines_and_cannot_be_confirmed(hr_client, hr):
    response = upload(hr_client, BROKEN)

    people_import = PeopleImport.objects.get()
    assert response.status_code == 302 and response["Location"] == people_import.get_absolute_url()
    page = hr_client.get(response["Location"]).text
    # Every problem of line 3 at once: its e-mail and its manager.
    assert "2 problems to fix" in page
    assert ('<td>3</td><td>Email</td><td class="text-prewrap">“alan@example” is not a valid e-mail address.</td>'
            in page)
    assert ('<td>3</td><td>Manager</td><td class="text-prewrap">No one with the employee id E9 is in this file or in '
            'careerconv.</td>' in page)
    assert "Import now" not in page
    assert Person.objects.count() == 1  # only HR

    confirm = hr_client.post(reverse("people:import_confirm", args=[people_import.pk]), follow=True)
    assert "This file has problems: fix them and upload it again." in confirm.text
    assert PeopleImport.objects.get().status == PeopleImport.Status.PREVIEWED


def test_confirming_a_preview_imports_the_people_and_invites_the_new_ones(
        hr_client, hr, django_capture_on_commit_callbacks):
    upload(hr_client, GOOD)
    people_import = PeopleImport.objects.get()
    preview = hr_client.get(people_import.get_absolute_url()).text
    assert "What this import will do" in preview and "Import now" in preview
    assert Person.objects.count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = hr_client.post(reverse("people:import_confirm", args=[people_import.pk]))

    people_import.refresh_from_db()
    assert response["Location"] == people_import.get_absolute_url()
    assert people_import.status == PeopleImport.Status.DONE and people_import.content == ""
    assert people_import.result["create"] == 2
    assert Person.objects.get(employee_id="E2").manager == Person.objects.get(employee_id="E1")
    # HR is not in the file but ran the import: still active.
    hr.refresh_from_db()
    assert hr.is_active
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "alan@example.com"]
    assert Invitation.objects.filter(sent_by=hr.user).count() == 2
    result = hr_client.get(people_import.get_absolute_url()).text
    assert "Imported" in result and "2 new, 0 updated, 0 marked as left, 0 unchanged" in result


def test_without_invitations_nobody_is_e_mailed(hr_client, django_capture_on_commit_callbacks):
    hr_client.post(reverse("people:import"), {"file": SimpleUploadedFile("p.csv", GOOD.encode())})
    people_import = PeopleImport.objects.get()
    assert (people_import.marks_leavers, people_import.sends_invitations) == (False, False)

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_confirm", args=[people_import.pk]))

    assert Person.objects.count() == 3 and mail.outbox == []


def test_a_confirmed_import_is_not_run_twice(hr_client, django_capture_on_commit_callbacks):
    upload(hr_client, GOOD)
    people_import = PeopleImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_confirm", args=[people_import.pk]))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = hr_client.post(reverse("people:import_confirm", args=[people_import.pk]), follow=True)

    assert callbacks == []
    assert "This import was confirmed already." in response.text


def test_when_the_data_changed_since_the_preview_the_import_fails_and_writes_nothing(
        hr_client, django_capture_on_commit_callbacks):
    upload(hr_client, GOOD)
    people_import = PeopleImport.objects.get()
    # Meanwhile someone else gets Alan's e-mail address and another employee id.
    PersonFactory(employee_id="X9", user__email="alan@example.com", user__first_name="Al", user__last_name="T")

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_confirm", args=[people_import.pk]))

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.FAILED
    assert not Person.objects.filter(employee_id__in=["E1", "E2"]).exists()
    page = hr_client.get(people_import.get_absolute_url()).text
    assert "Not imported" in page
    assert "alan@example.com belongs to Al T, whose employee id is X9, not E2." in page


def test_a_preview_can_be_discarded(hr_client):
    upload(hr_client, GOOD)
    people_import = PeopleImport.objects.get()

    response = hr_client.post(reverse("people:import_discard", args=[people_import.pk]), follow=True)

    assert "The preview of people.csv is discarded; nothing was imported." in response.text
    assert not PeopleImport.objects.exists()


def test_every_problem_can_be_downloaded_as_csv(hr_client):
    upload(hr_client, BROKEN)
    people_import = PeopleImport.objects.get()

    response = hr_client.get(reverse("people:import_problems", args=[people_import.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Line,Column,Problem,Blocks the import",
        '1,,"You are not in this file: you stay active, so that you can still sign in.",no',
        "3,Email,“alan@example” is not a valid e-mail address.,yes",
        "3,Manager,No one with the employee id E9 is in this file or in careerconv.,yes",
    ]


def test_the_example_file_imports_without_a_problem(hr_client):
    template = hr_client.get(reverse("people:import_template")).content.decode()

    upload(hr_client, template, name="people-template.csv")

    counts = PeopleImport.objects.get().preview["counts"]
    assert (counts["create"], counts["skipped"], counts["errors"]) == (2, 1, 0)


def test_a_file_that_is_not_csv_is_refused_next_to_the_field(hr_client):
    response = hr_client.post(reverse("people:import"), {
        "file": SimpleUploadedFile("people.xlsx", b"PK\x03\x04")})

    assert response.status_code == 200
    assert "Upload a .csv file. From Excel or Google Sheets: File › Save As (or Download) › CSV." in response.text
    assert not PeopleImport.objects.exists()


def test_the_progress_fragment_shows_a_bar_while_running_and_the_result_when_done(hr_client, hr):
    people_import = PeopleImport.objects.create(file_name="big.csv", status=PeopleImport.Status.RUNNING,
                                                created_by=hr.user)
    caches["progress"].set(progress_key(people_import.pk), {"stage": "Adding new people", "done": 8000,
                                                            "total": 20000})
    url = reverse("people:import_progress", args=[people_import.pk])

    running = hr_client.get(url, headers={"HX-Request": "true"}).text
    assert "Adding new people: 8,000 of 20,000" in running
    assert '<progress id="import-progress-bar" class="import-progress" max="20000" value="8000">' in running
    assert 'hx-trigger="every 1s"' in running

    PeopleImport.objects.filter(pk=people_import.pk).update(
        status=PeopleImport.Status.DONE, result={"create": 20000, "update": 0, "leave": 0, "unchanged": 0})
    done = hr_client.get(url, headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in done
    assert "20000 new, 0 updated, 0 marked as left, 0 unchanged" in done
    caches["progress"].delete(progress_key(people_import.pk))


def test_html_in_a_file_is_shown_as_text(hr_client):
    upload(hr_client, HEADER + "E1,ada@example.com,<script>alert(1)</script>,L,CTO,Eng,\n")

    page = hr_client.get(PeopleImport.objects.get().get_absolute_url()).text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; L" in page


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_confirmed_import_runs_on_a_real_worker(celery_live_worker, client, hr):
    client.force_login(hr.user)
    upload(client, GOOD)
    people_import = PeopleImport.objects.get()

    client.post(reverse("people:import_confirm", args=[people_import.pk]))

    wait_until(lambda: PeopleImport.objects.filter(pk=people_import.pk, status=PeopleImport.Status.DONE).exists(),
               timeout=30)
    assert Person.objects.filter(employee_id__in=["E1", "E2"]).count() == 2
    assert Person.objects.get(pk=hr.pk).is_active


# --- The command -------------------------------------------------------------------------------------------------

def test_the_command_in_dry_run_says_what_would_change_and_writes_nothing(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    out = io.StringIO()

    call_command("import_people", str(path), "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        "Would import: 2 new, 0 updated, 0 marked as left, 0 unchanged, 0 skipped; 2 new departments.",
    ]
    assert not Person.objects.exists()


def test_the_command_imports_and_invites(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "people.csv"
    path.write_text(GOOD)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_people", str(path), stdout=out, stderr=io.StringIO())

    assert out.getvalue().splitlines()[-1] == (
        "Imported: 2 new, 0 updated, 0 marked as left, 0 unchanged, 0 skipped; 2 new departments.")
    assert Person.objects.count() == 2 and len(mail.outbox) == 2


def test_the_command_lists_problems_by_line_and_fails(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(BROKEN)
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 problems: nothing was written"):
        call_command("import_people", str(path), stdout=out, stderr=io.StringIO())

    assert "line 3, column Email: problem: “alan@example” is not a valid e-mail address." in out.getvalue()
    assert not Person.objects.exists()


def test_the_command_explains_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: No such file or directory."):
        call_command("import_people", str(tmp_path / "missing.csv"))


def test_an_unreachable_progress_cache_does_not_fail_the_import(hr_client, settings,
                                                                django_capture_on_commit_callbacks):
    upload(hr_client, GOOD)
    people_import = PeopleImport.objects.get()
    settings.CACHES = {**settings.CACHES, "progress": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}}

    with django_capture_on_commit_callbacks(execute=True):
        hr_client.post(reverse("people:import_confirm", args=[people_import.pk]))

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.DONE
    assert "Imported" in hr_client.get(people_import.get_absolute_url()).text


def test_text_from_the_file_cannot_become_a_formula_in_the_problems_csv(hr_client):
    upload(hr_client, HEADER + '=1+1,=cmd@example.com,Ada,L,CTO,Eng,\n' + 'E2,=cmd@example.com,Bo,L,CTO,Eng,\n')
    people_import = PeopleImport.objects.get()

    lines = hr_client.get(reverse("people:import_problems", args=[people_import.pk])).content.decode("utf-8-sig")

    assert "3,Email,'=cmd@example.com is also on line 2.,yes" in lines.splitlines()
