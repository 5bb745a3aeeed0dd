"""The people directory, each person's profile, and HR's invitations."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from people import invitations, roles, tasks
from people.directory import search_people, with_access
from people.forms.directory import DirectorySearchForm, ProfileForm
from people.models import Organisation, Person
from people.permissions import can, person_for, require, requires
from people.profile import update_profile

PAGE_SIZE = 50


@requires("people.view_directory")
def directory(request):
    can_see_account = can(request.user, "people.see_account")
    form = DirectorySearchForm(request.GET or None, can_see_leavers=can_see_account)
    filters = form.cleaned_data if form.is_valid() else {}
    people = search_people(
        query=filters.get("q", ""), department=filters.get("department"),
        offers_only=filters.get("offers", False), include_left=filters.get("include_left", False),
    )
    if can_see_account:
        people = with_access(people)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "can_see_account": can_see_account,
        "not_yet_invited": invitations.not_yet_invited().count() if can_see_account else 0,
    }
    template = "people/_directory_results.html" if request.htmx else "people/directory.html"
    return render(request, template, context)


def profile(request, pk):
    person = person_for(request.user, pk, "people.view_profile")
    editable = can(request.user, "people.edit_profile", person)
    form = None
    if editable:
        form_options = {"organisation": Organisation.current(), "is_manager": roles.is_manager(person)}
        if request.method == "POST":
            form = ProfileForm(request.POST, instance=Person.objects.get(pk=person.pk), **form_options)
            if form.is_valid():
                update_profile(person=person, values=form.cleaned_data)
                messages.success(request, "Your profile is saved.")
                return redirect(person)
        else:
            form = ProfileForm(instance=person, **form_options)
    elif request.method == "POST":
        require(request.user, "people.edit_profile", person)
    context = {"person": person, "form": form, "editable": editable,
               "can_see_account": can(request.user, "people.see_account")}
    if context["can_see_account"]:
        context["last_invitation"] = person.invitations.select_related("sent_by").first()
    return render(request, "people/profile.html", context)


@requires("people.invite_people")
@require_POST
def invite(request, pk):
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    reason = invitations.refusal(person)
    if reason:
        messages.error(request, f"No invitation sent: {reason}")
    else:
        tasks.invite_later(person_ids=[person.pk], sent_by_id=request.user.pk)
        messages.success(request, f"An invitation is on its way to {person.name} ({person.email}).")
    return redirect(_back(request, person.get_absolute_url()))


@requires("people.invite_people")
@require_POST
def invite_everyone(request):
    ids = list(invitations.not_yet_invited().values_list("pk", flat=True))
    tasks.invite_later(person_ids=ids, sent_by_id=request.user.pk)
    messages.success(request, f"Invitations are on their way to {len(ids)} people.")
    return redirect(_back(request, "people:directory"))


def _back(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


