"""Give the roles what they were missing (editorial/roles.py).

Editors may remove sections, names, references, credits, images and related articles from a
draft; editorial directors may see logins, so they can link a reviewer to one.
"""

from django.db import migrations


def update_roles(apps, schema_editor):
    from importlib import import_module

    import_module("editorial.migrations.0004_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0006_image_and_related_permissions"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
