"""Every URL of the project, for every role, with the answer each must get.

The URLs come from the URLconf (tests/urlwalk.py), so a new URL fails here until its row is written: the table
below is the project's authorisation policy, read top to bottom. Object URLs are filled in with real objects of
one small organisation in which every role exists, so that "may not see" is tested against objects that exist:
an object a user may not see answers 404, like one that does not exist.

The organisation is built once for the module, in a transaction rolled back at its end, and each role signs in
once. Each URL is requested with GET and with an empty POST by each role, from a client that holds only that
sign-in; a role's requests run in a savepoint that is rolled back, so that what one role does (signing out
included) cannot change what the next one sees. Every HTML page answered with 200
is also checked for code the Content Security Policy would block (inline scripts, style attributes, handlers).
"""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.utils import timezone

from careerconv.models import WorkerHeartbeat
from conversations import audit, feedback
from conversations.models import (
    AuditEvent,
    CalendarConnection,
    DayOff,
    GuideQuestion,
    Handover,
    Notes,
    Notification,
    Reminder,
    ReminderEmail,
    Roadblock,
)
from people.models import Department, Invitation, Organisation, PeopleImport
from people.scim import tokens
from tests.support.factories import (
    ActionItemFactory,
    AvailabilityFactory,
    ConversationFactory,
    NotesFactory,
    PersonFactory,
    PreparationFactory,
    make_hr,
    weekday_windows,
)
from tests.support.urlwalk import all_routes

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "employee", "other_employee", "manager", "other_manager", "partner_mentor", "other_mentor",
         "hr", "superuser")

def only(status, *who):
    """`status` for the roles named, 404 for every other signed-in role, sign-in for the anonymous."""
    return tuple(302 if role == "anonymous" else status if role in who else 404 for role in ROLES)


# Shorthands for the common rows, in the order of ROLES.
#                anon emp  oemp mgr  omgr pmen omen hr   su
EVERYONE_200 = (200, 200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200, 200, 200, 200)
NOT_ALLOWED = (302, 405, 405, 405, 405, 405, 405, 405, 405)
PEOPLE_ONLY = (302, 200, 200, 200, 200, 200, 200, 200, 404)  # a superuser with no person has no records
HR_ONLY = (302, 404, 404, 404, 404, 404, 404, 200, 404)
# The conversation every object URL points at is the employee's with the mentor (not with their manager).
PARTICIPANTS = (302, 200, 404, 404, 404, 200, 404, 404, 404)
PARTICIPANTS_REDIRECTED = (302, 302, 404, 404, 404, 302, 404, 404, 404)
EMPLOYEE_ONLY = (302, 200, 404, 404, 404, 404, 404, 404, 404)
MANAGERS_ONLY = (302, 404, 404, 200, 200, 404, 404, 404, 404)
MANAGER_OF_EMPLOYEE = (302, 404, 404, 200, 404, 404, 404, 404, 404)
PERSONS_REDIRECTED = (302, 302, 302, 302, 302, 302, 302, 302, 404)
HR_ONLY_POST_ONLY = (302, 404, 404, 404, 404, 404, 404, 405, 404)
# The admin site lets in staff only, and sends everyone else to its own sign-in page.
ADMIN_STAFF_ONLY = (302, 302, 302, 302, 302, 302, 302, 302, 200)
ADMIN_NOBODY = (302, 302, 302, 302, 302, 302, 302, 302, 403)
ADMIN_NOT_EXERCISED = (302, 302, 302, 302, 302, 302, 302, 302, None)


@dataclass(frozen=True)
class Expect:
    get: tuple
    post: tuple
    # Which object of the organisation fills each URL parameter (by parameter name).
    params: dict = field(default_factory=dict)


