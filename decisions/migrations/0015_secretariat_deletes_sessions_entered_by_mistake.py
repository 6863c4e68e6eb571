"""The secretariat deletes a session entered by mistake: one never convened, without minutes (the model
refuses the others: meetings.models.Session.deletable)."""

from django.db import migrations

GROUP = "secretariat"
ADDED = [("meetings", "delete_session")]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in ADDED]


def apply(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


def revert(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("decisions", "0014_bounded_in_the_database"),
        ("meetings", "0032_answers_by_link_or_recorded"),
    ]

    operations = [migrations.RunPython(apply, revert)]
