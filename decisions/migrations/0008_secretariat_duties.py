"""Who logs in as whom is the administrators' business: the secretariat no longer reads the user accounts
(the member page shows the linked account read-only without it). It reads the duties' log, where every
change of seats and accounts, and every refusal of the separation of duties, is kept."""

from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db import migrations

GROUP = "secretariat"
REMOVED = [("auth", "view_user")]
ADDED = [("meetings", "view_dutylog")]


def _permission(apps, app_label, codename):
    return apps.get_model("auth", "Permission").objects.get(content_type__app_label=app_label, codename=codename)


def apply(apps, schema_editor):
    config = apps.get_app_config("meetings")
    config.models_module = True
    create_contenttypes(config, apps=apps, verbosity=0)
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*(_permission(apps, *codename) for codename in REMOVED))
        group.permissions.add(*(_permission(apps, *codename) for codename in ADDED))


def revert(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*(_permission(apps, *codename) for codename in REMOVED))
        group.permissions.remove(*(_permission(apps, *codename) for codename in ADDED))


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0007_published_record"),
        ("meetings", "0008_record_and_duties"),
    ]

    operations = [migrations.RunPython(apply, revert)]
