"""A believable demo organisation: departments, reporting lines, HR, mentors, availability and a year of career
conversations with uneven participation (some teams regular, some lapsed).

Everything is derived from a seeded random generator, so the same size gives the same organisation, and building
it again only adds what is missing: people are keyed by their sign-in name, and history is written for the people
created by this run only. Rows go in with bulk inserts so that 10,000 people build in seconds.
"""

import datetime
import random
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import transaction

from conversations.models import (
    ActionItem,
    AvailabilitySettings,
    AvailabilityWindow,
    Conversation,
    Direction,
    FeedbackAnswer,
    FeedbackRequest,
    Horizon,
    Notes,
    Preparation,
    Relation,
    Topic,
)
from people.models import Department, Organisation, Person
from people.roles import HR_GROUP

DEMO_PASSWORD = "demo-careers-2026"
ADMIN_USERNAME = "admin"
DEFAULT_SIZE = 60
BATCH = 2000

DEPARTMENTS = [
    # name, share of the organisation, timezone of most of its people, job titles of its managers and members
    ("Engineering", 0.27, "Europe/London", "Engineering Manager",
     ["Software Engineer", "Senior Software Engineer", "Site Reliability Engineer", "QA Engineer", "Data Engineer"]),
    ("Product", 0.13, "Europe/London", "Group Product Manager",
     ["Product Manager", "Senior Product Manager", "Product Analyst"]),
    ("Design", 0.12, "Europe/Berlin", "Design Manager", ["Product Designer", "UX Researcher", "Content Designer"]),
    ("Sales", 0.20, "America/New_York", "Sales Manager",
     ["Account Executive", "Sales Development Rep", "Solutions Consultant"]),
    ("Customer Success", 0.17, "Asia/Singapore", "Customer Success Lead",
     ["Customer Success Manager", "Support Engineer", "Onboarding Specialist"]),
    ("People", 0.11, "Europe/London", "HR Business Partner",
     ["People Operations Specialist", "Recruiter", "Learning & Development Partner"]),
]
HEAD_TITLES = {"Engineering": "VP Engineering", "Product": "VP Product", "Design": "Head of Design",
               "Sales": "Sales Director", "Customer Success": "Head of Customer Success", "People": "Head of People"}

FIRST_NAMES = ["Aisha", "Ben", "Carmen", "Dev", "Elena", "Farah", "Gabriel", "Hiro", "Ines", "Jonas", "Kemi",
               "Liam", "Mei", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sanjay", "Tara", "Umar", "Vera",
               "Wen", "Xavier", "Yara", "Zoe", "Amir", "Bianca", "Chidi", "Dana", "Emil", "Freya", "Goran",
               "Hannah", "Ivan", "Julia", "Kai", "Lena", "Marco", "Nadia", "Oscar", "Petra", "Rafael", "Sofia",
               "Tomas", "Uma", "Viktor", "Wanjiru", "Yusuf", "Zara"]
LAST_NAMES = ["Adeyemi", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
              "Kowalski", "Larsen", "Moreau", "Nakamura", "O'Brien", "Patel", "Quispe", "Rossi", "Schmidt",
              "Tanaka", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Abbott", "Bose", "Costa", "Diaz",
              "Evans", "Fong", "Gupta", "Horvat", "Iyer", "Jovanovic", "Kim", "Lopez", "Mensah", "Novak"]


@dataclass
class Plan:
    username: str
    first_name: str
    last_name: str
    job_title: str
    department: str | None
    timezone: str
    manager: str | None = None
    hr: bool = False
    offers: bool = False
    cadence_days: int = 90
    is_active: bool = True
    team_profile: str = "regular"
    start_date: datetime.date | None = None
    reports: list = field(default_factory=list)


