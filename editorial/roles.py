"""The editorial roles: Django groups with explicit permissions.

Kept in one table so the data migration that creates the groups and the tests that
check them read the same source.
"""

EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"
EDITORIAL_DIRECTORS = "Editorial directors"

_WORKING_COPY = [
    "article",
    "section",
    "alternativename",
    "articlecitation",
    "articlecredit",
    "articleimage",
    "relatedarticle",
]
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
        *_crud(["citation"]),
        *_crud(_REFERENCE_DATA, ("view",)),
        "encyclopedia.view_publication",
        "encyclopedia.submit_article",
        "editorial.view_reviewrecord",
        "editorial.view_auditevent",
    ],
    MEDICAL_REVIEWERS: [
        *_crud(_WORKING_COPY, ("view",)),
        *_crud(_REFERENCE_DATA, ("view",)),
        "encyclopedia.view_publication",
        "encyclopedia.review_article",
        "editorial.view_reviewrecord",
        "editorial.view_auditevent",
    ],
    EDITORIAL_DIRECTORS: [
        *_crud(_WORKING_COPY, ("add", "change", "delete", "view")),
        *_crud(_REFERENCE_DATA, ("add", "change", "delete", "view")),
        "encyclopedia.view_publication",
        "encyclopedia.submit_article",
        "encyclopedia.publish_article",
        "encyclopedia.withdraw_article",
        "editorial.view_reviewrecord",
        "editorial.view_auditevent",
    ],
}
