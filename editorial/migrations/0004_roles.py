"""The three editorial roles as groups with explicit permissions (see editorial/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from editorial.roles import ROLE_PERMISSIONS


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for label in permissions:
            app_label, codename = label.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            # A model a later migration creates has no permission yet: that migration adds it.
            if permission is not None:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0003_workflow"),
        ("encyclopedia", "0005_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
