"""The admin pages around an article's workflow: review, preview, changes, history, queue.

Views stay thin: they check that the user may see the article, gather what the
template shows, and hand every write to a function in ``editorial.actions``. Their forms are in
``editorial.forms``; the article admin (``editorial.admin.article``) routes to them.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from reversion.models import Version

from editorial import diff, translation, workflow
from editorial.actions.add_translation import add_spanish_edition
from editorial.actions.approve import ChangedSinceShown, approve, submitted_source
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.confirm_translation import confirm_translation
from editorial.actions.merge import merge
from editorial.actions.publish_correction import publish_correction
from editorial.actions.reassign import reassign_reviewer
from editorial.actions.recover import PERMISSION as RECOVER_PERMISSION
from editorial.actions.recover import recover as recover_action
from editorial.actions.request_changes import request_changes
from editorial.actions.restore import restore
from editorial.actions.revert import revert as revert_action
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.dashboard import in_languages_of
from editorial.errors import EditorialError
from editorial.forms import (
    ApproveForm,
    CommentForm,
    ConfirmForm,
    MergeForm,
    NotesForm,
    ReasonForm,
    ReassignForm,
    SubmitForm,
)
from editorial.models import AuditEvent, ReviewRecord
from editorial.notifications import person_name
from editorial.workspace import max_age_years, reference_ages
from encyclopedia import dates, snapshot
from encyclopedia.models import Article, Publication, WorkflowState
from encyclopedia.snapshot import freeze
from encyclopedia.views import preview_parts, render_article


def _article(request: HttpRequest, pk: int) -> Article:
    if not request.user.has_perm("encyclopedia.view_article"):
        raise PermissionDenied
    return get_object_or_404(Article.objects.select_related("live_publication", "merged_into"), pk=pk)


def _context(request: HttpRequest, article: Article, **extra) -> dict:
    return {
        **admin.site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "article": article,
        "change_url": reverse("admin:encyclopedia_article_change", args=[article.pk]),
        **extra,
    }


def locked_message(article: Article) -> str:
    if workflow.is_gone(article):
        return "This article is withdrawn or merged, so it cannot be edited; a director can restore it."
    who = person_name(article.submitted_by) if article.submitted_by else "an editor"
    since = (
        f" since {dates.moment(article.submitted_at)} (submitted by {who})" if article.submitted_at else ""
    )
    return (
        f"The draft is {article.get_state_display().lower()}{since} and locked against editing. "
        "A reviewer can send it back for changes."
    )


def workflow_context(request: HttpRequest, article: Article) -> dict:
    """What the article's change page shows about its workflow."""
    return {
        "workflow_status": workflow.status_text(article),
        "workflow_actions": [
            (label, reverse("admin:editorial_transition", args=[article.pk, name]), name in DANGEROUS)
            for name, label in workflow.allowed_actions(article, request.user)
        ],
        "review_records": ReviewRecord.objects.filter(article=article).select_related("reviewer", "user")[
            :20
        ],
        "audit_events": AuditEvent.objects.filter(article=article).select_related("user")[:20],
        "locked_message": locked_message(article) if article.is_locked or workflow.is_gone(article) else "",
        "workspace_url": reverse("admin:editorial_workspace", args=[article.pk])
        if article.state == WorkflowState.IN_REVIEW and not workflow.is_gone(article)
        else "",
        **translation_context(article),
    }


def translation_context(article: Article) -> dict:
    """What the change page shows of the other edition: an English article's Spanish edition; a
    Spanish edition's English article, its source, whether it is out of date, and the English
    changes since its source (what the translator has to update)."""
    if not article.is_translation:
        edition = article.translations.first()
        return {"spanish_edition": edition}
    return {
        "english_article": article.translation_of,
        "english_diff": translation.english_changes(article),
        **english_text(translation.english_live(article)),
    }


def english_text(publication: Publication | None) -> dict:
    """An English publication's words as its public page renders them, for a translator or a
    reviewer to read beside the Spanish (read-only)."""
    if publication is None:
        return {}
    return {"english_text": publication, "english_text_body": preview_parts(publication)["body_html"]}


def changes_since_live(article: Article) -> diff.DocumentDiff:
    live = article.live_publication
    return diff.compare(diff.from_publication(live) if live else None, diff.from_working_copy(article))


