"""The one row of site settings, so that editors find it in the admin ready to edit."""

from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("encyclopedia", "SiteSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("encyclopedia", "0002_standard_headings")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
