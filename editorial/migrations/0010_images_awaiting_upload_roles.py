from django.db import migrations


def update_roles(apps, schema_editor):
    """Every role sees the images awaiting upload; editors and directors strike them off
    (editorial/roles.py)."""
    from importlib import import_module

    import_module("editorial.migrations.0004_roles").create_roles(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0009_outgoing_mail"),
        ("encyclopedia", "0015_images_awaiting_upload_and_unstructured_citations"),
    ]

    operations = [migrations.RunPython(update_roles, migrations.RunPython.noop)]