def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft exactly as the public page would show it, marked as a preview."""
    article = _article(request, pk)
    original = article.translation_of if article.is_translation else None
    return render_article(
        request,
        SimpleNamespace(**freeze(article, as_approved=True)),
        public_id=article.public_id,
        preview=True,
        language=article.language,
        english=original.live_publication if original is not None else None,
    )


def changes(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    return render(
        request,
        "admin/editorial/changes.html",
        _context(
            request, article, title=f"Changes since live: {article.title}", diff=changes_since_live(article)
        ),
    )


def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions from the history, in the same view as the changes since live."""
    article = _article(request, pk)
    versions = Version.objects.get_for_object(article).select_related("revision__user")
    try:
        old = versions.get(pk=int(request.GET.get("old", "")))
        new = versions.get(pk=int(request.GET.get("new", "")))
    except (ValueError, Version.DoesNotExist):
        messages.error(request, "Choose two versions of this article to compare.")
        return redirect(reverse("admin:encyclopedia_article_history", args=[article.pk]))
    if old.revision.date_created > new.revision.date_created:
        old, new = new, old
    return render(
        request,
        "admin/editorial/changes.html",
        _context(
            request,
            article,
            title=f"Compare versions: {article.title}",
            diff=diff.compare(diff.from_version(old), diff.from_version(new)),
            old_version=old,
            new_version=new,
        ),
    )


