"""The secretariat also moves the minutes through their lifecycle, answers the members' comments and
attaches the session documents."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "secretariat"

PERMISSIONS = {
    ("meetings", "minutes"): ["view", "change", "manage"],
    ("meetings", "comment"): ["view", "change"],
    ("meetings", "approval"): ["view"],
    ("meetings", "transition"): ["view"],
    ("meetings", "document"): ["view", "add", "change", "delete"],
}


def codenames():
    for (app, model), actions in PERMISSIONS.items():
        for action in actions:
            yield app, f"{action}_{model}"


def add_permissions(apps, schema_editor):
    config = apps.get_app_config("meetings")
    config.models_module = True
    create_contenttypes(config, apps=apps, verbosity=0)
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app, codename in codenames():
        group.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        for app, codename in codenames():
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0002_secretariat_group"),
        ("meetings", "0003_minutes_lifecycle"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
