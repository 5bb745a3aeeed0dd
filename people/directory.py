"""The people directory: who is here, what they do, and who offers career conversations."""

from django.db.models import Max, Q

from people.models import Person


def search_people(*, query="", department=None, offers_only=False, include_left=False):
    """People matching every word of `query` in their name, job title, department or e-mail, by name."""
    people = Person.objects.select_related("user", "department", "manager__user")
    if not include_left:
        people = people.filter(is_active=True)
    for word in query.split():
        people = people.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word)
            | Q(job_title__icontains=word) | Q(department__name__icontains=word) | Q(user__email__icontains=word)
        )
    if department is not None:
        people = people.filter(department=department)
    if offers_only:
        people = people.filter(offers_conversations=True)
    return people.order_by("user__first_name", "user__last_name", "pk")


def with_access(people):
    """Annotate when each person was last invited (`last_invited_at`), for HR's view of who can sign in."""
    return people.annotate(last_invited_at=Max("invitations__sent_at"))