# The people a visitor signs in as, placed in the generated organisation by (department, position).
NAMED = {
    ("Engineering", "head"): ("Priya", "Raman", "VP Engineering"),
    ("Engineering", "manager0"): ("Maya", "Okafor", "Engineering Manager"),
    ("Engineering", "member0"): ("Eli", "Brandt", "Software Engineer"),
    ("Engineering", "member1"): ("Mina", "Sato", "Principal Engineer"),
    ("Product", "member0"): ("Omar", "Haddad", "Senior Product Manager"),
    ("Customer Success", "member0"): ("Grace", "Kim", "Support Engineer"),
    ("People", "head"): ("Hugo", "Lindqvist", "Head of People"),
    ("People", "manager0"): ("Hana", "Reed", "HR Business Partner"),
}
MENTORS = {"mina.sato", "omar.haddad", "grace.kim", "hana.reed"}
HR_PEOPLE = {"hana.reed", "hugo.lindqvist"}
SIGN_IN = [
    ("hana.reed", "HR — the participation dashboard, question library and people import"),
    ("hugo.lindqvist", "HR — head of people"),
    ("maya.okafor", "manager — a team of engineers; a conversation to mark held today, one report overdue"),
    ("eli.brandt", "employee — reports to Maya; next conversation due soon"),
    ("mina.sato", "mentor — offers career conversations to anyone"),
    ("omar.haddad", "mentor — a product manager who offers career conversations"),
    ("grace.kim", "mentor — a support engineer who offers career conversations"),
    (ADMIN_USERNAME, "IT administrator — Django admin (/admin/), no career data of their own"),
]


