"""The forms of the workflow pages (one per step, see ``views.TRANSITION_VIEWS``) and of bulk reassignment."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from encyclopedia.models import Reviewer


class SubmitForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note for the reviewer"
    )
    reviewer = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Assign to"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True)
        reviewers = [u.pk for u in users if u.has_perm("encyclopedia.review_article")]
        self.fields["reviewer"].queryset = users.filter(pk__in=reviewers).order_by("username")
        self.fields["reviewer"].empty_label = "Any medical reviewer"


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What should change")


class ApproveForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Review notes")
    go_live_at = forms.DateTimeField(
        required=False,
        label="Go live at",
        help_text="Leave empty to publish as soon as you approve.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    # snapshot.fingerprint of the draft as this page showed it: approval refuses if it changed.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class NotesForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Review notes")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class MergeForm(forms.Form):
    into = forms.CharField(max_length=6, label="Merge into article id", help_text="Six digits, e.g. 003194.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReassignForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=Reviewer.objects.all(), required=False, label="Responsible reviewer"
    )
    specialty = forms.CharField(required=False, max_length=100, label="Specialty queue")
    clear_reviewer = forms.BooleanField(
        required=False, label="No responsible reviewer (the specialty queue reviews these articles)"
    )


class ConfirmForm(forms.Form):
    pass
