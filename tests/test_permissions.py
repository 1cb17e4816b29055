"""Who may do what: every public URL, every admin URL and every workflow action, for five actors.

Read the tables: one row per URL or action, one column per actor, each cell what that actor
gets. Every cell is its own test case (``test_admin_url[article: add-editor]``).

The roles, as the people holding them expect them: editors draft and submit; medical reviewers
approve, request changes and confirm; editorial directors run the site (minor corrections,
withdraw, merge, restore, delete, recover, reassign, site data); a superuser does everything.
Nobody approves their own changes, and an approver must be a credited reviewer, so the
reviewer and the superuser below each have a reviewer profile, and the drafts they act on
were written by somebody else.

Outcomes:
    200, 302, 403, 404, 405, 410  the HTTP status
    LOGIN    sent to the admin sign-in page
    EDIT     200, a form the actor can submit (a Save button, or an enabled workflow button)
    VIEW     200, the same page read-only (no Save button; the workflow page says why not)
    DONE     the write happened
    REFUSED  the write was refused (the project's NotAllowed, or a message on the page) and
             nothing in the database changed
    PASSES   the function's permission check lets the actor through; the write is then refused
             for another reason the table cannot avoid (restoring an export needs an empty
             database), never with NotAllowed
"""

from __future__ import annotations

import datetime
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import reversion
from django.contrib import messages as django_messages
from django.contrib.auth.models import AnonymousUser, Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from reversion.models import Version