def _department_sizes(total):
    """Split `total` people over the departments by their shares (largest remainder), at least 3 each."""
    raw = [share * total for _, share, *_ in DEPARTMENTS]
    sizes = [max(3, int(value)) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    i = 0
    while sum(sizes) < total:
        sizes[order[i % len(order)]] += 1
        i += 1
    while sum(sizes) > total:
        largest = max(range(len(sizes)), key=lambda j: sizes[j])
        sizes[largest] -= 1
    return sizes


def plan_organisation(size, *, seed=2026):
    """The organisation as a list of Plan rows: a CEO, then per department a head, team managers (one per eight
    people) and members shared round-robin between the managers."""
    rng = random.Random(seed)
    used = set()

    def username_for(first, last):
        base = f"{first}.{last}".lower().replace("'", "")
        name, n = base, 2
        while name in used:
            name, n = f"{base}{n}", n + 1
        used.add(name)
        return name

    def generated_name():
        return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)

    for first, last, _ in NAMED.values():
        used.add(f"{first}.{last}".lower())

    ceo = Plan(username_for("Alex", "Morgan"), "Alex", "Morgan", "Chief Executive Officer", None, "Europe/London",
               team_profile="regular")
    plans = [ceo]
    profiles = ["regular", "regular", "patchy", "lapsed"]
    for (name, _, tz, manager_title, titles), dept_size in zip(DEPARTMENTS, _department_sizes(size - 1)):
        team_count = max(1, round((dept_size - 1) / 8))
        slots = ["head"] + [f"manager{i}" for i in range(team_count)]
        slots += [f"member{i}" for i in range(dept_size - len(slots))]
        dept_plans = {}
        for slot in slots:
            named = NAMED.get((name, slot))
            if named:
                first, last, title = named
                username = f"{first}.{last}".lower()
            else:
                first, last = generated_name()
                username = username_for(first, last)
                title = HEAD_TITLES[name] if slot == "head" else manager_title if slot.startswith("manager") \
                    else rng.choice(titles)
            plan = Plan(username, first, last, title, name, tz if rng.random() < 0.85 else "Europe/London")
            dept_plans[slot] = plan
            plans.append(plan)
        head = dept_plans["head"]
        head.manager = ceo.username
        managers = [dept_plans[f"manager{i}"] for i in range(team_count)]
        for i, manager in enumerate(managers):
            manager.manager = head.username
            # Maya's team is the regular one the demo opens on; the others vary.
            manager.team_profile = "regular" if manager.username == "maya.okafor" else profiles[(i + len(name)) % 4]
        for i in range(dept_size - 1 - team_count):
            member = dept_plans[f"member{i}"]
            manager = managers[i % team_count]
            member.manager = manager.username
            member.team_profile = manager.team_profile
    for plan in plans:
        plan.hr = plan.username in HR_PEOPLE
        plan.offers = plan.username in MENTORS
        plan.cadence_days = 90 if rng.random() < 0.75 else rng.choice([30, 45, 60])
        plan.start_date = datetime.date(2019, 1, 7) + datetime.timedelta(days=rng.randrange(0, 6 * 365))
    # A few people have left: their history stays, they get no reminders and count in no figure. Only people
    # nobody reports to leave, so that every reporting line the demo shows still has an active manager.
    managers = {p.manager for p in plans if p.manager}
    named = {f"{first}.{last}".lower() for first, last, _ in NAMED.values()}
    leavers = [p for p in plans if p.manager and p.username not in managers | named and not p.offers][::23]
    for plan in leavers[: max(1, size // 30)]:
        plan.is_active = False
    return plans


@dataclass
class Result:
    created: int
    existing: int
    conversations: int


@transaction.atomic
def build_demo_organisation(*, size=DEFAULT_SIZE, now, conversations=None, seed=2026):
    """Create the demo organisation of `size` people (adding only who is missing) and a year of history for the
    people created now. `conversations` sets the approximate number of conversations to write (default: what
    each person's cadence and team habits give, about four a year)."""
    rng = random.Random(seed + size)
    plans = plan_organisation(size, seed=seed)
    organisation = Organisation.current()
    existing = set(User.objects.filter(username__in=[p.username for p in plans]).values_list("username", flat=True))
    new_plans = [p for p in plans if p.username not in existing]

    departments = {d.name: d for d in Department.objects.all()}
    missing = [Department(name=name) for name, *_ in DEPARTMENTS if name not in departments]
    for department in Department.objects.bulk_create(missing):
        departments[department.name] = department

    password = make_password(DEMO_PASSWORD)
    sign_in_names = dict(SIGN_IN)
    users = User.objects.bulk_create(
        [User(username=p.username, first_name=p.first_name, last_name=p.last_name, password=password,
              email=f"{p.username}@{organisation_domain(organisation)}", is_active=p.is_active,
              last_login=_last_sign_in(p, sign_in_names, now=now, rng=rng)) for p in new_plans],
        batch_size=BATCH,
    )
    position = {p.username: i for i, p in enumerate(plans)}
    people = Person.objects.bulk_create(
        [Person(user=user, employee_id=f"E{100000 + position[p.username]}", job_title=p.job_title,
                department=departments.get(p.department), timezone=p.timezone, cadence_days=p.cadence_days,
                offers_conversations=p.offers, is_active=p.is_active, start_date=p.start_date,
                left_on=(now - LEFT_DAYS_AGO).date() if not p.is_active else None)
         for user, p in zip(users, new_plans)],
        batch_size=BATCH,
    )
    by_username = dict(Person.objects.filter(user__username__in=[p.username for p in plans])
                       .values_list("user__username", "pk"))
    new_people = {p.username: person for p, person in zip(new_plans, people)}
    for plan in new_plans:
        person = new_people[plan.username]
        person.manager_id = by_username.get(plan.manager) if plan.manager else None
    Person.objects.bulk_update(people, ["manager"], batch_size=BATCH)

    hr_group, _ = Group.objects.get_or_create(name=HR_GROUP)
    hr_group.user_set.add(*[u for u, p in zip(users, new_plans) if p.hr])
    # The IT administrator: Django admin only, no person in the organisation.
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create(username=ADMIN_USERNAME, password=password, is_staff=True, is_superuser=True,
                            email=f"{ADMIN_USERNAME}@{organisation_domain(organisation)}")

    partners = {p.username for p in new_plans if p.offers} | {p.manager for p in new_plans if p.manager}
    _write_availability([new_people[u] for u in partners if u in new_people], rng)
    written = _write_history(new_plans, new_people, by_username, plans, now=now, rng=rng,
                             target=conversations)
    _write_feedback(new_plans, new_people, by_username, now=now, rng=rng)
    return Result(created=len(new_plans), existing=len(existing), conversations=written)


# Leavers left this long before the demo starts; nothing of theirs is after it.
LEFT_DAYS_AGO = datetime.timedelta(days=40)


def _last_sign_in(plan, sign_in_names, *, now, rng):
    """Most people have signed in lately; a few active people were never invited, for HR to invite."""
    if plan.username in sign_in_names or plan.offers or plan.hr:
        return now - datetime.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
    if not plan.is_active:
        return now - LEFT_DAYS_AGO - datetime.timedelta(days=rng.randint(1, 30))
    if rng.random() < 0.1:
        return None
    return now - datetime.timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8))


