"""The secretariat records the declarations of interest made during a session, and reads those the
members made with their answers."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "secretariat"
ADDED = [("meetings", f"{action}_declaration") for action in ("view", "add", "change", "delete")]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in ADDED]


def apply(apps, schema_editor):
    config = apps.get_app_config("meetings")
    config.models_module = True
    create_contenttypes(config, apps=apps, verbosity=0)
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


def revert(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0018_stood_aside"),
        ("meetings", "0035_declarations_of_interest"),
    ]

    operations = [migrations.RunPython(apply, revert)]
