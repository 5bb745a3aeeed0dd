from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from people.invitations import invitation_tokens


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The link in an invitation: the new person chooses a password and is signed in."""

    token_generator = invitation_tokens
    template_name = "people/invitation_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def dispatch(self, *args, **kwargs):
        if not settings.PASSWORD_SIGN_IN:
            messages.info(self.request, f"Sign in with {settings.OIDC_PROVIDER_NAME}: there is no password to choose.")
            return redirect(settings.LOGIN_URL)
        return super().dispatch(*args, **kwargs)

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # Someone who left since the invitation was sent cannot use it.
        if user is None or not user.is_active or not getattr(user, "person", None) or not user.person.is_active:
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Welcome! Your password is set and you are signed in.")
        return response
