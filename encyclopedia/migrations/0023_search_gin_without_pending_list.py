"""The search entries' two GIN indexes (``vector``, ``head``) write each new entry into the index
at once (``fastupdate = off``) rather than into a pending list.

With a pending list, the new entries since the last ``VACUUM`` sit unsorted in up to
``gin_pending_list_limit`` (4 MB) of index pages that every search reads whole, and the planner
counts those pages in the index's cost. After 1,000 articles were written (an import, or a day of
publishing) the vector index held 328 pending pages: its estimated cost rose from 12 to about
1,100, above the 740 of a sequential scan, so every search read all 10,000 vectors from TOAST
(a cost the planner does not see: 30,000 pages, 65-110 ms per scan, two scans per search: the
count and the matches outside the heads). A freshly generated database is in that state too.
A manual ``ANALYZE`` leaves the pending list alone; only ``VACUUM`` (or autovacuum, whenever it
comes) empties it. Without the list the plan no longer depends on when the table was last
vacuumed; rewriting 1,000 articles' search entries took 10-20% longer (1-2 ms an article).
"""

from django.db import migrations

INDEXES = ("encyclopedia_searchentry_vector_gin", "encyclopedia_searchentry_head_gin")


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        # Turning it off keeps the entries already pending: move them into the index now.
        schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("encyclopedia", "0022_search_entry_head"),
    ]

    operations = [
        migrations.RunPython(without_pending_list, with_pending_list),
    ]