def organisation_domain(organisation):
    return "".join(ch for ch in organisation.name.lower() if ch.isalnum()) + ".example"


def _write_availability(partners, rng):
    AvailabilitySettings.objects.bulk_create(
        [AvailabilitySettings(person=p, slot_minutes=rng.choice([30, 45, 45, 60])) for p in partners],
        batch_size=BATCH,
    )
    windows = []
    for person in partners:
        for weekday in range(5):
            if rng.random() < 0.2:
                continue
            windows.append(AvailabilityWindow(person=person, weekday=weekday, start_time=datetime.time(10),
                                              end_time=datetime.time(12)))
            windows.append(AvailabilityWindow(person=person, weekday=weekday, start_time=datetime.time(14),
                                              end_time=datetime.time(16, 30)))
    AvailabilityWindow.objects.bulk_create(windows, batch_size=BATCH)


SNIPPETS = {
    "abilities": [
        "Trusted with the hardest customer escalations; others come to them for advice.",
        "Strong at turning vague requests into clear plans.",
        "Seen as the go-to person for the billing system.",
        "Writes the clearest design documents in the team; reviews are quick because of it.",
        "Calm in incidents: took the lead during the March outage without being asked.",
        "Good at bringing quieter colleagues into discussions.",
        "Picks up new tools fast and teaches them to others.",
        "Customers ask for them by name after onboarding.",
        "Negotiated the renewal with our largest account and kept the relationship warm.",
        "Has a knack for spotting the one question nobody asked in planning.",
        "Mentors two new starters informally, and they are settling in well.",
        "Turned the support backlog into a weekly report that product now relies on.",
    ],
    "roadblocks": [
        "Too many meetings fragment the week.",
        "Unclear ownership between two teams slows decisions.",
        "No time set aside for learning.",
        "Waiting days for access requests to be approved.",
        "Priorities change mid-sprint with little explanation.",
        "The on-call rota leaves little room for project work.",
        "Feedback on promotions feels vague: unsure what 'next level' looks like here.",
        "Working across three time zones means most decisions happen while they are asleep.",
        "The old reporting tool takes hours each week; nobody owns replacing it.",
        "Not enough contact with customers to judge what matters to them.",
    ],
    "environment": [
        "Does their best work with quiet mornings and a clear brief.",
        "Thrives when pairing with others on new problems.",
        "Needs autonomy over how work is planned.",
        "Likes a short written summary after decisions, not only a call.",
        "Works best with a fixed focus day each week.",
        "Energised by visiting customers; would like to do it every quarter.",
        "Prefers feedback straight away rather than saved up for reviews.",
        "Needs a predictable schedule around school pick-up on Tuesdays and Thursdays.",
    ],
    "summary": [
        "Talked about moving towards data engineering; agreed a first step.",
        "Wants to grow in role before looking at a lead position.",
        "Interested in a sideways move into product; will shadow a product manager.",
        "Keen to lead a small project next quarter; we picked the reporting clean-up.",
        "Considering a move to the Berlin office in a year; we talked through what it would take.",
        "Happy in the role; wants more depth in security rather than a new title.",
        "Feeling stretched after the launch; agreed to drop one commitment and revisit in a month.",
        "Exploring people management: will run the next two team retrospectives.",
        "Wants to present at a conference; we looked at which talk could come from this year's work.",
        "Discussed the gap between current work and the senior role; wrote down three concrete examples to build.",
        "Thinking about part-time study; we talked about how the learning budget and hours could work.",
        "Would like more visibility with leadership; will present the quarterly results themselves.",
    ],
    "actions": [
        ("employee", "Shadow the data team for a week"),
        ("employee", "Draft a learning plan for the next quarter"),
        ("employee", "Write up the incident review and share it with the wider team"),
        ("employee", "Pick a conference talk and submit the abstract"),
        ("employee", "Run the next two team retrospectives"),
        ("employee", "List three examples of senior-level work from this half-year"),
        ("employee", "Book a coffee with someone in product management"),
        ("employee", "Finish the security fundamentals course"),
        ("employee", "Present the quarterly customer figures at the all-hands"),
        ("employee", "Pair with a new starter on their first release"),
        ("partner", "Introduce to the platform lead"),
        ("partner", "Protect Wednesday mornings from meetings"),
        ("partner", "Ask the design director about a rotation into research"),
        ("partner", "Share the senior role description and go through it together"),
        ("partner", "Put their name forward for the reporting clean-up project"),
        ("partner", "Move the team's stand-up so that Singapore can join"),
        ("partner", "Check whether the on-call rota can skip them during the launch"),
        ("partner", "Find a customer visit they can join this quarter"),
        ("organisation", "HR to find a mentor in data engineering"),
        ("organisation", "Fund the cloud architecture course"),
        ("organisation", "HR to confirm the rules for part-time study leave"),
        ("organisation", "Set up the access request so that it no longer needs three approvals"),
        ("organisation", "Publish what is expected at each engineering level"),
        ("organisation", "Approve the conference travel budget"),
    ],
    "cancelled": ["Clashed with a customer visit", "Off sick that day", "Moved for the release go/no-go meeting",
                  "Travelling to the Singapore office", "Both of us double-booked by the all-hands"],
    "aspirations": ["Data engineering", "Team lead", "Product management", "Staff engineer", "Customer research",
                    "Solutions architecture", "Engineering manager", "UX research", "Sales leadership",
                    "Learning and development"],
}


