"""The "secretariat" group: exactly what the board's secretariat needs to record sessions in the admin."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "secretariat"

# model -> actions. Boards are set up by the IT team; deleting a whole session is theirs too.
PERMISSIONS = {
    ("meetings", "board"): ["view"],
    ("meetings", "member"): ["view", "add", "change"],
    ("meetings", "membership"): ["view", "add", "change", "delete"],
    ("meetings", "session"): ["view", "add", "change"],
    ("meetings", "attendance"): ["view", "add", "change", "delete"],
    ("meetings", "agendaitem"): ["view", "add", "change", "delete"],
    ("decisions", "resolution"): ["view", "add", "change", "delete"],
    ("decisions", "followup"): ["view", "add", "change", "delete"],
    # To link a member to the account the IT team made for them.
    ("auth", "user"): ["view"],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_label in {app for app, _ in PERMISSIONS}:
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_contenttypes(config, apps=apps, verbosity=0)
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [
        (app, f"{action}_{model}") for (app, model), actions in PERMISSIONS.items() for action in actions
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in codenames
    ]
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0001_initial"),
        ("meetings", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