import editorial.actions
from editorial import roles, workflow
from editorial.actions.add_translation import add_spanish_edition
from editorial.actions.approve import approve
from editorial.actions.confirm import confirm_still_accurate
from editorial.actions.confirm_translation import confirm_translation
from editorial.actions.delete import delete as delete_article
from editorial.actions.edit import check_editable, record_edit
from editorial.actions.import_article import import_page
from editorial.actions.merge import merge
from editorial.actions.publish import publish
from editorial.actions.publish_correction import publish_correction
from editorial.actions.publish_scheduled import publish_due
from editorial.actions.reassign import reassign_reviewer
from editorial.actions.recover import recover
from editorial.actions.request_changes import request_changes
from editorial.actions.restore import restore
from editorial.actions.revert import revert
from editorial.actions.submit import submit
from editorial.actions.withdraw import withdraw
from editorial.errors import EditorialError, NotAllowed
from editorial.importer.parser import parse_page
from editorial.models import AuditEvent, OutgoingMail, ReviewRecord
from editorial.views import TRANSITION_VIEWS
from encyclopedia.models import (
    AccreditationNotice,
    Article,
    ArticleCitation,
    Citation,
    EditorialCredit,
    ImageAwaitingUpload,
    PolicyPage,
    Publication,
    Reviewer,
    ReviewOrganization,
    Section,
    SectionHeading,
    SiteSettings,
    WorkflowState,
)
from encyclopedia.snapshot import fingerprint
from tests.factories import (
    add_image,
    admin_form_data,
    edit,
    export_text,
    make_user,
    picture,
    restore_text,
    with_profile,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, EDITOR, REVIEWER, DIRECTOR, SUPERUSER = "anonymous", "editor", "reviewer", "director", "superuser"
ACTORS = (ANONYMOUS, EDITOR, REVIEWER, DIRECTOR, SUPERUSER)

LOGIN, EDIT, VIEW, DONE, REFUSED, PASSES = "login", "edit", "view", "done", "refused", "passes"


# Words that exist only in drafts, in an approved update waiting for its time, and in an
# article that was never published: no public response may contain any of them.
DRAFT_TITLE = "Zebra fever"
DRAFT_WORDS = "Zebraquux unreleased wording"
PENDING_WORDS = "Pendingquux draft wording"
WAITING_WORDS = "Waitingquux approved wording"
LATER_TITLE = "Yak flu"
# The Spanish edition's: a translation never published, and a live one's pending draft.
ES_DRAFT_TITLE = "Fiebre de cebra"
ES_DRAFT_WORDS = "Cebraquux borrador inédito"
ES_PENDING_WORDS = "Pendientequux texto sin revisar"
SECRETS = (
    DRAFT_TITLE,
    DRAFT_WORDS,
    PENDING_WORDS,
    WAITING_WORDS,
    LATER_TITLE,
    "100666",
    "100777",
    ES_DRAFT_TITLE,
    ES_DRAFT_WORDS,
    ES_PENDING_WORDS,
)

# ----------------------------------------------------------------------------- the public site
# The same for every actor: signed-in staff see the public site exactly as the public does.
# A draft, an update waiting for its go-live time and a never-published article are 404 (or
# simply absent) everywhere, for everyone.

# fmt: off
PUBLIC_URLS = [
    # name                                    url                                                  everyone
    ("root",                                  "/",                                                 301),
    ("front page",                            "/ency/",                                            200),
    ("letter page",                           "/ency/encyclopedia_L.htm",                          200),
    ("letter page of the draft's letter",     "/ency/encyclopedia_Z.htm",                          200),
    ("letter page 0-9",                       "/ency/encyclopedia_0-9.htm",                        200),
    ("letter page, lower case",               "/ency/encyclopedia_l.htm",                          301),
    ("search",                                "/ency/search/?q=cramps",                            200),
    ("search for a live title",               "/ency/search/?q=Leg+cramps",                        302),
    ("search for the draft's title",          "/ency/search/?q=Zebra+fever",                       200),
    ("search for the draft's id",             "/ency/search/?q=100666",                            200),
    ("search as you type",                    "/ency/search/suggest/?q=Zeb",                       200),
    ("live article",                          "/ency/article/{w.live.public_id}.htm",              200),
    ("live article with a pending draft",     "/ency/article/{w.live_draft.public_id}.htm",        200),
    ("live article with an update waiting",   "/ency/article/{w.waiting.public_id}.htm",           200),
    ("withdrawn article",                     "/ency/article/{w.withdrawn.public_id}.htm",         410),
    ("merged article",                        "/ency/article/{w.merged.public_id}.htm",            301),
    ("draft article",                         "/ency/article/{w.draft.public_id}.htm",             404),
    ("article approved for later",            "/ency/article/{w.later.public_id}.htm",             404),
    ("unknown article",                       "/ency/article/999999.htm",                          404),
    ("cite: RIS",                             "/ency/article/{w.live.public_id}.ris",              200),
    ("cite: BibTeX",                          "/ency/article/{w.live.public_id}.bib",              200),
    ("cite: references RIS",                  "/ency/article/{w.live.public_id}-references.ris",   200),
    ("cite: RIS of the draft",                "/ency/article/{w.draft.public_id}.ris",             404),
    ("cite: BibTeX of the draft",             "/ency/article/{w.draft.public_id}.bib",             404),
    ("cite: references RIS of the draft",     "/ency/article/{w.draft.public_id}-references.ris",  404),
    ("cite: RIS of a withdrawn article",      "/ency/article/{w.withdrawn.public_id}.ris",         410),
    ("image page",                            "/ency/imagepages/{w.live_image.pk:06d}.htm",        200),
    ("image page of the draft's image",       "/ency/imagepages/{w.draft_image.pk:06d}.htm",       404),
    ("policy page",                           "/about/{w.obj.policypage.slug}/",                   200),
    ("unknown policy page",                   "/about/no-such-page/",                              404),
    ("sitemap",                               "/sitemap.xml",                                      200),
    ("robots.txt",                            "/robots.txt",                                       200),
    ("feed",                                  "/ency/feed/",                                       200),
    ("api: list",                             "/api/v1/articles/",                                 200),
    ("api: article",                          "/api/v1/articles/{w.live.public_id}/",              200),
    ("api: article with a pending draft",     "/api/v1/articles/{w.live_draft.public_id}/",        200),
    ("api: the draft",                        "/api/v1/articles/{w.draft.public_id}/",             404),
    ("api: article approved for later",       "/api/v1/articles/{w.later.public_id}/",             404),
    ("health check",                          "/healthz",                                          200),
    ("infobutton: service",                   "/infobutton/service?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=E11.65", 200),
    ("infobutton: service without a code",    "/infobutton/service?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90", 400),
    ("infobutton: page for patients",         "/infobutton/application?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90&mainSearchCriteria.v.c=E11.65", 200),
    # -- the Spanish edition: the same rules, and a Spanish address with no live translation is 404
    ("es: front page",                        "/spanish/ency/",                                    200),
    ("es: letter page",                       "/spanish/ency/encyclopedia_C.htm",                  200),
    ("es: letter page of the draft's letter", "/spanish/ency/encyclopedia_F.htm",                  200),
    ("es: letter page, lower case",           "/spanish/ency/encyclopedia_c.htm",                  301),
    ("es: search",                            "/spanish/ency/search/?q=calambres",                 200),
    ("es: search for the draft's title",      "/spanish/ency/search/?q=Fiebre+de+cebra",           200),
    ("es: search for the pending words",      "/spanish/ency/search/?q=Pendientequux",             200),
    ("es: search as you type",                "/spanish/ency/search/suggest/?q=Fie",               200),
    ("es: live article",                      "/spanish/ency/article/{w.es_live.public_id}.htm",   200),
    ("es: article with an untranslated draft", "/spanish/ency/article/{w.es_draft.public_id}.htm", 404),
    ("es: article never published in English", "/spanish/ency/article/{w.draft.public_id}.htm",    404),
    ("es: article withdrawn in English",      "/spanish/ency/article/{w.es_withdrawn.public_id}.htm", 410),
    ("es: unknown article",                   "/spanish/ency/article/999999.htm",                  404),
    ("es: cite: RIS",                         "/spanish/ency/article/{w.es_live.public_id}.ris",   200),
    ("es: cite: BibTeX",                      "/spanish/ency/article/{w.es_live.public_id}.bib",   200),
    ("es: cite: references RIS",              "/spanish/ency/article/{w.es_live.public_id}-references.ris", 200),
    ("es: cite: RIS of the untranslated draft", "/spanish/ency/article/{w.es_draft.public_id}.ris", 404),
    ("es: cite: BibTeX of the untranslated draft", "/spanish/ency/article/{w.es_draft.public_id}.bib", 404),
    ("es: cite: references RIS of the untranslated draft", "/spanish/ency/article/{w.es_draft.public_id}-references.ris", 404),
    ("es: feed",                              "/spanish/ency/feed/",                               200),
    ("es: api: the translation",              "/api/v1/articles/{w.es_live.public_id}/?lang=es",   200),
    ("es: api: the untranslated draft",       "/api/v1/articles/{w.es_draft.public_id}/?lang=es",  404),
]

# ----------------------------------------------------------------------------- the admin
# Every URL pattern of the admin site (test_every_url_pattern_is_in_a_table checks that none is
# missing). The article rows use an article in the state named; "old version" is a reversion
# revision page, "deleted list"/"recover deleted" reversion's recovery pages.

ADMIN_URLS = [
    # name                                  url                                                                    anonymous editor reviewer director superuser
    # -- the admin site
    ("index",                               "/admin/",                                                              LOGIN, 200,  200,  200,  200),
    ("login page",                          "/admin/login/",                                                        200,   302,  302,  302,  302),
    ("logout by GET",                       "/admin/logout/",                                                       302,   405,  405,  405,  405),
    ("password change",                     "/admin/password_change/",                                              LOGIN, 200,  200,  200,  200),
    ("password change done",                "/admin/password_change/done/",                                         LOGIN, 200,  200,  200,  200),
    ("javascript catalog",                  "/admin/jsi18n/",                                                       LOGIN, 200,  200,  200,  200),
    ("view on site",                        "/admin/r/{w.article_type}/{w.live.pk}/",                               LOGIN, 302,  302,  302,  302),
    ("app: encyclopedia",                   "/admin/encyclopedia/",                                                 LOGIN, 200,  200,  200,  200),
    ("app: editorial",                      "/admin/editorial/",                                                    LOGIN, 200,  200,  200,  200),
    ("app: auth",                           "/admin/auth/",                                                         LOGIN, 404,  404,  200,  200),
    ("app: axes",                           "/admin/axes/",                                                         LOGIN, 404,  404,  404,  200),
    ("unknown admin page",                  "/admin/no-such-page/",                                                 LOGIN, 404,  404,  404,  404),
    # -- look-ups behind the autocomplete fields of the forms
    ("find: article's reviewer",            "/admin/autocomplete/?app_label=encyclopedia&model_name=article&field_name=reviewer",                 LOGIN, 200, 200, 200, 200),
    ("find: article's review organization", "/admin/autocomplete/?app_label=encyclopedia&model_name=article&field_name=review_organization",      LOGIN, 200, 200, 200, 200),
    ("find: section heading",               "/admin/autocomplete/?app_label=encyclopedia&model_name=section&field_name=heading",                  LOGIN, 200, 200, 200, 200),
    ("find: reference's citation",          "/admin/autocomplete/?app_label=encyclopedia&model_name=articlecitation&field_name=citation",         LOGIN, 200, 200, 200, 200),
    ("find: related article",               "/admin/autocomplete/?app_label=encyclopedia&model_name=relatedarticle&field_name=related",           LOGIN, 200, 200, 200, 200),
    ("find: reviewer's login",              "/admin/autocomplete/?app_label=encyclopedia&model_name=reviewer&field_name=user",                    LOGIN, 403, 403, 200, 200),
    # -- articles and their editorial pages
    ("article: list",                       "/admin/encyclopedia/article/",                                         LOGIN, 200,  200,  200,  200),
    ("article: add",                        "/admin/encyclopedia/article/add/",                                     LOGIN, EDIT, 403,  EDIT, EDIT),
    ("article: change a draft",             "/admin/encyclopedia/article/{w.draft.pk}/change/",                     LOGIN, EDIT, VIEW, EDIT, EDIT),
    ("article: change one in review",       "/admin/encyclopedia/article/{w.in_review.pk}/change/",                 LOGIN, VIEW, VIEW, VIEW, VIEW),
    ("article: change a withdrawn one",     "/admin/encyclopedia/article/{w.withdrawn.pk}/change/",                 LOGIN, VIEW, VIEW, VIEW, VIEW),
    ("article: short url",                  "/admin/encyclopedia/article/{w.draft.pk}/",                            LOGIN, 302,  302,  302,  302),
    ("article: history",                    "/admin/encyclopedia/article/{w.live_draft.pk}/history/",               LOGIN, 200,  200,  200,  200),
    ("article: old version",                "/admin/encyclopedia/article/{w.live_draft.pk}/history/{w.oldest}/",    LOGIN, 302,  302,  302,  302),
    ("article: delete a draft",             "/admin/encyclopedia/article/{w.draft.pk}/delete/",                     LOGIN, 403,  403,  200,  200),
    ("article: delete a live one",          "/admin/encyclopedia/article/{w.live.pk}/delete/",                      LOGIN, 403,  403,  403,  403),
    ("article: deleted list",               "/admin/encyclopedia/article/recover/",                                 LOGIN, 403,  403,  200,  200),
    ("article: recover deleted",            "/admin/encyclopedia/article/recover/{w.deleted_article}/",             LOGIN, 403,  403,  200,  200),
    ("article: review queue",               "/admin/encyclopedia/article/queue/",                                   LOGIN, 200,  200,  200,  200),
    ("article: preview a draft",            "/admin/encyclopedia/article/{w.draft.pk}/preview/",                    LOGIN, 200,  200,  200,  200),
    ("article: review workspace",          "/admin/encyclopedia/article/{w.in_review.pk}/workspace/",              LOGIN, 200,  200,  200,  200),
    ("editor: preview a field (POST only)", "/admin/encyclopedia/article/editor/preview/",                          LOGIN, 405,  405,  405,  405),
    ("editor: link picker",                 "/admin/encyclopedia/article/editor/link-search/?q=le",                 LOGIN, 200,  200,  200,  200),
    ("article: changes since live",         "/admin/encyclopedia/article/{w.live_draft.pk}/changes/",               LOGIN, 200,  200,  200,  200),
    ("article: compare versions",           "/admin/encyclopedia/article/{w.live_draft.pk}/compare/?old={w.oldest}&new={w.newest}", LOGIN, 200, 200, 200, 200),
    ("article: revert by GET",              "/admin/encyclopedia/article/{w.live_draft.pk}/revert/{w.oldest}/",     LOGIN, 405,  405,  405,  405),
    ("step: submit",                        "/admin/encyclopedia/article/{w.live_draft.pk}/workflow/submit/",       LOGIN, EDIT, VIEW, EDIT, EDIT),
    ("step: request changes",               "/admin/encyclopedia/article/{w.in_review.pk}/workflow/request_changes/", LOGIN, VIEW, EDIT, VIEW, EDIT),
    ("step: approve",                       "/admin/encyclopedia/article/{w.in_review.pk}/workflow/approve/",       LOGIN, VIEW, EDIT, VIEW, EDIT),
    ("step: confirm still accurate",        "/admin/encyclopedia/article/{w.live.pk}/workflow/confirm/",            LOGIN, VIEW, EDIT, VIEW, EDIT),
    ("step: publish a correction",          "/admin/encyclopedia/article/{w.live_draft.pk}/workflow/publish_correction/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("step: withdraw",                      "/admin/encyclopedia/article/{w.live.pk}/workflow/withdraw/",           LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("step: merge",                         "/admin/encyclopedia/article/{w.live.pk}/workflow/merge/",              LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("step: restore",                       "/admin/encyclopedia/article/{w.withdrawn.pk}/workflow/restore/",       LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("step: not a step",                    "/admin/encyclopedia/article/{w.live.pk}/workflow/publish/",            LOGIN, 404,  404,  404,  404),
    # -- citations: editors add and change them, directors also delete
    ("citation: list",                      "/admin/encyclopedia/citation/",                                        LOGIN, 200,  200,  200,  200),
    ("citation: add",                       "/admin/encyclopedia/citation/add/",                                    LOGIN, EDIT, 403,  EDIT, EDIT),
    ("citation: change",                    "/admin/encyclopedia/citation/{w.obj.citation.pk}/change/",             LOGIN, EDIT, VIEW, EDIT, EDIT),
    ("citation: short url",                 "/admin/encyclopedia/citation/{w.obj.citation.pk}/",                    LOGIN, 302,  302,  302,  302),
    ("citation: history",                   "/admin/encyclopedia/citation/{w.obj.citation.pk}/history/",            LOGIN, 200,  200,  200,  200),
    ("citation: old version",               "/admin/encyclopedia/citation/{w.obj.citation.pk}/history/{w.ver.citation}/", LOGIN, EDIT, VIEW, EDIT, EDIT),
    ("citation: delete",                    "/admin/encyclopedia/citation/{w.obj.citation.pk}/delete/",             LOGIN, 403,  403,  200,  200),
    ("citation: deleted list",              "/admin/encyclopedia/citation/recover/",                                LOGIN, 200,  403,  200,  200),
    ("citation: recover deleted",           "/admin/encyclopedia/citation/recover/{w.gone.citation}/",              LOGIN, EDIT, 403,  EDIT, EDIT),
    # -- site data: everyone on the staff reads it, directors manage it
    ("reviewer: list",                      "/admin/encyclopedia/reviewer/",                                        LOGIN, 200,  200,  200,  200),
    ("reviewer: add",                       "/admin/encyclopedia/reviewer/add/",                                    LOGIN, 403,  403,  EDIT, EDIT),
    ("reviewer: change",                    "/admin/encyclopedia/reviewer/{w.obj.reviewer.pk}/change/",             LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("reviewer: short url",                 "/admin/encyclopedia/reviewer/{w.obj.reviewer.pk}/",                    LOGIN, 302,  302,  302,  302),
    ("reviewer: history",                   "/admin/encyclopedia/reviewer/{w.obj.reviewer.pk}/history/",            LOGIN, 200,  200,  200,  200),
    ("reviewer: old version",               "/admin/encyclopedia/reviewer/{w.obj.reviewer.pk}/history/{w.ver.reviewer}/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("reviewer: delete",                    "/admin/encyclopedia/reviewer/{w.obj.reviewer.pk}/delete/",             LOGIN, 403,  403,  200,  200),
    ("reviewer: deleted list",              "/admin/encyclopedia/reviewer/recover/",                                LOGIN, 403,  403,  200,  200),
    ("reviewer: recover deleted",           "/admin/encyclopedia/reviewer/recover/{w.gone.reviewer}/",              LOGIN, 403,  403,  EDIT, EDIT),
    ("organization: list",                  "/admin/encyclopedia/revieworganization/",                              LOGIN, 200,  200,  200,  200),
    ("organization: add",                   "/admin/encyclopedia/revieworganization/add/",                          LOGIN, 403,  403,  EDIT, EDIT),
    ("organization: change",                "/admin/encyclopedia/revieworganization/{w.obj.revieworganization.pk}/change/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("organization: short url",             "/admin/encyclopedia/revieworganization/{w.obj.revieworganization.pk}/", LOGIN, 302, 302,  302,  302),
    ("organization: history",               "/admin/encyclopedia/revieworganization/{w.obj.revieworganization.pk}/history/", LOGIN, 200, 200, 200, 200),
    ("organization: old version",           "/admin/encyclopedia/revieworganization/{w.obj.revieworganization.pk}/history/{w.ver.revieworganization}/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("organization: delete",                "/admin/encyclopedia/revieworganization/{w.obj.revieworganization.pk}/delete/", LOGIN, 403, 403, 200, 200),
    ("organization: deleted list",          "/admin/encyclopedia/revieworganization/recover/",                      LOGIN, 403,  403,  200,  200),
    ("organization: recover deleted",       "/admin/encyclopedia/revieworganization/recover/{w.gone.revieworganization}/", LOGIN, 403, 403, EDIT, EDIT),
    ("credit: list",                        "/admin/encyclopedia/editorialcredit/",                                 LOGIN, 200,  200,  200,  200),
    ("credit: add",                         "/admin/encyclopedia/editorialcredit/add/",                             LOGIN, 403,  403,  EDIT, EDIT),
    ("credit: change",                      "/admin/encyclopedia/editorialcredit/{w.obj.editorialcredit.pk}/change/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("credit: short url",                   "/admin/encyclopedia/editorialcredit/{w.obj.editorialcredit.pk}/",      LOGIN, 302,  302,  302,  302),
    ("credit: history",                     "/admin/encyclopedia/editorialcredit/{w.obj.editorialcredit.pk}/history/", LOGIN, 200, 200, 200,  200),
    ("credit: old version",                 "/admin/encyclopedia/editorialcredit/{w.obj.editorialcredit.pk}/history/{w.ver.editorialcredit}/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("credit: delete",                      "/admin/encyclopedia/editorialcredit/{w.obj.editorialcredit.pk}/delete/", LOGIN, 403, 403, 200,  200),
    ("credit: deleted list",                "/admin/encyclopedia/editorialcredit/recover/",                         LOGIN, 403,  403,  200,  200),
    ("credit: recover deleted",             "/admin/encyclopedia/editorialcredit/recover/{w.gone.editorialcredit}/", LOGIN, 403, 403,  EDIT, EDIT),
    ("heading: list",                       "/admin/encyclopedia/sectionheading/",                                  LOGIN, 200,  200,  200,  200),
    ("heading: add",                        "/admin/encyclopedia/sectionheading/add/",                              LOGIN, 403,  403,  EDIT, EDIT),
    ("heading: change",                     "/admin/encyclopedia/sectionheading/{w.obj.sectionheading.pk}/change/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("heading: short url",                  "/admin/encyclopedia/sectionheading/{w.obj.sectionheading.pk}/",        LOGIN, 302,  302,  302,  302),
    ("heading: history",                    "/admin/encyclopedia/sectionheading/{w.obj.sectionheading.pk}/history/", LOGIN, 200, 200,  200,  200),
    ("heading: old version",                "/admin/encyclopedia/sectionheading/{w.obj.sectionheading.pk}/history/{w.ver.sectionheading}/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("heading: delete",                     "/admin/encyclopedia/sectionheading/{w.obj.sectionheading.pk}/delete/", LOGIN, 403, 403,  200,  200),
    ("heading: deleted list",               "/admin/encyclopedia/sectionheading/recover/",                          LOGIN, 403,  403,  200,  200),
    ("heading: recover deleted",            "/admin/encyclopedia/sectionheading/recover/{w.gone.sectionheading}/",  LOGIN, 403,  403,  EDIT, EDIT),
    ("notice: list",                        "/admin/encyclopedia/accreditationnotice/",                             LOGIN, 200,  200,  200,  200),
    ("notice: add",                         "/admin/encyclopedia/accreditationnotice/add/",                         LOGIN, 403,  403,  EDIT, EDIT),
    ("notice: change",                      "/admin/encyclopedia/accreditationnotice/{w.obj.accreditationnotice.pk}/change/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("notice: short url",                   "/admin/encyclopedia/accreditationnotice/{w.obj.accreditationnotice.pk}/", LOGIN, 302, 302, 302, 302),
    ("notice: history",                     "/admin/encyclopedia/accreditationnotice/{w.obj.accreditationnotice.pk}/history/", LOGIN, 200, 200, 200, 200),
    ("notice: old version",                 "/admin/encyclopedia/accreditationnotice/{w.obj.accreditationnotice.pk}/history/{w.ver.accreditationnotice}/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("notice: delete",                      "/admin/encyclopedia/accreditationnotice/{w.obj.accreditationnotice.pk}/delete/", LOGIN, 403, 403, 200, 200),
    ("notice: deleted list",                "/admin/encyclopedia/accreditationnotice/recover/",                     LOGIN, 403,  403,  200,  200),
    ("notice: recover deleted",             "/admin/encyclopedia/accreditationnotice/recover/{w.gone.accreditationnotice}/", LOGIN, 403, 403, EDIT, EDIT),
    ("policy: list",                        "/admin/encyclopedia/policypage/",                                      LOGIN, 200,  200,  200,  200),
    ("policy: add",                         "/admin/encyclopedia/policypage/add/",                                  LOGIN, 403,  403,  EDIT, EDIT),
    ("policy: change",                      "/admin/encyclopedia/policypage/{w.obj.policypage.pk}/change/",         LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("policy: short url",                   "/admin/encyclopedia/policypage/{w.obj.policypage.pk}/",                LOGIN, 302,  302,  302,  302),
    ("policy: history",                     "/admin/encyclopedia/policypage/{w.obj.policypage.pk}/history/",        LOGIN, 200,  200,  200,  200),
    ("policy: old version",                 "/admin/encyclopedia/policypage/{w.obj.policypage.pk}/history/{w.ver.policypage}/", LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("policy: delete",                      "/admin/encyclopedia/policypage/{w.obj.policypage.pk}/delete/",         LOGIN, 403,  403,  200,  200),
    ("policy: deleted list",                "/admin/encyclopedia/policypage/recover/",                              LOGIN, 403,  403,  200,  200),
    ("policy: recover deleted",             "/admin/encyclopedia/policypage/recover/{w.gone.policypage}/",          LOGIN, 403,  403,  EDIT, EDIT),
    # -- the site settings: one row, never added or deleted
    ("settings: list",                      "/admin/encyclopedia/sitesettings/",                                    LOGIN, 200,  200,  200,  200),
    ("settings: add",                       "/admin/encyclopedia/sitesettings/add/",                                LOGIN, 403,  403,  403,  403),
    ("settings: change",                    "/admin/encyclopedia/sitesettings/1/change/",                           LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("settings: short url",                 "/admin/encyclopedia/sitesettings/1/",                                  LOGIN, 302,  302,  302,  302),
    ("settings: history",                   "/admin/encyclopedia/sitesettings/1/history/",                          LOGIN, 200,  200,  200,  200),
    ("settings: old version",               "/admin/encyclopedia/sitesettings/1/history/{w.ver.sitesettings}/",     LOGIN, VIEW, VIEW, EDIT, EDIT),
    ("settings: delete",                    "/admin/encyclopedia/sitesettings/1/delete/",                           LOGIN, 403,  403,  403,  403),
    ("settings: deleted list",              "/admin/encyclopedia/sitesettings/recover/",                            LOGIN, 403,  403,  403,  403),
    ("settings: recover deleted",           "/admin/encyclopedia/sitesettings/recover/{w.ver.sitesettings}/",       LOGIN, 403,  403,  403,  403),
    # -- written by the workflow only: everyone on the staff reads them, nobody edits them
    ("publication: list",                   "/admin/encyclopedia/publication/",                                     LOGIN, 200,  200,  200,  200),
    ("publication: add",                    "/admin/encyclopedia/publication/add/",                                 LOGIN, 403,  403,  403,  403),
    ("publication: change",                 "/admin/encyclopedia/publication/{w.live.live_publication_id}/change/", LOGIN, VIEW, VIEW, VIEW, VIEW),
    ("publication: short url",              "/admin/encyclopedia/publication/{w.live.live_publication_id}/",        LOGIN, 302,  302,  302,  302),
    ("publication: history",                "/admin/encyclopedia/publication/{w.live.live_publication_id}/history/", LOGIN, 200, 200,  200,  200),
    ("publication: delete",                 "/admin/encyclopedia/publication/{w.live.live_publication_id}/delete/", LOGIN, 403,  403,  403,  403),
    ("awaiting upload: list",               "/admin/encyclopedia/imageawaitingupload/",                             LOGIN, 200,  200,  200,  200),
    ("awaiting upload: add",                "/admin/encyclopedia/imageawaitingupload/add/",                         LOGIN, 403,  403,  403,  403),
    ("awaiting upload: change",             "/admin/encyclopedia/imageawaitingupload/{w.obj.imageawaitingupload.pk}/change/", LOGIN, VIEW, VIEW, VIEW, VIEW),
    ("awaiting upload: short url",          "/admin/encyclopedia/imageawaitingupload/{w.obj.imageawaitingupload.pk}/", LOGIN, 302, 302,  302,  302),
    ("awaiting upload: history",            "/admin/encyclopedia/imageawaitingupload/{w.obj.imageawaitingupload.pk}/history/", LOGIN, 200, 200, 200, 200),
    ("awaiting upload: delete",             "/admin/encyclopedia/imageawaitingupload/{w.obj.imageawaitingupload.pk}/delete/", LOGIN, 200, 403, 200, 200),
    ("audit event: list",                   "/admin/editorial/auditevent/",                                         LOGIN, 200,  200,  200,  200),
    ("audit event: add",                    "/admin/editorial/auditevent/add/",                                     LOGIN, 403,  403,  403,  403),
    ("audit event: change",                 "/admin/editorial/auditevent/{w.obj.auditevent.pk}/change/",            LOGIN, VIEW, VIEW, VIEW, VIEW),
    ("audit event: short url",              "/admin/editorial/auditevent/{w.obj.auditevent.pk}/",                   LOGIN, 302,  302,  302,  302),
    ("audit event: history",                "/admin/editorial/auditevent/{w.obj.auditevent.pk}/history/",           LOGIN, 200,  200,  200,  200),
    ("audit event: delete",                 "/admin/editorial/auditevent/{w.obj.auditevent.pk}/delete/",            LOGIN, 403,  403,  403,  403),
    # -- the mail outbox: directors see what the mail server has not taken; nobody edits it
    ("outgoing email: list",                "/admin/editorial/outgoingmail/",                                       LOGIN, 403,  403,  200,  200),
    ("outgoing email: add",                 "/admin/editorial/outgoingmail/add/",                                   LOGIN, 403,  403,  403,  403),
    ("outgoing email: change",              "/admin/editorial/outgoingmail/{w.obj.outgoingmail.pk}/change/",        LOGIN, 403,  403,  VIEW, VIEW),
    ("outgoing email: short url",           "/admin/editorial/outgoingmail/{w.obj.outgoingmail.pk}/",               LOGIN, 302,  302,  302,  302),
    ("outgoing email: history",             "/admin/editorial/outgoingmail/{w.obj.outgoingmail.pk}/history/",       LOGIN, 403,  403,  200,  200),
    ("outgoing email: delete",              "/admin/editorial/outgoingmail/{w.obj.outgoingmail.pk}/delete/",        LOGIN, 403,  403,  403,  403),
    ("review record: list",                 "/admin/editorial/reviewrecord/",                                       LOGIN, 200,  200,  200,  200),
    ("review record: add",                  "/admin/editorial/reviewrecord/add/",                                   LOGIN, 403,  403,  403,  403),
    ("review record: change",               "/admin/editorial/reviewrecord/{w.obj.reviewrecord.pk}/change/",        LOGIN, VIEW, VIEW, VIEW, VIEW),
    ("review record: short url",            "/admin/editorial/reviewrecord/{w.obj.reviewrecord.pk}/",               LOGIN, 302,  302,  302,  302),
    ("review record: history",              "/admin/editorial/reviewrecord/{w.obj.reviewrecord.pk}/history/",       LOGIN, 200,  200,  200,  200),
    ("review record: delete",               "/admin/editorial/reviewrecord/{w.obj.reviewrecord.pk}/delete/",        LOGIN, 403,  403,  403,  403),
    # -- logins and groups: the superuser's; directors see logins, to link reviewers to them
    ("user: list",                          "/admin/auth/user/",                                                    LOGIN, 403,  403,  200,  200),
    ("user: add",                           "/admin/auth/user/add/",                                                LOGIN, 403,  403,  403,  EDIT),
    ("user: change",                        "/admin/auth/user/{w.obj.user.pk}/change/",                             LOGIN, 403,  403,  VIEW, EDIT),
    ("user: short url",                     "/admin/auth/user/{w.obj.user.pk}/",                                    LOGIN, 302,  302,  302,  302),
    ("user: history",                       "/admin/auth/user/{w.obj.user.pk}/history/",                            LOGIN, 403,  403,  200,  200),
    ("user: delete",                        "/admin/auth/user/{w.obj.user.pk}/delete/",                             LOGIN, 403,  403,  403,  200),
    ("user: set password",                  "/admin/auth/user/{w.obj.user.pk}/password/",                           LOGIN, 403,  403,  403,  200),
    ("group: list",                         "/admin/auth/group/",                                                   LOGIN, 403,  403,  403,  200),
    ("group: add",                          "/admin/auth/group/add/",                                               LOGIN, 403,  403,  403,  EDIT),
    ("group: change",                       "/admin/auth/group/{w.obj.group.pk}/change/",                           LOGIN, 403,  403,  403,  EDIT),
    ("group: short url",                    "/admin/auth/group/{w.obj.group.pk}/",                                  LOGIN, 302,  302,  302,  302),
    ("group: history",                      "/admin/auth/group/{w.obj.group.pk}/history/",                          LOGIN, 403,  403,  403,  200),
    ("group: delete",                       "/admin/auth/group/{w.obj.group.pk}/delete/",                           LOGIN, 403,  403,  403,  200),
    # -- sign-in throttling records (django-axes): the superuser's
    ("lockout: list",                       "/admin/axes/accessattempt/",                                           LOGIN, 403,  403,  403,  200),
    ("lockout: add",                        "/admin/axes/accessattempt/add/",                                       LOGIN, 403,  403,  403,  403),
    ("lockout: change",                     "/admin/axes/accessattempt/{w.obj.accessattempt.pk}/change/",           LOGIN, 403,  403,  403,  EDIT),
    ("lockout: short url",                  "/admin/axes/accessattempt/{w.obj.accessattempt.pk}/",                  LOGIN, 302,  302,  302,  302),
    ("lockout: history",                    "/admin/axes/accessattempt/{w.obj.accessattempt.pk}/history/",          LOGIN, 403,  403,  403,  200),
    ("lockout: delete",                     "/admin/axes/accessattempt/{w.obj.accessattempt.pk}/delete/",           LOGIN, 403,  403,  403,  200),
    ("access log: list",                    "/admin/axes/accesslog/",                                               LOGIN, 403,  403,  403,  200),
    ("access log: add",                     "/admin/axes/accesslog/add/",                                           LOGIN, 403,  403,  403,  403),
    ("access log: change",                  "/admin/axes/accesslog/{w.obj.accesslog.pk}/change/",                   LOGIN, 403,  403,  403,  EDIT),
    ("access log: short url",               "/admin/axes/accesslog/{w.obj.accesslog.pk}/",                          LOGIN, 302,  302,  302,  302),
    ("access log: history",                 "/admin/axes/accesslog/{w.obj.accesslog.pk}/history/",                  LOGIN, 403,  403,  403,  200),
    ("access log: delete",                  "/admin/axes/accesslog/{w.obj.accesslog.pk}/delete/",                   LOGIN, 403,  403,  403,  200),
    ("failure log: list",                   "/admin/axes/accessfailurelog/",                                        LOGIN, 403,  403,  403,  200),
    ("failure log: add",                    "/admin/axes/accessfailurelog/add/",                                    LOGIN, 403,  403,  403,  403),
    ("failure log: change",                 "/admin/axes/accessfailurelog/{w.obj.accessfailurelog.pk}/change/",     LOGIN, 403,  403,  403,  EDIT),
    ("failure log: short url",              "/admin/axes/accessfailurelog/{w.obj.accessfailurelog.pk}/",            LOGIN, 302,  302,  302,  302),
    ("failure log: history",                "/admin/axes/accessfailurelog/{w.obj.accessfailurelog.pk}/history/",    LOGIN, 403,  403,  403,  200),
    ("failure log: delete",                 "/admin/axes/accessfailurelog/{w.obj.accessfailurelog.pk}/delete/",     LOGIN, 403,  403,  403,  200),
]

# ----------------------------------------------------------------------------- workflow actions
# Each function in editorial/actions, called directly with the actor as its user: the check
# in the function itself refuses the wrong role with NotAllowed and changes nothing.
# (publish_scheduled takes no user: it is the system's, run by cron. restore_content creates
# accounts, superusers among them, so it is the superuser's alone.)

ACTIONS = [
    # action                anonymous  editor   reviewer  director  superuser
    ("submit",              REFUSED,   DONE,    REFUSED,  DONE,     DONE),
    ("request_changes",     REFUSED,   REFUSED, DONE,     REFUSED,  DONE),
    ("approve",             REFUSED,   REFUSED, DONE,     REFUSED,  DONE),
    ("confirm",             REFUSED,   REFUSED, DONE,     REFUSED,  DONE),
    ("confirm_translation", REFUSED,   REFUSED, DONE,     REFUSED,  DONE),
    ("add_translation",     REFUSED,   DONE,    REFUSED,  DONE,     DONE),
    ("publish_correction",  REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("withdraw",            REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("merge",               REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("restore",             REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("revert",              REFUSED,   DONE,    REFUSED,  DONE,     DONE),
    ("recover",             REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("delete",              REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("reassign",            REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("edit",                REFUSED,   DONE,    REFUSED,  DONE,     DONE),
    ("publish",             REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("import_article",      REFUSED,   REFUSED, REFUSED,  DONE,     DONE),
    ("restore_content",     REFUSED,   REFUSED, REFUSED,  REFUSED,  PASSES),
]

# The same writes through the admin, as a browser posts them (plus the admin's own deletes and
# site-data saves). 403: the admin refuses the page itself.

ADMIN_WRITES = [
    # write                           anonymous  editor   reviewer  director  superuser
    ("submit",                        LOGIN,     DONE,    REFUSED,  DONE,     DONE),
    ("request_changes",               LOGIN,     REFUSED, DONE,     REFUSED,  DONE),
    ("approve",                       LOGIN,     REFUSED, DONE,     REFUSED,  DONE),
    ("confirm",                       LOGIN,     REFUSED, DONE,     REFUSED,  DONE),
    ("confirm_translation",           LOGIN,     REFUSED, DONE,     REFUSED,  DONE),
    ("add_translation",               LOGIN,     DONE,    REFUSED,  DONE,     DONE),
    ("publish_correction",            LOGIN,     REFUSED, REFUSED,  DONE,     DONE),
    ("withdraw",                      LOGIN,     REFUSED, REFUSED,  DONE,     DONE),
    ("merge",                         LOGIN,     REFUSED, REFUSED,  DONE,     DONE),
    ("restore",                       LOGIN,     REFUSED, REFUSED,  DONE,     DONE),
    ("revert",                        LOGIN,     DONE,    REFUSED,  DONE,     DONE),
    ("recover",                       LOGIN,     403,     403,      DONE,     DONE),
    ("reassign",                      LOGIN,     REFUSED, REFUSED,  DONE,     DONE),
    ("edit",                          LOGIN,     DONE,    403,      DONE,     DONE),
    ("remove parts of a draft",       LOGIN,     DONE,    403,      DONE,     DONE),
    ("add an article",                LOGIN,     DONE,    403,      DONE,     DONE),
    ("delete a draft article",        LOGIN,     403,     403,      DONE,     DONE),
    ("delete a live article",         LOGIN,     403,     403,      403,      403),
    ("bulk-delete a live article",    LOGIN,     REFUSED, REFUSED,  403,      403),
    ("add a citation",                LOGIN,     DONE,    403,      DONE,     DONE),
    ("delete a citation",             LOGIN,     403,     403,      DONE,     DONE),
    ("link a reviewer to a login",    LOGIN,     403,     403,      DONE,     DONE),
    ("change the site settings",      LOGIN,     403,     403,      DONE,     DONE),
    # A citation page given another model's version id: no such citation version, for anyone.
    ("revert settings via citation recovery",   LOGIN, 404,     403,   404,     404),
    ("revert settings via citation history",    LOGIN, 404,     403,   404,     404),
    ("revert a locked draft via citation page", LOGIN, 404,     403,   404,     404),
]

# Admin actions that read: what the article list's action menu gives each actor.

ADMIN_ACTIONS = [
    # action                          anonymous  editor  reviewer  director  superuser
    ("export_review_schedule",        LOGIN,     200,    200,      200,      200),
]
# fmt: on


# ----------------------------------------------------------------------------- the world


class _Lazy:
    """``lazy.name`` is ``make(name)``, made on first use."""

    def __init__(self, make: Callable[[str], Any]):
        self._make = make
        self._made: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._made:
            self._made[name] = self._make(name)
        return self._made[name]


def _new_site_data(name: str) -> Any:
    today = datetime.date.today()
    makers = {
        "citation": lambda: Citation.objects.create(
            kind="website",
            title="Cramps explained",
            container_title="Example Health",
            url="https://example.org/c",
        ),
        "reviewer": lambda: Reviewer.objects.create(name="Dana Doctor", credentials="MD"),
        "revieworganization": lambda: ReviewOrganization.objects.create(name="Example Review Board"),
        "editorialcredit": lambda: EditorialCredit.objects.create(
            name="Pat Director", role="Medical Director"
        ),
        "sectionheading": lambda: SectionHeading.objects.create(name="Heading made for a test"),
        "accreditationnotice": lambda: AccreditationNotice.objects.create(
            body="Example Accreditation",
            program="Health Content Provider",
            valid_from=today - datetime.timedelta(days=10),
            valid_until=today + datetime.timedelta(days=300),
            statement="Accredited.",
        ),
        "policypage": lambda: PolicyPage.objects.create(
            slug="editorial-policy", title="Editorial policy", body="Every article is reviewed."
        ),
        "sitesettings": lambda: SiteSettings.load(),
    }
    return makers[name]()


class World:
    """The people and objects the tables name, each made on first use."""

    def __init__(self, make_article: Callable[..., Article]):
        self._make_article = make_article
        self._actors: dict[str, Any] = {}
        self.obj = _Lazy(self._object)
        self.ver = _Lazy(self._version)
        self.gone = _Lazy(self._deleted_version)

    # -- people

    def actor(self, name: str) -> Any:
        if name not in self._actors:
            self._actors[name] = {
                ANONYMOUS: AnonymousUser,
                EDITOR: lambda: make_user("editor", roles.EDITORS),
                REVIEWER: lambda: with_profile(make_user("reviewer", roles.MEDICAL_REVIEWERS), "Rae Viewer"),
                DIRECTOR: lambda: make_user("director", roles.EDITORIAL_DIRECTORS),
                SUPERUSER: lambda: with_profile(make_user("superuser", superuser=True), "Sam Super"),
            }[name]()
        return self._actors[name]

    @cached_property
    def writer(self) -> User:
        """The editor who wrote the drafts the actors act on (so a reviewer may approve them)."""
        return make_user("writer", roles.EDITORS)

    @cached_property
    def approver(self) -> User:
        return with_profile(make_user("approver", roles.MEDICAL_REVIEWERS), "Abe Prover")

    # -- articles, one per state

    def _live(self, title: str, public_id: str, **fields) -> Article:
        article = self._make_article(title, public_id=public_id, **fields)
        publish(article, None, comment="Published")
        return Article.objects.get(pk=article.pk)

    @cached_property
    def live(self) -> Article:
        article = self._make_article("Leg cramps", public_id="100001")
        ArticleCitation.objects.create(article=article, citation=self.obj.citation, position=1)
        publish(article, None, comment="Published")
        return Article.objects.get(pk=article.pk)

    @cached_property
    def other_live(self) -> Article:
        return self._live("Hiccups", "100004")

    @cached_property
    def live_draft(self) -> Article:
        """Live, and its working copy changed by the writer since: "Live + draft"."""
        article = self._live("Night sweats", "100002")
        edit(article, self.writer, PENDING_WORDS)
        return Article.objects.get(pk=article.pk)

    @cached_property
    def in_review(self) -> Article:
        article = self._live("Knee pain", "100003")
        edit(article, self.writer, "Knee wording changed by the writer.")
        submit(article, self.writer)
        return Article.objects.get(pk=article.pk)

    @cached_property
    def withdrawn(self) -> Article:
        article = self._live("Old remedy", "100005")
        withdraw(article, None, reason="Outdated")
        return Article.objects.get(pk=article.pk)

    @cached_property
    def merged(self) -> Article:
        article = self._live("Charley horse", "100006")
        merge(article, None, into=self.live)
        return Article.objects.get(pk=article.pk)

    @cached_property
    def waiting(self) -> Article:
        """Live, with an approved update that goes live tomorrow."""
        article = self._live("Shin splints", "100007")
        edit(article, self.writer, WAITING_WORDS)
        submit(article, self.writer)
        approve(article, self.approver, go_live_at=timezone.now() + datetime.timedelta(days=1))
        return Article.objects.get(pk=article.pk)

    @cached_property
    def later(self) -> Article:
        """Never live: approved to go live tomorrow."""
        article = self._make_article(LATER_TITLE, public_id="100777")
        edit(article, self.writer, "Yak wording.")
        submit(article, self.writer)
        approve(article, self.approver, go_live_at=timezone.now() + datetime.timedelta(days=1))
        return Article.objects.get(pk=article.pk)

    @cached_property
    def draft(self) -> Article:
        """Never published."""
        article = self._make_article(DRAFT_TITLE, public_id="100666", summary=DRAFT_WORDS)
        edit(article, self.writer, DRAFT_WORDS)
        return Article.objects.get(pk=article.pk)

    def _translate(self, english: Article, title: str, words: str) -> Article:
        """The Spanish edition of ``english``, translated (not published)."""
        edition = add_spanish_edition(english, None)
        Article.objects.filter(pk=edition.pk).update(title=title, summary=f"{words}.")
        edition = _fresh(edition)
        edit(edition, self.writer, words)
        return _fresh(edition)

    @cached_property
    def es_live(self) -> Article:
        """The live article's Spanish edition, live, with a pending Spanish draft since."""
        edition = self._translate(self.live, "Calambres en las piernas", "Los calambres duelen")
        publish(edition, None)
        edit(_fresh(edition), self.writer, ES_PENDING_WORDS)
        return _fresh(edition)

    @cached_property
    def es_draft(self) -> Article:
        """A live English article whose Spanish edition was never published."""
        return self._translate(self.live_draft, ES_DRAFT_TITLE, ES_DRAFT_WORDS)

    @cached_property
    def es_withdrawn(self) -> Article:
        """A Spanish edition that was live until its English article was withdrawn."""
        edition = self._translate(self._live("Sore throat", "100009"), "Dolor de garganta", "Duele")
        publish(edition, None)
        withdraw(edition.translation_of, None, reason="Outdated")
        return _fresh(edition)

    @cached_property
    def live_image(self) -> Any:
        article = self._make_article("Hand spasm", public_id="100008")
        image = add_image(article, picture((320, 240)))
        publish(article, None, comment="Published")
        return image

    @cached_property
    def draft_image(self) -> Any:
        return add_image(self.draft, picture((320, 240)), alt=DRAFT_TITLE)

    @cached_property
    def deleted_article(self) -> int:
        """The version id of an article that was deleted (for recovery)."""
        with reversion.create_revision():
            article = self._make_article("Lost article", public_id="100999")
        pk = article.pk
        article.delete()
        return Version.objects.get_deleted(Article).get(object_id=str(pk)).pk

    @cached_property
    def oldest(self) -> int:
        return Version.objects.get_for_object(self.live_draft).last().pk

    @cached_property
    def newest(self) -> int:
        return Version.objects.get_for_object(self.live_draft).first().pk

    @cached_property
    def article_type(self) -> int:
        return ContentType.objects.get_for_model(Article).pk

    def public_site(self) -> None:
        """Make a live article and everything the public must never see."""
        for name in (
            "live",
            "draft",
            "live_draft",
            "waiting",
            "later",
            "es_live",
            "es_draft",
            "es_withdrawn",
        ):
            getattr(self, name)

    # -- site data and records

    def _object(self, name: str) -> Any:
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        access = {
            "user_agent": "test",
            "ip_address": "127.0.0.1",
            "username": "someone",
            "http_accept": "*/*",
        }
        others = {
            "user": lambda: self.writer,
            "group": lambda: Group.objects.get(name=roles.EDITORS),
            "auditevent": lambda: AuditEvent.objects.filter(article=self.live).first(),
            "outgoingmail": lambda: OutgoingMail.objects.create(
                kind="submitted",
                subject="Review requested",
                from_email="encyclopedia@example.org",
                recipients=["reviewer@example.org"],
                body_text="Please review.",
                message_id="<permissions-check@encyclopedia>",
            ),
            "reviewrecord": lambda: ReviewRecord.objects.create(
                article=self.live,
                reviewed_on=datetime.date.today(),
                outcome=ReviewRecord.Outcome.APPROVED,
            ),
            "accessattempt": lambda: AccessAttempt.objects.create(
                **access, path_info="/admin/login/", get_data="", post_data="", failures_since_start=1
            ),
            "accesslog": lambda: AccessLog.objects.create(**access, path_info="/admin/login/"),
            "imageawaitingupload": lambda: ImageAwaitingUpload.objects.create(
                article=self.live,
                alt_text="A hand",
                caption="Hand",
                source_url="https://example.org/hand.jpg",
            ),
            "accessfailurelog": lambda: AccessFailureLog.objects.create(**access, path_info="/admin/login/"),
        }
        if name in others:
            return others[name]()
        with reversion.create_revision():
            obj = _new_site_data(name)
            obj.save()
        return obj

    def _version(self, name: str) -> int:
        return Version.objects.get_for_object(getattr(self.obj, name)).first().pk

    def _deleted_version(self, name: str) -> int:
        with reversion.create_revision():
            obj = _new_site_data(name)
        model, pk = type(obj), obj.pk
        obj.delete()
        return Version.objects.get_deleted(model).get(object_id=str(pk)).pk


@pytest.fixture
def world(make_article, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    return World(make_article)


def signed_in(client: Client, world: World, actor: str) -> Client:
    if actor != ANONYMOUS:
        client.force_login(world.actor(actor))
    return client


# ----------------------------------------------------------------------------- checks


def cells(table: list[tuple], *, key_columns: int = 1) -> list:
    """One pytest case per (row, actor), with the id "row name-actor".

    A row is its ``key_columns`` leading columns (the name first), then one outcome per actor,
    or a single outcome for everyone.
    """
    cases = []
    for row in table:
        keys, outcomes = row[:key_columns], row[key_columns:]
        if len(outcomes) == 1:
            outcomes = outcomes * len(ACTORS)
        assert len(outcomes) == len(ACTORS), f"row {keys[0]!r} needs one outcome per actor"
        for actor, outcome in zip(ACTORS, outcomes, strict=True):
            cases.append(pytest.param(*keys, actor, outcome, id=f"{keys[0]}-{actor}"))
    return cases


def editable(html: str) -> bool:
    """Whether the page lets its reader save: a Save button, or an enabled workflow step."""
    if 'class="transition-form"' in html:
        return 'class="errornote"' not in html
    return 'name="_save"' in html


def assert_page(response, expected, url: str) -> None:
    status = response.status_code
    if expected == LOGIN:
        assert status == 302 and response["Location"].startswith("/admin/login/"), (url, status)
        return
    if expected in (EDIT, VIEW):
        assert status == 200, (url, status)
        html = response.content.decode()
        assert editable(html) == (expected == EDIT), f"{url}: expected {expected}"
        return
    assert status == expected, (url, status, response.get("Location"))
    if status == 302:
        assert not response["Location"].startswith("/admin/login/"), "a signed-in user is not sent to sign in"


class _Placeholder:
    """Stands for any object in a URL template: every attribute is itself, every value 123456."""

    def __getattr__(self, name: str) -> _Placeholder:
        return self

    def __format__(self, spec: str) -> str:
        return "123456"


def all_routes() -> set[str]:
    def walk(patterns, prefix: str = ""):
        for pattern in patterns:
            route = URLResolver._join_route(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                assert isinstance(pattern, URLPattern)
                yield route

    return set(walk(get_resolver().url_patterns))


def snapshot() -> dict:
    """What a refused write must leave as it was."""
    return {
        "articles": list(Article.objects.order_by("pk").values()),
        "sections": list(Section.objects.order_by("pk").values("pk", "body")),
        "publications": Publication.objects.count(),
        "reviews": ReviewRecord.objects.count(),
        "audit": AuditEvent.objects.count(),
        "versions": Version.objects.count(),
        "citations": list(Citation.objects.order_by("pk").values()),
        "reviewers": list(Reviewer.objects.order_by("pk").values()),
        "settings": list(SiteSettings.objects.values()),
    }


# ----------------------------------------------------------------------------- public site


@pytest.mark.parametrize(("name", "url", "actor", "expected"), cells(PUBLIC_URLS, key_columns=2))
def test_public_url(client, world, name, url, actor, expected):
    world.public_site()
    url = url.format(w=world)
    signed_in(client, world, actor)
    response = client.get(url)
    assert response.status_code == expected, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode()
    asked = unquote(url).replace("+", " ").lower()
    for secret in SECRETS:
        if secret.lower() not in asked:
            assert secret not in text, f"{url} shows {secret!r}, which is not published"
    if expected == 302:
        assert response["Location"].startswith(("/ency/", "/spanish/ency/")), response["Location"]


# ----------------------------------------------------------------------------- admin pages


@pytest.mark.parametrize(("name", "url", "actor", "expected"), cells(ADMIN_URLS, key_columns=2))
def test_admin_url(client, world, name, url, actor, expected):
    url = url.format(w=world)
    signed_in(client, world, actor)
    assert_page(client.get(url), expected, url)


def test_every_url_pattern_is_in_a_table():
    """A new URL (a model registered in the admin, a custom admin view, a public page) needs rows."""
    placeholder = _Placeholder()
    covered = set()
    for _name, url, *_ in PUBLIC_URLS + ADMIN_URLS:
        path = urlsplit(url.format(w=placeholder)).path
        covered.add(resolve(path).route)
    missing = sorted(all_routes() - covered)
    assert not missing, f"URL patterns with no row in the permission tables: {missing}"


def test_a_preview_is_never_cached_for_others(client, world):
    client.force_login(world.actor(EDITOR))
    response = client.get(f"/admin/encyclopedia/article/{world.draft.pk}/preview/")
    assert DRAFT_WORDS in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    client.logout()
    assert client.get(f"/ency/article/{world.draft.public_id}.htm").status_code == 404


# ----------------------------------------------------------------------------- workflow actions


@dataclass
class Step:
    """One write: how to set it up, do it as a function and as a browser, and see that it happened."""

    setup: Callable[[World], SimpleNamespace]
    done: Callable[[SimpleNamespace], bool]
    call: Callable[[SimpleNamespace, Any], Any] | None = None
    post: Callable[[SimpleNamespace], tuple[str, dict]] | None = None


def _fresh(article: Article) -> Article:
    return Article.objects.get(pk=article.pk)


def _edit_as_the_admin_does(article: Article, user: Any) -> None:
    with transaction.atomic():
        locked = check_editable(article, user, None)
        previous = locked.state
        with reversion.create_revision():
            section = locked.sections.order_by("position").first()
            section.body = "Edited wording."
            section.save()
            locked.save()
            reversion.set_user(user)
        record_edit(locked, user, previous, "Edited: body")


def _form(world: World, url: str) -> dict:
    """The admin form at ``url`` as a browser would post it back unchanged (read as the superuser)."""
    boss = Client()
    boss.force_login(world.actor(SUPERUSER))
    response = boss.get(url)
    assert response.status_code == 200, url
    return admin_form_data(response)


def _export_of_this_database(world: World) -> str:
    assert world.live.is_live  # something to restore
    return export_text()


def _old_site_settings() -> Version:
    """A version of the site settings from before their current publisher name."""
    settings = SiteSettings.load()
    with reversion.create_revision():
        settings.publisher_name = "Old Publisher"
        settings.save()
    old = Version.objects.get_for_object(settings).first()
    with reversion.create_revision():
        settings.publisher_name = "Current Publisher"
        settings.save()
    return old


def _draft_with_a_name(world: World) -> SimpleNamespace:
    article = world.draft
    article.alternative_names.create(name="Striped fever", position=1)
    return SimpleNamespace(
        article=article, form=_form(world, f"/admin/encyclopedia/article/{article.pk}/change/")
    )


def _workflow(action: str, **data) -> Callable[[SimpleNamespace], tuple[str, dict]]:
    return lambda c: (f"/admin/encyclopedia/article/{c.article.pk}/workflow/{action}/", data)


def _out_of_date_translation(world: World) -> SimpleNamespace:
    """The live article's Spanish edition, marked out of date; the reviewers with a profile may
    review Spanish (only such a reviewer confirms a translation)."""
    edition = add_spanish_edition(world.live, None)
    Article.objects.filter(pk=edition.pk).update(out_of_date_since=timezone.now())
    Reviewer.objects.filter(user__in=[world.actor(REVIEWER), world.actor(SUPERUSER)]).update(
        languages="en,es"
    )
    return SimpleNamespace(article=_fresh(edition))


def _edit_form(c: SimpleNamespace) -> tuple[str, dict]:
    data = dict(c.form)
    data["sections-0-body"] = "Edited wording."
    return f"/admin/encyclopedia/article/{c.article.pk}/change/", data


STEPS: dict[str, Step] = {
    "submit": Step(
        setup=lambda w: SimpleNamespace(article=w.live_draft),
        call=lambda c, user: submit(c.article, user, note="Please check"),
        post=_workflow("submit", note="Please check", reviewer=""),
        done=lambda c: _fresh(c.article).state == WorkflowState.IN_REVIEW,
    ),
    "request_changes": Step(
        setup=lambda w: SimpleNamespace(article=w.in_review),
        call=lambda c, user: request_changes(c.article, user, comment="Cite a source."),
        post=_workflow("request_changes", comment="Cite a source."),
        done=lambda c: _fresh(c.article).state == WorkflowState.CHANGES_REQUESTED,
    ),
    "approve": Step(
        setup=lambda w: SimpleNamespace(article=w.in_review),
        call=lambda c, user: approve(c.article, user),
        # The approve page's form carries the fingerprint of the draft it showed.
        post=lambda c: (
            f"/admin/encyclopedia/article/{c.article.pk}/workflow/approve/",
            {"notes": "", "go_live_at": "", "seen": fingerprint(_fresh(c.article))},
        ),
        done=lambda c: "Knee wording changed" in str(_fresh(c.article).live_publication.sections),
    ),
    "confirm": Step(
        setup=lambda w: SimpleNamespace(article=w.live),
        call=lambda c, user: confirm_still_accurate(c.article, user),
        post=_workflow("confirm", notes=""),
        done=lambda c: ReviewRecord.objects.filter(
            article=c.article, outcome=ReviewRecord.Outcome.NO_CHANGES_NEEDED
        ).exists(),
    ),
    "confirm_translation": Step(
        setup=lambda w: _out_of_date_translation(w),
        call=lambda c, user: confirm_translation(c.article, user),
        post=_workflow("confirm_translation", notes=""),
        done=lambda c: _fresh(c.article).out_of_date_since is None,
    ),
    "add_translation": Step(
        setup=lambda w: SimpleNamespace(article=w.live),
        call=lambda c, user: add_spanish_edition(c.article, user),
        post=_workflow("add_translation"),
        done=lambda c: Article.objects.spanish().filter(translation_of=c.article).exists(),
    ),
    "publish_correction": Step(
        setup=lambda w: SimpleNamespace(article=w.live_draft),
        call=lambda c, user: publish_correction(c.article, user, reason="Typo"),
        post=_workflow("publish_correction", reason="Typo"),
        done=lambda c: PENDING_WORDS in str(_fresh(c.article).live_publication.sections),
    ),
    "withdraw": Step(
        setup=lambda w: SimpleNamespace(article=w.live),
        call=lambda c, user: withdraw(c.article, user, reason="Outdated"),
        post=_workflow("withdraw", reason="Outdated"),
        done=lambda c: _fresh(c.article).withdrawn_at is not None,
    ),
    "merge": Step(
        setup=lambda w: SimpleNamespace(article=w.other_live, into=w.live),
        call=lambda c, user: merge(c.article, user, into=c.into),
        post=lambda c: _workflow("merge", into=c.into.public_id, reason="")(c),
        done=lambda c: _fresh(c.article).merged_into_id == c.into.pk,
    ),
    "restore": Step(
        setup=lambda w: SimpleNamespace(article=w.withdrawn),
        call=lambda c, user: restore(c.article, user),
        post=_workflow("restore"),
        done=lambda c: _fresh(c.article).is_live,
    ),
    "revert": Step(
        setup=lambda w: SimpleNamespace(article=w.live_draft, version=Version.objects.get(pk=w.oldest)),
        call=lambda c, user: revert(c.article, user, version=c.version),
        post=lambda c: (f"/admin/encyclopedia/article/{c.article.pk}/revert/{c.version.pk}/", {}),
        done=lambda c: PENDING_WORDS not in _fresh(c.article).sections.first().body,
    ),
    "recover": Step(
        setup=lambda w: SimpleNamespace(version=Version.objects.get(pk=w.deleted_article)),
        call=lambda c, user: recover(c.version, user),
        post=lambda c: (f"/admin/encyclopedia/article/recover/{c.version.pk}/", {}),
        done=lambda c: Article.objects.filter(public_id="100999").exists(),
    ),
    "delete": Step(
        setup=lambda w: SimpleNamespace(article=w.withdrawn),
        call=lambda c, user: delete_article(c.article, user),
        done=lambda c: not Article.objects.filter(pk=c.article.pk).exists(),
    ),
    "reassign": Step(
        setup=lambda w: SimpleNamespace(article=w.live, reviewer=w.obj.reviewer),
        call=lambda c, user: reassign_reviewer([c.article], user, reviewer=c.reviewer, specialty="Neurology"),
        post=lambda c: (
            "/admin/encyclopedia/article/",
            {
                "action": "reassign_reviewer",
                "_selected_action": [c.article.pk],
                "apply": "1",
                "reviewer": c.reviewer.pk,
                "specialty": "Neurology",
            },
        ),
        done=lambda c: _fresh(c.article).specialty == "Neurology",
    ),
    "edit": Step(
        setup=lambda w: SimpleNamespace(
            article=w.draft, form=_form(w, f"/admin/encyclopedia/article/{w.draft.pk}/change/")
        ),
        call=lambda c, user: _edit_as_the_admin_does(c.article, user),
        post=_edit_form,
        done=lambda c: _fresh(c.article).sections.order_by("position").first().body == "Edited wording.",
    ),
    "remove parts of a draft": Step(
        setup=lambda w: _draft_with_a_name(w),
        post=lambda c: (
            f"/admin/encyclopedia/article/{c.article.pk}/change/",
            {**c.form, "sections-1-DELETE": "on", "alternative_names-0-DELETE": "on"},
        ),
        done=lambda c: (c.article.sections.count(), c.article.alternative_names.count()) == (1, 0),
    ),
    "publish": Step(
        setup=lambda w: SimpleNamespace(article=w.draft),
        call=lambda c, user: publish(c.article, user),
        done=lambda c: _fresh(c.article).is_live,
    ),
    "import_article": Step(
        setup=lambda w: SimpleNamespace(
            page=parse_page(
                "# Ankle pain\n\nURL of this page: /ency/article/100321.htm\n\nSummary line.\n\n"
                "## Living with it\n\nSome text.\n\nReview Date 3/31/2026\n\n"
                "Updated by: Rae Viewer, MD, Internal Medicine, Example Clinic, Springfield, IL.\n",
                set(SectionHeading.objects.values_list("name", flat=True)),
            )
        ),
        call=lambda c, user: import_page(c.page, user, source="ankle.md"),
        done=lambda c: Article.objects.filter(title="Ankle pain", live_publication__isnull=False).exists(),
    ),
    "restore_content": Step(
        setup=lambda w: SimpleNamespace(export=_export_of_this_database(w)),
        call=lambda c, user: restore_text(c.export, user=user, source="backup.json"),
        done=lambda c: AuditEvent.objects.filter(action="restore_content").exists(),
    ),
    # -- admin-only writes
    "add an article": Step(
        setup=lambda w: SimpleNamespace(
            form={
                **_form(w, "/admin/encyclopedia/article/add/"),
                "title": "Brand new article",
                "article_type": "symptom",
                "summary": "New.",
            }
        ),
        post=lambda c: ("/admin/encyclopedia/article/add/", c.form),
        done=lambda c: Article.objects.filter(title="Brand new article").exists(),
    ),
    "delete a draft article": Step(
        setup=lambda w: SimpleNamespace(article=w.draft),
        post=lambda c: (f"/admin/encyclopedia/article/{c.article.pk}/delete/", {"post": "yes"}),
        done=lambda c: not Article.objects.filter(pk=c.article.pk).exists(),
    ),
    "delete a live article": Step(
        setup=lambda w: SimpleNamespace(article=w.live),
        post=lambda c: (f"/admin/encyclopedia/article/{c.article.pk}/delete/", {"post": "yes"}),
        done=lambda c: not Article.objects.filter(pk=c.article.pk).exists(),
    ),
    "bulk-delete a live article": Step(
        setup=lambda w: SimpleNamespace(article=w.live),
        post=lambda c: (
            "/admin/encyclopedia/article/",
            {"action": "delete_selected", "_selected_action": [c.article.pk], "post": "yes"},
        ),
        done=lambda c: not Article.objects.filter(pk=c.article.pk).exists(),
    ),
    "add a citation": Step(
        setup=lambda w: SimpleNamespace(),
        post=lambda c: (
            "/admin/encyclopedia/citation/add/",
            {"kind": "guideline", "title": "A new guideline", "year": "2025"},
        ),
        done=lambda c: Citation.objects.filter(title="A new guideline").exists(),
    ),
    "delete a citation": Step(
        setup=lambda w: SimpleNamespace(citation=w.obj.citation),
        post=lambda c: (f"/admin/encyclopedia/citation/{c.citation.pk}/delete/", {"post": "yes"}),
        done=lambda c: not Citation.objects.filter(pk=c.citation.pk).exists(),
    ),
    "link a reviewer to a login": Step(
        setup=lambda w: SimpleNamespace(
            reviewer=w.obj.reviewer,
            login=w.writer,
            form=_form(w, f"/admin/encyclopedia/reviewer/{w.obj.reviewer.pk}/change/"),
        ),
        post=lambda c: (
            f"/admin/encyclopedia/reviewer/{c.reviewer.pk}/change/",
            {**c.form, "user": c.login.pk},
        ),
        done=lambda c: Reviewer.objects.get(pk=c.reviewer.pk).user_id == c.login.pk,
    ),
    "change the site settings": Step(
        setup=lambda w: SimpleNamespace(form=_form(w, "/admin/encyclopedia/sitesettings/1/change/")),
        post=lambda c: (
            "/admin/encyclopedia/sitesettings/1/change/",
            {**c.form, "publisher_name": "New Publisher Ltd"},
        ),
        done=lambda c: SiteSettings.load().publisher_name == "New Publisher Ltd",
    ),
    "revert settings via citation recovery": Step(
        setup=lambda w: SimpleNamespace(version=_old_site_settings()),
        post=lambda c: (f"/admin/encyclopedia/citation/recover/{c.version.pk}/", {}),
        done=lambda c: SiteSettings.load().publisher_name == "Old Publisher",
    ),
    "revert settings via citation history": Step(
        setup=lambda w: SimpleNamespace(version=_old_site_settings()),
        post=lambda c: (f"/admin/encyclopedia/citation/{c.version.object_id}/history/{c.version.pk}/", {}),
        done=lambda c: SiteSettings.load().publisher_name == "Old Publisher",
    ),
    "revert a locked draft via citation page": Step(
        setup=lambda w: SimpleNamespace(
            article=w.in_review, version=Version.objects.get_for_object(w.in_review).last()
        ),
        post=lambda c: (f"/admin/encyclopedia/citation/recover/{c.version.pk}/", {}),
        done=lambda c: "Knee wording changed" not in _fresh(c.article).sections.first().body,
    ),
}


@pytest.mark.parametrize(("name", "actor", "expected"), cells(ACTIONS))
def test_action_function(world, name, actor, expected):
    step = STEPS[name]
    context = step.setup(world)
    user = world.actor(actor)
    before = snapshot()
    if expected == DONE:
        step.call(context, user)
        assert step.done(context), f"{actor} could not {name}"
        assert AuditEvent.objects.filter(user=user if user.is_authenticated else None).exists()
    elif expected == PASSES:
        with pytest.raises(EditorialError) as refused:
            step.call(context, user)
        assert not isinstance(refused.value, NotAllowed), refused.value
        assert snapshot() == before
    else:
        assert expected == REFUSED
        with pytest.raises(NotAllowed):
            step.call(context, user)
        assert not step.done(context)
        assert snapshot() == before, f"a refused {name} by {actor} changed the database"


def _told_why(response) -> bool:
    """The page says why nothing happened: an error or warning message, or an error note."""
    shown = [m for m in (response.context or {}).get("messages", []) if m.level >= django_messages.WARNING]
    html = response.content.decode()
    return bool(shown) or 'class="errornote"' in html or "Cannot delete" in html


@pytest.mark.parametrize(("name", "actor", "expected"), cells(ADMIN_WRITES))
def test_admin_write(client, world, name, actor, expected):
    step = STEPS[name]
    context = step.setup(world)
    signed_in(client, world, actor)
    url, data = step.post(context)
    before = snapshot()
    # As a browser posts it: a form always carries its CSRF token (the test client does not check it).
    response = client.post(url, {"csrfmiddlewaretoken": "sent-by-the-browser", **data}, follow=True)
    first = response.redirect_chain[0][0] if response.redirect_chain else ""
    if expected == DONE:
        assert response.status_code == 200, (url, response.status_code)
        assert first and not first.startswith("/admin/login/"), (url, "no redirect after success")
        assert step.done(context), f"{actor} could not {name}"
        return
    assert not step.done(context), f"{actor} could {name}"
    assert snapshot() == before, f"a refused {name} by {actor} changed the database"
    if expected == LOGIN:
        assert first.startswith("/admin/login/"), (url, response.redirect_chain)
    elif expected == REFUSED:
        assert response.status_code == 200, (url, response.status_code)
        assert _told_why(response), f"{url}: refused without saying why"
    else:
        assert response.status_code == expected, (url, response.status_code)


@pytest.mark.parametrize(("name", "actor", "expected"), cells(ADMIN_ACTIONS))
def test_admin_action(client, world, name, actor, expected):
    signed_in(client, world, actor)
    article = world.live
    response = client.post("/admin/encyclopedia/article/", {"action": name, "_selected_action": [article.pk]})
    assert_page(response, expected, name)
    if expected == 200:
        assert response["Content-Type"].startswith("text/csv")
        assert article.title in response.content.decode()


# ----------------------------------------------------------------------------- completeness


def test_every_action_function_is_in_the_table():
    modules = {module.name for module in pkgutil.iter_modules(editorial.actions.__path__)}
    in_table = {name for name, *_ in ACTIONS}
    assert modules - in_table == {"publish_scheduled"}, "a new action needs a row in ACTIONS"
    assert in_table <= modules, f"rows for actions that no longer exist: {in_table - modules}"
    assert "user" not in inspect.signature(publish_due).parameters, "publish_due now takes a user: add a row"
    assert set(workflow.TRANSITIONS) <= in_table, "every transition is called directly"
    admin_writes = {name for name, *_ in ADMIN_WRITES}
    assert set(TRANSITION_VIEWS) <= admin_writes, "every workflow page is posted to"
    assert set(STEPS) == in_table | admin_writes
    from editorial.admin import ArticleAdmin

    admin_actions = {name for name, *_ in ADMIN_ACTIONS} | {"reassign_reviewer"}  # reassign: a write
    assert set(ArticleAdmin.actions) <= admin_actions, "every action of the article list is in a table"
