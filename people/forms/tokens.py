"""Naming an identity provider's token on the provisioning page."""

from django import forms


class ScimTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="Identity provider",
                           help_text="A name to tell this token apart, e.g. “Okta” or “Entra ID”.")
