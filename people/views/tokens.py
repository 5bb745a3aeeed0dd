"""The provisioning page: HR (or an administrator) makes, names, rotates and revokes identity providers' tokens."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from people.forms.tokens import ScimTokenForm
from people.models import ScimToken
from people.permissions import requires
from people.scim import tokens


def _page(request, form, secret=None, token=None, status=200):
    listed = list(ScimToken.objects.select_related("created_by"))
    used = tokens.last_used(listed)
    for item in listed:
        item.last_used = used.get(item.pk)
    return render(request, "people/provisioning.html", {
        "form": form, "tokens": listed, "secret": secret, "shown_token": token,
        "scim_url": request.build_absolute_uri("/scim/v2/"),
    }, status=status)


@requires("people.manage_provisioning")
@require_http_methods(["GET", "POST"])
def provisioning(request):
    form = ScimTokenForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, status=400)
        token, secret = tokens.create_token(name=form.cleaned_data["name"], created_by=request.user,
                                            now=timezone.now())
        # Shown in this answer only, never stored: a reload does not show it again.
        return _page(request, ScimTokenForm(), secret=secret, token=token)
    return _page(request, form)


@requires("people.manage_provisioning")
@require_POST
def rotate(request, pk):
    token = get_object_or_404(ScimToken, pk=pk, revoked_at__isnull=True)
    secret = tokens.rotate_token(token=token, now=timezone.now())
    return _page(request, ScimTokenForm(), secret=secret, token=token)


@requires("people.manage_provisioning")
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ScimToken, pk=pk)
    tokens.revoke_token(token=token, now=timezone.now())
    return redirect("people:provisioning")