EXPECTED = {
    # An administrator who is none of the organisation's people is sent to the admin.
    "home": Expect(get=PEOPLE_ONLY[:-1] + (302,), post=PEOPLE_ONLY[:-1] + (302,)),
    "health": Expect(get=EVERYONE_200, post=EVERYONE_200),
    "favicon": Expect(get=(301,) * 9, post=(301,) * 9),
    # Django's sign-in and password pages.
    "login": Expect(get=EVERYONE_200, post=EVERYONE_200),
    "logout": Expect(get=NOT_ALLOWED, post=(302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "password_change": Expect(get=SIGNED_IN, post=SIGNED_IN),
    "password_change_done": Expect(get=SIGNED_IN, post=NOT_ALLOWED),
    "password_reset": Expect(get=EVERYONE_200, post=EVERYONE_200),
    "password_reset_done": Expect(get=EVERYONE_200, post=(405,) * 9),
    "password_reset_confirm": Expect(get=EVERYONE_200, post=EVERYONE_200,
                                     params={"uidb64": "bogus_uid", "token": "bogus_token"}),
    "password_reset_complete": Expect(get=EVERYONE_200, post=(405,) * 9),
    # Privacy: one's own records and data; HR's counts and erasure of leavers.
    "conversations:privacy": Expect(get=PEOPLE_ONLY, post=(302, 405, 405, 405, 405, 405, 405, 405, 405)),
    "conversations:personal_data_download": Expect(get=PEOPLE_ONLY, post=(302, 405, 405, 405, 405, 405, 405, 405, 405)),
    "conversations:hr_privacy": Expect(get=HR_ONLY, post=(302, 405, 405, 405, 405, 405, 405, 405, 405)),
    "conversations:erase_person": Expect(get=HR_ONLY, post=HR_ONLY, params={"pk": "leaver"}),
    # Booking, conversations, preparation, calendar and availability.
    "conversations:list": Expect(get=PEOPLE_ONLY, post=NOT_ALLOWED),
    "conversations:timeline": Expect(get=PEOPLE_ONLY, post=NOT_ALLOWED),
    "conversations:choose_partner": Expect(get=PEOPLE_ONLY, post=NOT_ALLOWED),
    # Anyone may book a mentor who offers conversations, except the mentor themselves.
    "conversations:pick_slot": Expect(get=(302, 200, 200, 200, 200, 404, 200, 200, 404), post=NOT_ALLOWED,
                                      params={"partner_pk": "partner_mentor"}),
    # Without a chosen time, the confirmation sends the person back to the free times.
    "conversations:book": Expect(get=(302, 302, 302, 302, 302, 404, 302, 302, 404),
                                 post=(302, 302, 302, 302, 302, 404, 302, 302, 404),
                                 params={"partner_pk": "partner_mentor"}),
    "conversations:detail": Expect(get=PARTICIPANTS, post=NOT_ALLOWED, params={"pk": "conversation"}),
    "conversations:booked": Expect(get=PARTICIPANTS, post=NOT_ALLOWED, params={"pk": "conversation"}),
    "conversations:reschedule_pick_slot": Expect(get=PARTICIPANTS, post=NOT_ALLOWED, params={"pk": "conversation"}),
    "conversations:reschedule": Expect(get=PARTICIPANTS_REDIRECTED, post=PARTICIPANTS_REDIRECTED,
                                       params={"pk": "conversation"}),
    "conversations:cancel": Expect(get=PARTICIPANTS, post=PARTICIPANTS, params={"pk": "conversation"}),
    "conversations:prepare": Expect(get=EMPLOYEE_ONLY, post=(302, 302, 404, 404, 404, 404, 404, 404, 404),
                                    params={"pk": "conversation"}),
    "conversations:autosave_preparation": Expect(get=NOT_ALLOWED, post=EMPLOYEE_ONLY, params={"pk": "conversation"}),
    "conversations:download_invite": Expect(get=PARTICIPANTS, post=NOT_ALLOWED, params={"pk": "conversation"}),
    "conversations:resend_invitation": Expect(get=NOT_ALLOWED, post=PARTICIPANTS_REDIRECTED,
                                              params={"pk": "conversation"}),
    "conversations:availability": Expect(get=PEOPLE_ONLY, post=PEOPLE_ONLY),
    # Connecting calendars: POST only; a calendar is its owner's alone.
    "conversations:connect_subscription": Expect(get=(302, 405, 405, 405, 405, 405, 405, 405, 405),
                                                 post=PEOPLE_ONLY),
    "conversations:connect_caldav": Expect(get=(302, 405, 405, 405, 405, 405, 405, 405, 405), post=PEOPLE_ONLY),
    "conversations:choose_calendars": Expect(get=NOT_ALLOWED, post=(302, 404, 404, 404, 404, 302, 404, 404, 404),
                                             params={"pk": "calendar"}),
    "conversations:test_calendar": Expect(get=NOT_ALLOWED, post=(302, 404, 404, 404, 404, 302, 404, 404, 404),
                                          params={"pk": "calendar"}),
    "conversations:disconnect_calendar": Expect(get=NOT_ALLOWED, post=(302, 404, 404, 404, 404, 302, 404, 404, 404),
                                                params={"pk": "calendar"}),
    "conversations:remove_day_off": Expect(get=NOT_ALLOWED, post=(302, 404, 404, 404, 404, 302, 404, 404, 404),
                                           params={"pk": "day_off"}),
    "conversations:calendar": Expect(get=PEOPLE_ONLY, post=NOT_ALLOWED),
    "conversations:rotate_calendar_link": Expect(get=NOT_ALLOWED, post=PERSONS_REDIRECTED),
    # The feed is read by calendar apps without a session: the secret in the URL is the key.
    "conversations:calendar_feed": Expect(get=EVERYONE_200, post=(405,) * 9,
                                          params={"token": "employee_calendar_token"}),
    # Notes, actions, completion, roadblocks, proposals, commitments and the question library.
    "conversations:notes": Expect(get=PARTICIPANTS, post=PARTICIPANTS, params={"pk": "conversation"}),
    "conversations:save_notes": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                       params={"pk": "conversation", "visibility": "shared"}),
    # An empty action or roadblock is refused back to the notes page (302), its messages beside the fields.
    "conversations:add_action": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                       params={"pk": "conversation"}),
    "conversations:mark_held": Expect(get=NOT_ALLOWED, post=only(302, "partner_mentor"), params={"pk": "conversation"}),
    "conversations:reflect": Expect(get=NOT_ALLOWED, post=only(400, "employee"), params={"pk": "conversation"}),
    "conversations:add_roadblock": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                          params={"pk": "conversation"}),
    "conversations:update_roadblock": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                             params={"pk": "conversation", "roadblock_pk": "roadblock"}),
    "conversations:answer_proposal": Expect(get=NOT_ALLOWED, post=only(400, "employee"), params={"pk": "conversation"}),
    "conversations:edit_action": Expect(get=PARTICIPANTS, post=only(400, "employee", "partner_mentor"),
                                        params={"pk": "action"}),
    "conversations:complete_action": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                            params={"pk": "action"}),
    "conversations:remove_action": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                          params={"pk": "action"}),
    # HR closes what the organisation owns; the participants ask HR for an update on it. HR sees the action, and
    # marks it done, but has no one to ask.
    "conversations:ask_for_action_update": Expect(get=NOT_ALLOWED, post=only(302, "employee", "partner_mentor"),
                                                  params={"pk": "organisation_action"}),
    "conversations:commitments": Expect(get=PEOPLE_ONLY, post=PEOPLE_ONLY),
    "conversations:questions": Expect(get=HR_ONLY, post=only(400, "hr")),
    "conversations:edit_question": Expect(get=HR_ONLY, post=only(400, "hr"), params={"pk": "question"}),
    "conversations:change_question": Expect(get=NOT_ALLOWED, post=only(302, "hr"), params={"pk": "question"}),
    # HR's participation dashboard and its export: counts only, for HR only.
    "conversations:participation": Expect(get=HR_ONLY, post=only(405, "hr")),
    "conversations:participation_csv": Expect(get=HR_ONLY, post=only(405, "hr")),
    # The bell: one's own notifications.
    "conversations:notifications": Expect(get=PEOPLE_ONLY, post=PEOPLE_ONLY),
    "conversations:notification_open": Expect(get=only(302, "employee"), post=only(302, "employee"),
                                              params={"pk": "notification"}),
    "conversations:notifications_read": Expect(get=NOT_ALLOWED, post=PERSONS_REDIRECTED),
    # A manager's team, and the handover an employee makes to a new manager.
    "conversations:team": Expect(get=MANAGERS_ONLY, post=MANAGERS_ONLY),
    "conversations:team_member": Expect(get=MANAGER_OF_EMPLOYEE, post=MANAGER_OF_EMPLOYEE, params={"pk": "employee"}),
    "conversations:propose": Expect(get=MANAGER_OF_EMPLOYEE, post=only(400, "manager"), params={"pk": "employee"}),
    # Only someone with a manager hands anything over; the others are shown the page again.
    "conversations:handover": Expect(get=PEOPLE_ONLY, post=(302, 302, 302, 200, 200, 200, 200, 200, 404)),
    # Feedback from colleagues: the request is the employee's, who asked the other employee (the colleague who was
    # asked); everyone else, the employee's manager and HR included, gets 404.
    "conversations:feedback": Expect(get=PEOPLE_ONLY, post=NOT_ALLOWED),
    "conversations:feedback_ask": Expect(get=PEOPLE_ONLY, post=(302, 400, 400, 400, 400, 400, 400, 400, 404)),
    "conversations:feedback_request": Expect(get=EMPLOYEE_ONLY, post=NOT_ALLOWED, params={"pk": "feedback_request"}),
    "conversations:feedback_ask_more": Expect(get=NOT_ALLOWED, post=only(400, "employee"),
                                              params={"pk": "feedback_request"}),
    "conversations:feedback_bring": Expect(get=NOT_ALLOWED, post=only(400, "employee"),
                                           params={"pk": "feedback_request"}),
    "conversations:feedback_close": Expect(get=NOT_ALLOWED, post=only(302, "employee"),
                                           params={"pk": "feedback_request"}),
    "conversations:feedback_answer": Expect(get=only(200, "other_employee"), post=only(302, "other_employee"),
                                            params={"pk": "feedback_answer"}),
    "conversations:feedback_autosave": Expect(get=NOT_ALLOWED, post=only(200, "other_employee"),
                                              params={"pk": "feedback_answer"}),
    "conversations:feedback_decline": Expect(get=NOT_ALLOWED, post=only(302, "other_employee"),
                                             params={"pk": "feedback_answer"}),
    # People: directory, profiles, invitations and the import (HR). The superuser, nobody in the organisation,
    # follows the rules like everyone else: the admin site is where they work.
    "people:directory": Expect(get=PEOPLE_ONLY, post=PEOPLE_ONLY),
    "people:profile": Expect(get=PEOPLE_ONLY, post=only(200, "employee"), params={"pk": "employee"}),
    "people:invite": Expect(get=HR_ONLY_POST_ONLY, post=only(302, "hr"), params={"pk": "employee"}),
    "people:invite_everyone": Expect(get=HR_ONLY_POST_ONLY, post=only(302, "hr")),
    "people:import": Expect(get=HR_ONLY, post=HR_ONLY),
    "people:import_template": Expect(get=HR_ONLY, post=HR_ONLY),
    "people:import_detail": Expect(get=HR_ONLY, post=HR_ONLY, params={"pk": "people_import"}),
    "people:import_progress": Expect(get=HR_ONLY, post=HR_ONLY, params={"pk": "people_import"}),
    "people:import_confirm": Expect(get=HR_ONLY_POST_ONLY, post=only(302, "hr"),
                                    params={"pk": "people_import"}),
    "people:import_discard": Expect(get=HR_ONLY_POST_ONLY, post=only(302, "hr"),
                                    params={"pk": "people_import"}),
    "people:import_problems": Expect(get=HR_ONLY, post=HR_ONLY, params={"pk": "people_import"}),
    # An invitation link is opened before its person can sign in; a bogus one says so.
    "people:invitation_accept": Expect(get=EVERYONE_200, post=EVERYONE_200,
                                       params={"uidb64": "bogus_uid", "token": "bogus_token"}),
    # Single sign-on is off unless configured: its pages do not exist.
    "people:sso_login": Expect(get=(404,) * 9, post=(405,) * 9),
    "people:sso_callback": Expect(get=(404,) * 9, post=(405,) * 9),
    # Provisioning tokens: HR and the IT administrator; an empty form is explained (400). SCIM answers only a
    # bearer token, never a session: 401 for every role.
    "people:provisioning": Expect(get=(302, 404, 404, 404, 404, 404, 404, 200, 200),
                                  post=(302, 404, 404, 404, 404, 404, 404, 400, 400)),
    # Rotating shows the new secret once; revoking goes back to the list.
    "people:provisioning_rotate": Expect(get=(302, 404, 404, 404, 404, 404, 404, 405, 405),
                                         post=(302, 404, 404, 404, 404, 404, 404, 200, 200),
                                         params={"pk": "scim_token"}),
    "people:provisioning_revoke": Expect(get=(302, 404, 404, 404, 404, 404, 404, 405, 405),
                                         post=(302, 404, 404, 404, 404, 404, 404, 302, 302),
                                         params={"pk": "scim_token"}),
    "scim:service_provider_config": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:resource_types": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:resource_type": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:schemas": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:schema": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:users": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:user": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:groups": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:group": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:search_everything": Expect(get=(401,) * 9, post=(401,) * 9),
    "scim:not_found": Expect(get=(401,) * 9, post=(401,) * 9),
    # The admin site's own pages.
    "admin:index": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "admin:login": Expect(get=(200, 200, 200, 200, 200, 200, 200, 200, 302),
                          post=(200, 200, 200, 200, 200, 200, 200, 200, None)),
    "admin:logout": Expect(get=(302, 302, 302, 302, 302, 302, 302, 302, 405), post=ADMIN_NOT_EXERCISED),
    "admin:password_change": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "admin:password_change_done": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "admin:autocomplete": Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED),  # 403 without its query
    "admin:jsi18n": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "admin:view_on_site": Expect(get=(302, 302, 302, 302, 302, 302, 302, 302, 404), post=ADMIN_NOT_EXERCISED,
                                 params={"content_type_id": "department_type", "object_id": "department"}),
    "admin:app_list": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED, params={"app_label": "conversations"}),
    "admin:catch_all": Expect(get=(302, 302, 302, 302, 302, 302, 302, 302, 404), post=ADMIN_NOT_EXERCISED,
                              params={"url": "no-such-page/"}),
}