def _slot(partner_tz, day, rng):
    """A believable start time: a weekday at 10:00, 11:00, 14:00 or 15:00 in the partner's timezone."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    hour = rng.choice([10, 11, 14, 15])
    local = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zoneinfo.ZoneInfo(partner_tz))
    return local.astimezone(datetime.UTC)


def _write_history(new_plans, new_people, by_username, plans, *, now, rng, target):
    """Conversations over the past year for the new active people, by their team's habits, with preparations,
    notes and actions; plus some booked for the coming weeks."""
    plan_by_username = {p.username: p for p in plans}
    mentors = [by_username[u] for u in MENTORS if u in by_username]
    employees = [p for p in new_plans if p.manager and p.manager in by_username]
    if not employees:
        return 0
    stretch = None
    if target:
        # Spread `target` conversations over the people: a shorter interval gives more of them.
        stretch = max(3, round(365 * len(employees) / target))
    taken = set()
    conversations, extras = [], []
    # Two of Maya's reports tell the manager's story: one is overdue, one has a conversation today to mark held.
    maya_team = [p.username for p in employees
                 if p.manager == "maya.okafor" and p.is_active and p.username != "eli.brandt"]
    overdue_report, held_today = (maya_team + [None, None])[:2]
    for plan in employees:
        person = new_people[plan.username]
        manager_pk = by_username[plan.manager]
        manager_plan = plan_by_username[plan.manager]
        skip_pk = by_username.get(manager_plan.manager) if manager_plan.manager else None
        profile = plan.team_profile
        if plan.username == "eli.brandt":
            history_days = [84, 170, 262]
        elif plan.username == overdue_report:
            history_days = [days for days in (plan.cadence_days + 25, 2 * plan.cadence_days + 20) if days < 365]
        elif plan.username == held_today:
            history_days = [days for days in (plan.cadence_days, 2 * plan.cadence_days) if days < 365]
        else:
            interval = stretch or {"regular": plan.cadence_days * 0.8, "patchy": plan.cadence_days * 1.4,
                                   "lapsed": plan.cadence_days * 2.2}[profile]
            first_gap = {"regular": rng.uniform(5, interval * 0.9), "patchy": rng.uniform(20, interval),
                         "lapsed": rng.uniform(plan.cadence_days + 15, plan.cadence_days * 2.2)}[profile]
            if profile == "lapsed" and rng.random() < 0.3:
                first_gap = 400  # never had one
            history_days, ago = [], first_gap
            while ago < 365:
                history_days.append(round(ago))
                ago += interval * rng.uniform(0.85, 1.2)
        if not plan.is_active:
            history_days = [days for days in history_days if days > LEFT_DAYS_AGO.days]
        for days_ago in history_days:
            roll = rng.random()
            partner_pk, relation = manager_pk, Relation.MANAGER
            if roll < 0.1 and mentors:
                candidate = rng.choice(mentors)
                if candidate != person.pk:
                    partner_pk, relation = candidate, Relation.MENTOR
            elif roll < 0.17 and skip_pk:
                partner_pk, relation = skip_pk, Relation.SKIP_LEVEL
            starts = _slot(manager_plan.timezone, (now - datetime.timedelta(days=days_ago)).date(), rng)
            if starts >= now:
                starts -= datetime.timedelta(days=7)
            status = Conversation.Status.COMPLETED
            outcome = rng.random()
            if outcome < 0.04:
                status = Conversation.Status.CANCELLED
            elif outcome < 0.06:
                status = Conversation.Status.NO_SHOW
            ends = starts + datetime.timedelta(minutes=45)
            conversations.append(Conversation(
                employee=person, partner_id=partner_pk, relation=relation, starts_at=starts, ends_at=ends,
                status=status, kind=Conversation.Kind.REVIEW if rng.random() < 0.25 else Conversation.Kind.STANDALONE,
                booked_by=person, held_at=ends if status != Conversation.Status.CANCELLED else None,
                notes_locked_at=ends + datetime.timedelta(days=7) if status == Conversation.Status.COMPLETED else None,
                cancelled_at=starts - datetime.timedelta(days=1) if status == Conversation.Status.CANCELLED else None,
                change_reason=rng.choice(SNIPPETS["cancelled"]) if status == Conversation.Status.CANCELLED else "",
                location="Room 2.14" if rng.random() < 0.5 else "https://meet.example.com/career-chat",
            ))
            extras.append(profile)
        if plan.username == held_today:
            starts = _started_today(manager_plan.timezone, now=now)
            conversations.append(Conversation(
                employee=person, partner_id=manager_pk, relation=Relation.MANAGER, starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=45), status=Conversation.Status.CONFIRMED,
                booked_by=person, location="Room 2.14"))
            extras.append(profile)
            continue
        booked_soon = (profile == "regular" and rng.random() < 0.35 and plan.is_active
                       and plan.username not in ("eli.brandt", overdue_report))
        if booked_soon:
            for _ in range(5):
                starts = _slot(manager_plan.timezone, (now + datetime.timedelta(days=rng.randrange(2, 20))).date(),
                               rng)
                if (manager_pk, starts) not in taken and starts > now:
                    taken.add((manager_pk, starts))
                    conversations.append(Conversation(
                        employee=person, partner_id=manager_pk, relation=Relation.MANAGER, starts_at=starts,
                        ends_at=starts + datetime.timedelta(minutes=45), status=Conversation.Status.CONFIRMED,
                        booked_by=person, location="Room 2.14"))
                    extras.append(profile)
                    break
    created = Conversation.objects.bulk_create(conversations, batch_size=BATCH)
    _write_content(created, extras, now=now, rng=rng)
    _start_before_history(list(new_people.values()), created, now=now, rng=rng)
    return len(created)


def _started_today(timezone_name, *, now):
    """Today at 09:00 where the partner is, or a little before now if the day is younger than that."""
    tz = zoneinfo.ZoneInfo(timezone_name)
    nine = datetime.datetime.combine(now.astimezone(tz).date(), datetime.time(9), tzinfo=tz)
    if nine <= now - datetime.timedelta(minutes=15):
        return nine.astimezone(datetime.UTC)
    return (now - datetime.timedelta(minutes=15 + now.minute % 15, seconds=now.second,
                                     microseconds=now.microsecond)).astimezone(datetime.UTC)


def _start_before_history(people, conversations, *, now, rng):
    """Someone never held a conversation is due from their start date: make that date recent enough that
    they fell due within the past year (not years ago), and before anything in their history."""
    held = {c.employee_id for c in conversations if c.status == Conversation.Status.COMPLETED}
    earliest = {}
    for conversation in conversations:
        day = conversation.starts_at.date()
        earliest[conversation.employee_id] = min(day, earliest.get(conversation.employee_id, day))
    changed = []
    for person in people:
        if person.pk in held:
            continue
        start = now.date() - datetime.timedelta(days=rng.randint(person.cadence_days + 5, 300))
        if person.pk in earliest:
            start = min(start, earliest[person.pk] - datetime.timedelta(days=14))
        person.start_date = start
        changed.append(person)
    Person.objects.bulk_update(changed, ["start_date"], batch_size=BATCH)


def _write_content(conversations, extras, *, now, rng):
    preparations, notes, actions = [], [], []
    directions = list(Direction.values)
    for conversation, profile in zip(conversations, extras):
        if conversation.status == Conversation.Status.CANCELLED:
            continue
        prepared = rng.random() < {"regular": 0.75, "patchy": 0.5, "lapsed": 0.3}[profile]
        if prepared:
            preparations.append(Preparation(
                conversation=conversation, abilities=rng.choice(SNIPPETS["abilities"]),
                roadblocks=rng.choice(SNIPPETS["roadblocks"]), environment=rng.choice(SNIPPETS["environment"]),
                topics=rng.sample(list(Topic.values), k=rng.randint(1, 3)),
                aspiration_direction=rng.choice(directions), aspiration_target=rng.choice(SNIPPETS["aspirations"]),
                aspiration_horizon=rng.choice(list(Horizon.values)),
                shared_at=conversation.starts_at - datetime.timedelta(days=1) if rng.random() < 0.85 else None,
            ))
        if conversation.status != Conversation.Status.COMPLETED:
            continue
        if rng.random() < 0.8:
            notes.append(Notes(
                conversation=conversation, author_id=conversation.partner_id, visibility=Notes.Visibility.SHARED,
                abilities=rng.choice(SNIPPETS["abilities"]), roadblocks=rng.choice(SNIPPETS["roadblocks"]),
                environment=rng.choice(SNIPPETS["environment"]), summary=rng.choice(SNIPPETS["summary"])))
        for _ in range(rng.choice([0, 1, 1, 2])):
            kind, text = rng.choice(SNIPPETS["actions"])
            owner = {"employee": conversation.employee_id, "partner": conversation.partner_id,
                     "organisation": None}[kind]
            due = (conversation.starts_at + datetime.timedelta(days=rng.choice([14, 30, 45]))).date()
            leaver = conversation.employee
            if not leaver.is_active and due >= leaver.left_on:
                continue  # nobody agrees an action due after someone's last day
            done_at = None
            if due < now.date() and rng.random() < {"regular": 0.8, "patchy": 0.55, "lapsed": 0.3}[profile]:
                offset = rng.randint(-10, 6)
                done_at = datetime.datetime.combine(due + datetime.timedelta(days=offset), datetime.time(12),
                                                    tzinfo=datetime.UTC)
                done_at = min(done_at, now)
            actions.append(ActionItem(conversation=conversation, text=text, owner_kind=kind, owner_id=owner,
                                      due_on=due, done_at=done_at, created_by_id=conversation.partner_id))
    Preparation.objects.bulk_create(preparations, batch_size=BATCH)
    Notes.objects.bulk_create(notes, batch_size=BATCH)
    ActionItem.objects.bulk_create(actions, batch_size=BATCH)


FEEDBACK_ANSWERS = {
    "abilities": ["Explains complex trade-offs so that everyone in the room can decide.",
                  "The person I go to when an incident needs a calm head.",
                  "Notices what customers actually struggle with, not what they ask for."],
    "roadblocks": ["Takes on too much alone; the team could help earlier.",
                   "Rarely in the meetings where priorities are set.",
                   "Their best ideas stay in chat threads where few people see them."],
    "environment": ["At their best on the migration last spring: a clear goal, a small team and room to decide.",
                    "Thrives when they can pair with someone new to the area."],
}
FEEDBACK_NOTES = ["I have a career conversation coming up and would value your honest view.",
                  "Thinking about where to grow next: what do you see that I may not?"]
FEEDBACK_AREAS = ["abilities", "roadblocks", "environment"]


def _feedback_request(asker, colleagues, *, asked_days_ago, now, rng, anonymous=False, replies=(), conversation=None):
    """A request asked `asked_days_ago`, and an answer row per colleague: `replies` gives each one's status
    ("answered", "declined" or "asked"), in order; colleagues beyond it have not answered."""
    asked_at = now - datetime.timedelta(days=asked_days_ago, hours=rng.randint(0, 6))
    answer_by = (asked_at + datetime.timedelta(days=10)).date()
    request = FeedbackRequest.objects.create(
        asker_id=asker, areas=FEEDBACK_AREAS, note=rng.choice(FEEDBACK_NOTES), answer_by=answer_by,
        expires_on=answer_by + datetime.timedelta(days=settings.FEEDBACK_EXPIRES_AFTER_DAYS), anonymous=anonymous,
        conversation=conversation, created_at=asked_at)
    answers = []
    for index, colleague in enumerate(colleagues):
        status = replies[index] if index < len(replies) else FeedbackAnswer.Status.ASKED
        replied_at = min(asked_at + datetime.timedelta(days=rng.randint(1, 8), hours=rng.randint(0, 8)), now)
        texts = ({area: rng.choice(options) for area, options in FEEDBACK_ANSWERS.items()}
                 if status == FeedbackAnswer.Status.ANSWERED else {})
        # The demo's colleagues were "e-mailed" when asked: seeding must not send mail to made-up addresses.
        answers.append(FeedbackAnswer(
            request=request, colleague_id=colleague, status=status, asked_at=asked_at, emailed_at=asked_at,
            submitted_at=replied_at if status != FeedbackAnswer.Status.ASKED else None,
            decline_reason="I have not worked with them closely enough yet." if status == "declined" else "",
            **texts))
    FeedbackAnswer.objects.bulk_create(answers)
    return request, answers


def _write_feedback(new_plans, new_people, by_username, *, now, rng):
    """Requests for feedback in every state: Eli's answered one, brought into the preparation he shared with
    Maya (one colleague declined), and his anonymous one waiting for a third answer; and a share of the other
    employees asking two or three colleagues, some of whom answered."""
    answered, declined = FeedbackAnswer.Status.ANSWERED, FeedbackAnswer.Status.DECLINED
    employees = [p for p in new_plans if p.is_active and p.manager and p.manager in by_username]
    eli = new_people.get("eli.brandt")
    if eli is not None:
        peers = [by_username[p.username] for p in employees
                 if p.manager == "maya.okafor" and p.username != "eli.brandt"]
        mentors = [by_username[u] for u in ("mina.sato", "omar.haddad", "grace.kim") if u in by_username]
        last = (Conversation.objects.filter(employee=eli, status=Conversation.Status.COMPLETED)
                .order_by("-starts_at").first())
        if last is not None and len(peers) >= 2 and mentors:
            days_before = (now - last.starts_at).days + 12
            _, answers = _feedback_request(eli.pk, [mentors[0], *peers[:2]], asked_days_ago=days_before, now=now,
                                           rng=rng, replies=(answered, answered, declined), conversation=last)
            preparation, _ = Preparation.objects.get_or_create(
                conversation=last, defaults={"shared_at": last.starts_at - datetime.timedelta(days=1)})
            quote = f"Feedback from {Person.objects.get(pk=mentors[0]).name}: {answers[0].abilities}"
            preparation.abilities = f"{preparation.abilities.rstrip()}\n\n{quote}".strip()
            preparation.shared_at = preparation.shared_at or last.starts_at - datetime.timedelta(days=1)
            preparation.save()
        waiting = [*peers[2:4], *mentors[1:3]][:4]
        if len(waiting) >= 3:
            _feedback_request(eli.pk, waiting, asked_days_ago=4, now=now, rng=rng, anonymous=True,
                              replies=(answered, answered))
    everyone = [by_username[p.username] for p in employees]
    for plan in employees:
        if plan.username == "eli.brandt" or rng.random() >= 0.35:
            continue
        asker = by_username[plan.username]
        colleagues = rng.sample([pk for pk in everyone if pk != asker], k=min(rng.randint(2, 3), len(everyone) - 1))
        replies = [rng.choice((answered, answered, answered, declined, FeedbackAnswer.Status.ASKED))
                   for _ in colleagues]
        _feedback_request(asker, colleagues, asked_days_ago=rng.randint(3, 300), now=now, rng=rng,
                          anonymous=rng.random() < 0.3, replies=replies)
