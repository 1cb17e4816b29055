"""Send the public site's reads to a read replica, when one is configured.

Only the tables the public pages read (publications, the search and A–Z indexes) go to the
replica, and never inside a transaction on the primary, where a write must see its own
changes, nor where the caller asks for the primary (``encyclopedia.primary_reads``: the search
view, for the answers it keeps under the live generation). Every write goes to the primary.
"""

from django.db import connections

from encyclopedia import primary_reads

PUBLIC_READ_MODELS = {"publication", "searchentry", "indexentry", "crossreference"}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label != "encyclopedia" or model._meta.model_name not in PUBLIC_READ_MODELS:
            return "default"
        if connections["default"].in_atomic_block or primary_reads.required():
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