# Every model registered on the admin site gets these pages; the object pages open a real object of that model.
ADMIN_MODEL_PAGES = {
    "changelist": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "add": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "change": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "delete": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "history": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),
    "object": Expect(get=(302,) * 9, post=ADMIN_NOT_EXERCISED),  # redirects to the change page
    "password": Expect(get=ADMIN_STAFF_ONLY, post=ADMIN_NOT_EXERCISED),  # a user's password form
}
# Logs are evidence: nobody adds to them by hand, and the audit log is not deleted either.
ADMIN_EXCEPTIONS = {
    ("conversations.auditevent", "add"): Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED),
    ("conversations.auditevent", "delete"): Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED),
    ("axes.accessattempt", "add"): Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED),
    ("axes.accesslog", "add"): Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED),
    ("axes.accessfailurelog", "add"): Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED),
    # Records that hold private text, or lead to it, are read-only there: nobody adds one by hand.
    **{(label, "add"): Expect(get=ADMIN_NOBODY, post=ADMIN_NOT_EXERCISED) for label in (
        "conversations.conversation", "conversations.preparation", "conversations.notes", "conversations.actionitem",
        "conversations.notification", "conversations.roadblock", "conversations.handover")},
}

ADMIN_MODELS = {model._meta.label_lower for model in admin.site._registry}
ADMIN_MODEL_URL = re.compile(r"^/admin/(?P<app>\w+)/(?P<model>\w+)/(?P<rest>.*)$")
ADMIN_MODEL_KINDS = {
    "": "changelist", "add/": "add", "<path:object_id>/change/": "change", "<path:object_id>/delete/": "delete",
    "<path:object_id>/history/": "history", "<path:object_id>/": "object", "<id>/password/": "password",
}


