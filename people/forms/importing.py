"""Uploading a people file from the HR system."""

from django import forms
from django.conf import settings


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Exported from your HR system: UTF-8, with commas or semicolons between values.",
    )
    marks_leavers = forms.BooleanField(
        required=False, initial=True, label="This file lists everyone who works here",
        help_text="Active people who are not in it are marked as having left. Nobody is deleted: their history stays.",
    )
    sends_invitations = forms.BooleanField(
        required=False, initial=True, label="E-mail an invitation to each new person",
        help_text="With a link to choose their password. You can also invite people later, one by one.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PEOPLE_IMPORT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"The file is larger than {limit} MB: is it really a CSV of people?")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(
                "Upload a .csv file. From Excel or Google Sheets: File › Save As (or Download) › CSV."
            )
        return upload