def history(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article(request, pk)
    versions = list(Version.objects.get_for_object(article).select_related("revision__user"))
    may_revert = workflow.has_role(request.user, "encyclopedia.change_article")
    return render(
        request,
        "admin/editorial/history.html",
        _context(
            request,
            article,
            title=f"History: {article.title}",
            versions=versions,
            may_revert=may_revert,
            audit_events=AuditEvent.objects.filter(article=article).select_related("user"),
        ),
    )


@require_POST
def revert(request: HttpRequest, pk: int, version_id: int) -> HttpResponse:
    article = _article(request, pk)
    version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
    try:
        revert_action(article, request.user, version=version)
    except EditorialError as error:
        messages.error(request, str(error))
        return redirect(reverse("admin:encyclopedia_article_history", args=[article.pk]))
    messages.success(
        request, "The draft is back to that version. The live page is unchanged until it is approved."
    )
    return redirect(reverse("admin:encyclopedia_article_change", args=[article.pk]))


def recover(request: HttpRequest, version_id: int) -> HttpResponse:
    """Confirm, then recover a deleted article from its last version (directors only, as the action)."""
    if not request.user.has_perm(RECOVER_PERMISSION):
        raise PermissionDenied
    version = get_object_or_404(
        Version.objects.get_deleted(Article).select_related("revision__user"), pk=version_id
    )
    if request.method == "POST":
        try:
            article = recover_action(version, request.user)
        except EditorialError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Recovered “{article.title}” ({article.public_id}) as a draft.")
            return redirect(reverse("admin:encyclopedia_article_change", args=[article.pk]))
    return render(
        request,
        "admin/editorial/recover.html",
        {
            **admin.site.each_context(request),
            "opts": Article._meta,
            "title": f"Recover {version.object_repr}",
            "version": version,
            "document": diff.compare(None, diff.from_version(version)),
        },
    )


def review_queue(request: HttpRequest) -> HttpResponse:
    """Articles awaiting review in the reviewer's languages (every edition for a login with no
    reviewer profile), the ones assigned to this reviewer first, then oldest first."""
    if not request.user.has_perm("encyclopedia.view_article"):
        raise PermissionDenied
    waiting = (
        Article.objects.filter(
            in_languages_of(request.user),
            state=WorkflowState.IN_REVIEW,
            withdrawn_at__isnull=True,
            merged_into__isnull=True,
        )
        .select_related("assigned_reviewer", "submitted_by", "live_publication")
        .annotate(
            mine=Case(
                When(assigned_reviewer=request.user, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("mine", "submitted_at", "pk")
    )
    return render(
        request,
        "admin/editorial/queue.html",
        {
            **admin.site.each_context(request),
            "opts": Article._meta,
            "title": "Awaiting medical review",
            "waiting": waiting,
        },
    )


def _merge(article: Article, user, data: dict) -> Article:
    target = Article.objects.filter(public_id=data["into"].strip(), language=article.language).first()
    if target is None:
        raise EditorialError(f"No article has the id {data['into']}.")
    return merge(article, user, into=target, reason=data["reason"])


TRANSITION_VIEWS = {
    "submit": (
        SubmitForm,
        lambda a, u, d: submit(a, u, note=d["note"], reviewer=d["reviewer"]),
        "Submitted for review.",
    ),
    "request_changes": (
        CommentForm,
        lambda a, u, d: request_changes(a, u, comment=d["comment"]),
        "Changes requested.",
    ),
    "approve": (
        ApproveForm,
        lambda a, u, d: approve(a, u, notes=d["notes"], go_live_at=d["go_live_at"], seen=d["seen"]),
        "Approved.",
    ),
    "confirm": (
        NotesForm,
        lambda a, u, d: confirm_still_accurate(a, u, notes=d["notes"]),
        "Confirmed still accurate.",
    ),
    "publish_correction": (
        ReasonForm,
        lambda a, u, d: publish_correction(a, u, reason=d["reason"]),
        "Correction published.",
    ),
    "confirm_translation": (
        NotesForm,
        lambda a, u, d: confirm_translation(a, u, notes=d["notes"]),
        "Confirmed: the translation still matches the English page.",
    ),
    "add_translation": (
        ConfirmForm,
        lambda a, u, d: add_spanish_edition(a, u),
        "Spanish edition started: translate it here (the English text to translate is above the form).",
    ),
    "withdraw": (ReasonForm, lambda a, u, d: withdraw(a, u, reason=d["reason"]), "Withdrawn."),
    "merge": (MergeForm, _merge, "Merged."),
    "restore": (ConfirmForm, lambda a, u, d: restore(a, u), "Restored."),
}


INTROS = {
    "submit": "The draft is locked while it is in review; a reviewer can send it back.",
    "approve": "Approving records your review, dates the page today, credits you and publishes the update.",
    "confirm": (
        "Confirming records a review of the live page as readers see it now: the review date moves to "
        "today with your credit, and the content does not change."
    ),
    "publish_correction": "For wording, typos and links only: the page keeps its review date and credits.",
    "confirm_translation": (
        "Confirming says the Spanish page still says what the English page says now: the English "
        "changes shown below need no new translation. The mark “out of date” is cleared; the Spanish "
        "text and its review date do not change."
    ),
    "add_translation": (
        "Starts a Spanish draft with this article's id and section headings, for a translator to fill "
        "in. Nothing goes live until a Spanish-qualified reviewer approves it."
    ),
    "restore": (
        "Restoring puts back the page readers had when the article was withdrawn or merged, word for "
        "word, with its review date and credits: its address answers again, and it returns to search "
        "and the A–Z index. Nothing is reviewed or republished: a draft in progress stays a draft, and "
        "an update that was scheduled before the withdrawal stays cancelled."
    ),
}

# The steps that take a page away from readers: styled as dangerous, and they say what readers
# will get and how to undo them (the delete page says it too: admin/editorial/article/delete_confirmation.html).
DANGEROUS = {"withdraw", "merge"}


def _spanish_alone(article: Article) -> bool:
    """A Spanish edition whose English article stays live: withdrawn, its readers get the 404 that
    links the English page (``encyclopedia.views._gone_with_english``), not 410."""
    return article.is_translation and article.translation_of.is_live


def _withdrawn_readers(article: Article, address: str) -> str:
    """What readers of ``article``'s address get once it is withdrawn, and of its Spanish edition."""
    if _spanish_alone(article):
        return (
            f"Readers who open {address} will get a page in Spanish saying there is no Spanish "
            "version (404), with a link to the English article, which stays live. The edition leaves "
            "the Spanish search and A–Z index."
        )
    gone = (
        f"Readers who open {address} will get “410 Gone”: a short notice that the article was "
        "withdrawn. It leaves search and the A–Z index."
    )
    if article.is_translation:
        return gone
    spanish = article.translations.filter(live_publication__isnull=False, withdrawn_at__isnull=True).first()
    if spanish is None:
        return gone
    return f"{gone} Its Spanish edition, {spanish.get_absolute_url()}, is withdrawn with it and answers “410 Gone” too."


def consequences(action: str, article: Article) -> tuple[str, str]:
    """What readers will get after ``action``, and how to undo it."""
    address = article.get_absolute_url()
    if action == "withdraw":
        return (
            _withdrawn_readers(article, address),
            "An editorial director can restore it (Restore, on this article's page): the page "
            "readers have now comes back as it is. An update scheduled to go live is cancelled, and "
            "a draft in review goes back to its editor as a draft: neither comes back.",
        )
    if action == "merge":
        return (
            f"Readers who open {address} will be redirected (301) to the article you name. "
            "This article leaves search and the A–Z index.",
            "An editorial director can restore it (Restore, on this article's page): its own page "
            "comes back at its address and the redirect ends. An update scheduled to go live is "
            "cancelled, and a draft in review goes back to its editor as a draft: neither comes back.",
        )
    if action == "restore":
        taken = (
            AuditEvent.objects.filter(article=article, action__in=("withdraw", "merge"))
            .order_by("-at", "-id")
            .first()
        )
        when = f" It was taken down on {dates.moment(taken.at)} ({taken.comment})." if taken else ""
        return (
            f"Readers who open {address} will get its page again, as it was when it was taken down.{when}",
            "Withdraw it again from its page.",
        )
    return ("", "")


def _perform(
    request: HttpRequest, article: Article, action: str, data: dict, *, then: str, name_article: bool = False
) -> HttpResponse | None:
    """Run one workflow step from its valid form, and tell the user how it went.

    Done: a success message and a redirect to ``then``. The draft changed since the page showed
    it: back to the same page, which shows what changed. Refused: None, so the caller shows its
    form again under the refusal. ``name_article`` names the article in the success message, for
    pages that do not return to it.
    """
    _form, perform, done = TRANSITION_VIEWS[action]
    try:
        result = perform(article, request.user, data)
    except ChangedSinceShown as error:
        messages.error(request, str(error))
        return redirect(request.path)  # shown again, with what changed
    except EditorialError as error:
        messages.error(request, str(error))
        return None
    named = f" ({article.title}, {article.public_id})" if name_article else ""
    messages.success(request, f"{done} {_outcome(result, action)}{named}")
    if action in OPENS_RESULT:
        then = reverse("admin:encyclopedia_article_change", args=[result.pk])
    return redirect(then)


# The steps that make a new article (the Spanish draft), which is where the user works next.
OPENS_RESULT = ("add_translation",)


def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One workflow step: a short form, then the action function; refusals become messages."""
    if action not in TRANSITION_VIEWS:
        raise Http404("No such workflow step.")
    article = _article(request, pk)
    form_class = TRANSITION_VIEWS[action][0]
    # What an approval is of: the draft as this page shows it (see snapshot.fingerprint).
    initial = {"seen": snapshot.fingerprint(article)} if action == "approve" else {}
    language = {"language": article.language} if form_class is SubmitForm else {}
    form = form_class(request.POST or None, initial=initial, **language)
    if request.method == "POST" and form.is_valid():
        then = reverse("admin:encyclopedia_article_change", args=[article.pk])
        response = _perform(request, article, action, form.cleaned_data, then=then)
        if response is not None:
            return response
    try:
        workflow.check(action, article, request.user)
        refusal = ""
    except EditorialError as error:
        refusal = str(error)
    show_diff = action in ("approve", "request_changes", "publish_correction", "submit")
    english_diff = translation.english_changes(article) if action == "confirm_translation" else None
    readers, undo = consequences(action, article)
    has_draft = article.state != WorkflowState.PUBLISHED  # "Published": the working copy is what was live

    return render(
        request,
        "admin/editorial/transition.html",
        _context(
            request,
            article,
            title=f"{workflow.TRANSITIONS[action].label}: {article.title}",
            form=form,
            refusal=refusal,
            intro=INTROS.get(action, ""),
            diff=changes_since_live(article) if show_diff else english_diff,
            diff_title="English changes since the translation's source" if english_diff else "",
            preview_url=reverse("admin:editorial_preview", args=[article.pk]) if has_draft else "",
            danger=action in DANGEROUS,
            readers=readers,
            undo=undo,
        ),
    )


def _outcome(article: Article, action: str) -> str:
    if article.state == WorkflowState.APPROVED and article.go_live_at:
        return f"It goes live at {dates.moment(article.go_live_at)}."
    if article.withdrawn_at and _spanish_alone(article):
        return (
            "Readers of its Spanish address now get a page in Spanish that links the English article (404)."
        )
    if article.withdrawn_at:
        return "The public now gets “410 Gone”."
    if article.merged_into_id:
        return f"Its id now redirects to {article.merged_into.public_id}."
    if article.is_live and article.state == WorkflowState.PUBLISHED:
        return "The public page shows it now."
    if action == "restore" and article.is_live:  # a draft it had stays one: the page is back
        return "The public page shows its last approved version again; its draft stays a draft."
    return {
        WorkflowState.CHANGES_REQUESTED: "The draft is back with its editor; the public page is unchanged.",
        WorkflowState.IN_REVIEW: "The draft is locked until a medical reviewer decides.",
        WorkflowState.DRAFT: "It is a draft; the public page is unchanged.",
    }.get(article.state, f"It is now “{workflow.status_text(article)}”.")


DECISIONS = ("approve", "request_changes")


def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's workspace: everything a decision on a submitted draft needs, on one page.

    The editor's note, the changes since live, the draft as readers would get it, the review
    history and the references' age, then the decision. The approval carries the fingerprint of
    the draft as this page showed it, as the approve page's does: if the draft changed since,
    nothing is approved.
    """
    article = _article(request, pk)
    forms = {
        "approve": ApproveForm(prefix="approve", initial={"seen": snapshot.fingerprint(article)}),
        "request_changes": CommentForm(prefix="changes"),
    }
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if decision not in DECISIONS:
            messages.error(request, "Nothing was decided: choose Approve or Request changes.")
            return redirect(request.path)
        form_class = ApproveForm if decision == "approve" else CommentForm
        form = form_class(request.POST, prefix="approve" if decision == "approve" else "changes")
        forms[decision] = form
        if form.is_valid():
            then = reverse("admin:editorial_review_queue")
            response = _perform(request, article, decision, form.cleaned_data, then=then, name_article=True)
            if response is not None:
                return response
    refusals = {}
    for name in DECISIONS:
        try:
            workflow.check(name, article, request.user)
        except EditorialError as error:
            refusals[name] = str(error)
    draft = SimpleNamespace(**freeze(article, as_approved=True))
    return render(
        request,
        "admin/editorial/workspace.html",
        _context(
            request,
            article,
            title=f"Review: {article.title}",
            diff=changes_since_live(article),
            draft=draft,
            draft_page=preview_parts(draft, article.language),
            review_records=ReviewRecord.objects.filter(article=article).select_related("reviewer", "user"),
            references=reference_ages(article),
            reference_max_age=max_age_years(),
            approve_form=forms["approve"],
            changes_form=forms["request_changes"],
            approve_refusal=refusals.get("approve", ""),
            changes_refusal=refusals.get("request_changes", ""),
            workflow_status=workflow.status_text(article),
            preview_url=reverse("admin:editorial_preview", args=[article.pk]),
            **workspace_translation(article),
        ),
    )


def workspace_translation(article: Article) -> dict:
    """What the reviewer of a Spanish draft reads beside it: the English page its translator
    worked from, the translator, whether the translation is out of date and the English changes
    since its source."""
    if not article.is_translation:
        return {}
    return {**translation_context(article), **english_text(submitted_source(article))}


def reassign(request: HttpRequest, articles) -> HttpResponse | None:
    """The bulk-reassign admin action: a form, then the reassignment."""
    if "apply" in request.POST:
        form = ReassignForm(request.POST)
        if form.is_valid():
            try:
                count, skipped = reassign_reviewer(
                    list(articles),
                    request.user,
                    reviewer=form.cleaned_data["reviewer"],
                    specialty=form.cleaned_data["specialty"],
                    clear_reviewer=form.cleaned_data["clear_reviewer"],
                )
            except EditorialError as error:
                messages.error(request, str(error))
                return None
            messages.success(request, f"Reassigned {count} articles.")
            if skipped:
                names = ", ".join(a.public_id for a in skipped)
                messages.warning(request, f"Skipped while in review or approved: {names}.")
            return None
    else:
        form = ReassignForm()
    return render(
        request,
        "admin/editorial/reassign.html",
        {
            **admin.site.each_context(request),
            "opts": Article._meta,
            "title": "Reassign reviewer",
            "articles": articles,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )
