"""The forms of the workflow pages (one per step, see ``views.TRANSITION_VIEWS``) and of bulk reassignment."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from encyclopedia.forms import NormalizedTextField
from encyclopedia.models import Language, Reviewer


class ReviewerChoiceField(forms.ModelChoiceField):
    """A login that can approve, shown by the reviewer's name: "Dana R. Whitfield, MD"."""

    def label_from_instance(self, obj) -> str:
        profile = obj.reviewer_profile
        name = profile.name or obj.get_full_name() or obj.get_username()
        return f"{name}, {profile.credentials}" if profile.credentials else name


class SubmitForm(forms.Form):
    note = NormalizedTextField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note for the reviewer"
    )
    reviewer = ReviewerChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Assign to",
        help_text="Only medical reviewers who can approve are listed.",
    )

    def __init__(self, *args, language: str = Language.ENGLISH, **kwargs):
        super().__init__(*args, **kwargs)
        # Who can approve: the reviewer role, and a reviewer profile to credit qualified for the
        # edition's language (workflow.check).
        qualified = Reviewer.objects.qualified_for(language)
        users = get_user_model().objects.filter(is_active=True, reviewer_profile__in=qualified)
        reviewers = [u.pk for u in users if u.has_perm("encyclopedia.review_article")]
        self.fields["reviewer"].queryset = (
            users.filter(pk__in=reviewers)
            .select_related("reviewer_profile")
            .order_by("reviewer_profile__name")
        )
        self.fields["reviewer"].empty_label = "Any medical reviewer"


class CommentForm(forms.Form):
    comment = NormalizedTextField(widget=forms.Textarea(attrs={"rows": 4}), label="What should change")


class ApproveForm(forms.Form):
    notes = NormalizedTextField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Review notes"
    )
    go_live_at = forms.DateTimeField(
        required=False,
        label="Go live at",
        help_text="Leave empty to publish as soon as you approve.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    # snapshot.fingerprint of the draft as this page showed it: approval refuses if it changed.
    seen = forms.CharField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page did not say what you were shown: open the draft again and review it."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()  # the site's TIME_ZONE: how the time is read
        field = self.fields["go_live_at"]
        field.label = f"Go live at ({zone} time)"
        field.help_text = f"In the {zone} time zone. Leave empty to publish as soon as you approve."

    def clean_go_live_at(self) -> datetime.datetime | None:
        moment = self.cleaned_data.get("go_live_at")
        if moment is None:
            return None
        try:
            moment.astimezone(datetime.UTC)  # how it is stored
        except OverflowError:
            raise forms.ValidationError(
                "That time is beyond the last one that can be stored (the end of the year 9999); "
                "choose an earlier one."
            ) from None
        return moment


class NotesForm(forms.Form):
    notes = NormalizedTextField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Review notes"
    )


class ReasonForm(forms.Form):
    reason = NormalizedTextField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class MergeForm(forms.Form):
    into = forms.CharField(max_length=6, label="Merge into article id", help_text="Six digits, e.g. 003194.")
    reason = NormalizedTextField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


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
