"""The editorial roles: Django groups with explicit permissions.

Kept in one table so the data migration that creates the groups and the tests that
check them read the same source.
"""

EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"
EDITORIAL_DIRECTORS = "Editorial directors"

# The parts of an article's working copy, edited in its form's inlines.
_ARTICLE_PARTS = [
    "section",
    "alternativename",
    "articlecitation",
    "articlecredit",
    "articleimage",
    "relatedarticle",
]
_WORKING_COPY = ["article", *_ARTICLE_PARTS]
_REFERENCE_DATA = [
    "citation",
    "reviewer",
    "revieworganization",
    "editorialcredit",
    "sectionheading",
    "headingplacement",
    "accreditationnotice",
    "policypage",
    "sitesettings",
]


def _crud(models: list[str], actions: tuple[str, ...] = ("add", "change", "view")) -> list[str]:
    return [f"encyclopedia.{action}_{model}" for model in models for action in actions]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: [
        *_crud(_WORKING_COPY),
        # Removing a section, name, reference or image from a draft is editing it (the draft is
        # versioned and reviewed); deleting a whole article stays the directors'.
        *_crud(_ARTICLE_PARTS, ("delete",)),
        *_crud(["citation"]),
        *_crud(_REFERENCE_DATA, ("view",)),
        # The images imported pages showed: uploaded through the article, then struck off the list.
        *_crud(["imageawaitingupload"], ("view", "delete")),
        "encyclopedia.view_publication",
        "encyclopedia.submit_article",
        "editorial.view_reviewrecord",
        "editorial.view_auditevent",
    ],
    MEDICAL_REVIEWERS: [
        *_crud(_WORKING_COPY, ("view",)),
        *_crud(_REFERENCE_DATA, ("view",)),
        *_crud(["imageawaitingupload"], ("view",)),
        "encyclopedia.view_publication",
        "encyclopedia.review_article",
        "editorial.view_reviewrecord",
        "editorial.view_auditevent",
    ],
    EDITORIAL_DIRECTORS: [
        *_crud(_WORKING_COPY, ("add", "change", "delete", "view")),
        *_crud(_REFERENCE_DATA, ("add", "change", "delete", "view")),
        *_crud(["imageawaitingupload"], ("view", "delete")),
        "encyclopedia.view_publication",
        "encyclopedia.submit_article",
        "encyclopedia.publish_article",
        "encyclopedia.withdraw_article",
        "editorial.view_reviewrecord",
        "editorial.view_auditevent",
        # Unsent email (the mail server refused it): directors see what waits and why.
        "editorial.view_outgoingmail",
        # Directors link a reviewer to their login (Reviewers → user): the admin's look-up of
        # logins needs to see them. Seeing is all: accounts stay the superuser's to manage.
        "auth.view_user",
    ],
}
