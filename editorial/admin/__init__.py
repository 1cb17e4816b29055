"""The editorial admin: the article admin and the logs. Django's autodiscovery imports this module.

- ``article.py``     the article admin (the working copy and the workflow around it) and its form
- ``inlines.py``     the article form's inlines
- ``filters.py``     the article list's filters
- ``changelist.py``  the article list's speed-ups
- ``records.py``     the read-only logs: audit events, review records and the mail outbox

The site data's admins (citations, reviewers, notices...) are encyclopedia's, registered there;
their changes are audited from the admin's log (``editorial.audit.record_admin_change``).
"""

from django.contrib import admin

from editorial.admin.article import ArticleAdmin
from editorial.admin.records import AuditEventAdmin, OutgoingMailAdmin, ReviewRecordAdmin
from editorial.models import AuditEvent, OutgoingMail, ReviewRecord
from encyclopedia.models import Article

admin.site.register(Article, ArticleAdmin)
admin.site.register(AuditEvent, AuditEventAdmin)
admin.site.register(ReviewRecord, ReviewRecordAdmin)
admin.site.register(OutgoingMail, OutgoingMailAdmin)

__all__ = ["ArticleAdmin", "AuditEventAdmin", "OutgoingMailAdmin", "ReviewRecordAdmin"]
