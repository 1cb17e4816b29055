"""Give the roles the permissions on article images and related articles (editorial/roles.py)."""

from django.db import migrations


def update_roles(apps, schema_editor):
    from importlib import import_module

    import_module("editorial.migrations.0004_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0005_reminder_log"),
        ("encyclopedia", "0008_images"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
