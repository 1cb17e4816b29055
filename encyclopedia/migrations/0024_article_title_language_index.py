"""The articles' title index also holds the edition: (title, language) instead of (title).

An import finds a page without an id by its exact English title (``language = 'en' AND title =
…``). SQLite, which has no statistics unless someone runs ``ANALYZE``, chose the language's own
index for that (nearly every article is English) and read all 10,000 articles for each such page:
a sixth of an import's time. With both columns in one index it looks the title up; PostgreSQL,
which chose the title index already, keeps doing so. A query on the title alone uses the new
index's first column as it used the old index.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("encyclopedia", "0023_search_gin_without_pending_list"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="article",
            name="encyclopedi_title_ed38d7_idx",
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["title", "language"], name="encyclopedi_title_17030c_idx"),
        ),
    ]