def key_of(route):
    """The row of the table a route is checked against: its name, or the admin's catch-all."""
    if route.name is None and route.pattern == "/admin/(?P<url>.*)":
        return "admin:catch_all"
    match = ADMIN_MODEL_URL.match(route.pattern)
    if match and f"{match['app']}.{match['model']}" in ADMIN_MODELS and match["rest"] in ADMIN_MODEL_KINDS:
        return f"admin model page: {match['app']}.{match['model']} {ADMIN_MODEL_KINDS[match['rest']]}"
    return route.name or f"unnamed {route.pattern}"


def expectation(key):
    if key.startswith("admin model page: "):
        model, kind = key.removeprefix("admin model page: ").split()
        return ADMIN_EXCEPTIONS.get((model, kind), ADMIN_MODEL_PAGES[kind]), model
    return EXPECTED.get(key), None


def fill(pattern, values):
    """The pattern with each parameter replaced by its value."""
    path = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)", lambda m: str(values[m.group(1)]), pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    return path.replace("\\", "")


# --- The organisation ------------------------------------------------------------------------------------------


class World:
    """One small organisation in which every role exists, with one object of every kind."""

    def __init__(self):
        now = timezone.now()
        self.manager = PersonFactory(user__username="maya", user__first_name="Maya", job_title="Engineering Manager")
        self.employee = PersonFactory(user__username="eli", user__first_name="Eli", manager=self.manager)
        self.other_manager = PersonFactory(user__username="omar", user__first_name="Omar",
                                           department__name="Sales", job_title="Sales Manager")
        self.other_employee = PersonFactory(user__username="olga", user__first_name="Olga",
                                            department__name="Sales", manager=self.other_manager)
        self.partner_mentor = PersonFactory(user__username="mina", user__first_name="Mina",
                                            offers_conversations=True)
        self.other_mentor = PersonFactory(user__username="quinn", user__first_name="Quinn",
                                          offers_conversations=True)
        self.hr = make_hr(PersonFactory(user__username="hana", user__first_name="Hana",
                                        department__name="People", job_title="HR Partner"))
        self.superuser = User.objects.create_superuser("root", "root@example.com", "unused-password-123")
        self.leaver = PersonFactory(user__username="lee", user__first_name="Lee", is_active=False,
                                    left_on=now.date() - datetime.timedelta(days=30))
        for partner in (self.manager, self.other_manager, self.partner_mentor, self.other_mentor):
            AvailabilityFactory(person=partner)
            weekday_windows(partner)
        self.day_off = DayOff.objects.create(person=self.partner_mentor, date=now.date() + datetime.timedelta(days=20))
        self.employee_calendar_token = self.employee.calendar_token
        # Read just now, so that no page asks for it to be read again; its server (port 9) never answers.
        self.calendar = CalendarConnection.objects.create(
            person=self.partner_mentor, kind="caldav", label="mina at 127.0.0.1", address="http://127.0.0.1:9/",
            username="mina", password="app-password", created_at=now, last_attempt_at=now, last_success_at=now)

        # The conversation every object URL points at: the employee with a mentor, not with their manager.
        self.conversation = ConversationFactory(employee=self.employee, partner=self.partner_mentor,
                                                relation="mentor", starts_at=now + datetime.timedelta(days=3))
        self.preparation = PreparationFactory(conversation=self.conversation, shared_at=now)
        self.shared_notes = NotesFactory(conversation=self.conversation, visibility=Notes.Visibility.SHARED)
        self.private_notes = NotesFactory(conversation=self.conversation, visibility=Notes.Visibility.PRIVATE)
        self.action = ActionItemFactory(conversation=self.conversation)
        self.organisation_action = ActionItemFactory(conversation=self.conversation, owner_kind="organisation",
                                                     owner=None)
        self.roadblock = Roadblock.objects.create(employee=self.employee, text="Meetings fragment my week",
                                                  created_by=self.employee)
        self.roadblock.raised_in.add(self.conversation)
        self.handover = Handover.objects.create(employee=self.employee, new_manager=self.manager, decided_at=now)
        self.handover.notes.add(self.shared_notes)
        # A held conversation with the manager, so that the team pages have history.
        self.held = ConversationFactory(employee=self.employee, partner=self.manager,
                                        starts_at=now - datetime.timedelta(days=40), status="completed")
        self.feedback_request = feedback.ask_for_feedback(
            asker=self.employee, colleagues=[self.other_employee], areas=["abilities", "roadblocks"], note="",
            answer_by=now.date() + datetime.timedelta(days=10), anonymous=False, conversation=None, now=now)
        self.feedback_answer = self.feedback_request.answers.get()
        self.question = GuideQuestion.objects.create(area="abilities", text="What are you proud of lately?")
        self.reminder = Reminder.objects.create(kind="upcoming", recipient=self.employee,
                                                subject=f"conversation:{self.conversation.pk}",
                                                period=str(now.date()), not_before=now)
        ReminderEmail.objects.create(recipient=self.employee, next_attempt_at=now,
                                     subject_line="Conversation on Friday")
        self.notification = Notification.objects.create(recipient=self.employee, reminder=self.reminder,
                                                        title="Conversation on Friday")
        self.event = audit.record_access(actor=self.partner_mentor, conversation=self.conversation,
                                         subject=self.preparation, action=AuditEvent.Action.VIEWED, now=now)
        self.organisation = Organisation.current()
        self.department = Department.objects.get(name="Engineering")
        self.department_type = ContentType.objects.get_for_model(Department).pk
        WorkerHeartbeat.objects.create(name="careerconv", beat_at=now)
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            fields = {"failures_since_start": 1} if model is AccessAttempt else {}
            model.objects.create(username="nobody", ip_address="10.0.0.1", user_agent="test", path_info="/", **fields)
        Group.objects.get_or_create(name="Readers")
        # Uploaded by an account since deleted: the pages must not depend on the uploader still existing.
        self.people_import = PeopleImport.objects.create(
            file_name="people.csv", content="email,name\neli@example.com,Eli Brandt\n",
            preview={"counts": {"create": 0, "update": 1, "leave": 0, "unchanged": 0}, "problems": []})
        Invitation.objects.create(person=self.employee, sent_at=now, sent_by=self.hr.user)
        self.scim_token = tokens.create_token(name="Okta", created_by=self.hr.user, now=now)[0]

        self.session_cookies = {role: self._signed_in_cookies(role) for role in ROLES}

    def user(self, role):
        if role == "anonymous":
            return None
        if role == "superuser":
            return self.superuser
        return getattr(self, role).user

    def _signed_in_cookies(self, role):
        client = Client()
        user = self.user(role)
        if user is not None:
            client.force_login(user)
        return {name: morsel.value for name, morsel in client.cookies.items()}

    def client(self, role):
        """A client signed in as `role` (and nothing else: no cookie from an earlier request)."""
        client = Client()
        client.cookies.load(self.session_cookies[role])
        return client

    def value(self, name, model_label=None):
        """The value for a URL parameter: a named object's id, a literal, or the admin model's first object."""
        if name in ("object_id", "id") and model_label is not None:
            obj = apps.get_model(model_label).objects.order_by("pk").first()
            assert obj is not None, f"the organisation has no {model_label} to open on the admin site"
            return obj.pk
        attribute = getattr(self, name, None)
        if attribute is None:
            return name
        return getattr(attribute, "pk", attribute)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every test's own transaction is nested in this one, which is rolled back once the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World()
        transaction.set_rollback(True)


