"""SQLite's Spanish full-text rows hold each word's stem from now on (matched whole, so "nino"
no longer finds "ningún"): rewrite the rows indexed as words before."""

from django.db import migrations

from encyclopedia.search.query import spanish_stems

SPANISH_FTS_TABLE = "encyclopedia_search_fts_es"


def index_stems(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL's vector is the "spanish" configuration's stems already
    SearchEntry = apps.get_model("encyclopedia", "SearchEntry")
    rows = [
        [spanish_stems(title), spanish_stems(names), spanish_stems(summary), spanish_stems(body), pk]
        for pk, title, names, summary, body in SearchEntry.objects.filter(language="es").values_list(
            "pk", "title", "names", "summary", "body"
        )
    ]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {SPANISH_FTS_TABLE} SET title = %s, names = %s, summary = %s, body = %s WHERE rowid = %s",  # noqa: S608 - a fixed name
            rows,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("encyclopedia", "0019_publication_translated_by"),
    ]

    operations = [
        migrations.RunPython(index_stems, migrations.RunPython.noop),
    ]
