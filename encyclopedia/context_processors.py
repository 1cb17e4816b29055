"""Site data every public page shows, loaded only when a template uses it."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from encyclopedia.models import AccreditationNotice, SiteSettings


def _valid_notices() -> list[AccreditationNotice]:
    return list(
        AccreditationNotice.objects.valid_on(timezone.localdate()).select_related(
            "editorial_policy", "editorial_process", "privacy_policy"
        )
    )


def site(request):
    return {
        "site": SimpleLazyObject(SiteSettings.load),
        "accreditation_notices": SimpleLazyObject(_valid_notices),
    }