# --- The checks ------------------------------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def csp_violations(response):
    if "text/html" not in response.get("Content-Type", ""):
        return []
    page = response.content.decode()
    found = []
    for label, pattern in (("inline <script>", INLINE_SCRIPT), ("style attribute", STYLE_ATTRIBUTE),
                           ("event handler attribute", HANDLER_ATTRIBUTE)):
        match = pattern.search(page)
        if match:
            found.append(f"{label}: {match.group(0)[:80]}")
    return found


def request_as(client, method, path):
    """One request, in a savepoint that is rolled back afterwards."""
    with transaction.atomic():
        response = client.get(path) if method == "GET" else client.post(path, {})
        transaction.set_rollback(True)
    return response


ROUTES = all_routes()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.name or '-'} {r.path}")
def test_every_role_gets_the_expected_answer(world, route):
    key = key_of(route)
    expected, model_label = expectation(key)
    assert expected is not None, f"no expectation for {key!r} ({route.pattern}): add its row to EXPECTED"
    values = {name: world.value(expected.params.get(name, name), model_label) for name in route.params}
    path = fill(route.pattern, values)

    mismatches = []
    for index, role in enumerate(ROLES):
        client = world.client(role)
        for method, statuses in (("GET", expected.get), ("POST", expected.post)):
            want = statuses[index]
            if want is None:
                continue
            response = request_as(client, method, path)
            if response.status_code != want:
                mismatches.append(f"{role} {method} {path}: {response.status_code}, expected {want}")
            elif role == "anonymous" and want == 302 and "login" not in response.headers["Location"]:
                mismatches.append(f"{role} {method} {path}: sent to {response.headers['Location']}, not sign-in")
            if method == "GET" and response.status_code == 200 and not path.startswith("/admin/"):
                mismatches += [f"{role} GET {path}: {found}" for found in csp_violations(response)]

    assert not mismatches, "\n".join(mismatches)


def test_every_row_of_the_table_is_a_url_that_exists():
    keys = {key_of(route) for route in ROUTES}

    assert set(EXPECTED) - keys == set()
    assert {kind for _, kind in ADMIN_EXCEPTIONS} <= set(ADMIN_MODEL_PAGES)


def test_the_table_covers_every_role():
    rows = [*EXPECTED.values(), *ADMIN_MODEL_PAGES.values(), *ADMIN_EXCEPTIONS.values()]

    assert {len(row.get) for row in rows} | {len(row.post) for row in rows} == {len(ROLES)}
