"""Each search entry's ``head`` (title, names and summary: ``vector`` without the body), which
picks the matches PostgreSQL ranks (``search/backends.py``), with a GIN index of its own; and a
search entry's row kept narrow on PostgreSQL.

Every search counts its matches, reading each one's row, and reads the title and head of those
whose head holds a query term: with the names, summary, body and vector stored beside the row
(TOAST) rather than in it, the rows take a quarter of the pages. ``toast_tuple_target`` moves a
row's large values out once it passes 128 bytes; title and head are ``MAIN``: kept in the row
unless it would pass a page. The rows rewritten here are narrow at once, but the table's file
keeps its size (the old rows' space is reused) until ``VACUUM FULL encyclopedia_searchentry``.
"""

import django.contrib.postgres.search
from django.db import migrations


def narrow_rows_and_fill_heads(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE encyclopedia_searchentry SET (toast_tuple_target = 128)")
    schema_editor.execute(
        "ALTER TABLE encyclopedia_searchentry "
        "ALTER COLUMN title SET STORAGE MAIN, ALTER COLUMN head SET STORAGE MAIN"
    )
    # The head is the vector's A, B and C lexemes at their positions: what indexing writes.
    # Rewriting every row also stores it anew, narrow.
    schema_editor.execute(
        "UPDATE encyclopedia_searchentry SET head = ts_filter(vector, '{a,b,c}') WHERE vector IS NOT NULL"
    )
    schema_editor.execute(
        "CREATE INDEX encyclopedia_searchentry_head_gin ON encyclopedia_searchentry USING GIN (head)"
    )


def widen_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS encyclopedia_searchentry_head_gin")
    schema_editor.execute("ALTER TABLE encyclopedia_searchentry RESET (toast_tuple_target)")
    schema_editor.execute("ALTER TABLE encyclopedia_searchentry ALTER COLUMN title SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [
        ("encyclopedia", "0021_rendered_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(narrow_rows_and_fill_heads, widen_rows),
    ]
