"""The secretariat's group: exactly what the board's secretariat needs, in one list.

After every `migrate` (and every flush of the tests' database), the group named GROUP holds these
permissions and no others: an administrator grants the secretariat's duties by adding an account to the
group, never by editing the group, whose permissions the next deployment would put back. The data
migrations that built the group over time (decisions' 0002, 0003, 0008, 0010) stay as history; this list
is what holds now. `meetings.manage_minutes` (SECRETARIAT_PERMISSION) is what marks an account as the
secretariat's for the separation of duties.
"""

from django.apps import AppConfig
from django.apps.registry import Apps
from django.db.models import Q

GROUP = "secretariat"

# app label -> model -> actions. Boards are set up by the IT team; a session is deleted only while it was
# never convened and has no minutes (Session.deletable), a session entered by mistake; the accounts are
# the administrators' (the member page shows the linked account read-only).
PERMISSIONS = {
    "meetings": {
        "board": ["view"],
        "member": ["view", "add", "change"],
        "membership": ["view", "add", "change", "delete"],
        "session": ["view", "add", "change", "delete"],
        "attendance": ["view", "add", "change", "delete"],
        "agendaitem": ["view", "add", "change", "delete"],
        "document": ["view", "add", "change", "delete"],
        # The declarations of interest made during the session (those made with an answer, it reads).
        "declaration": ["view", "add", "change", "delete"],
        # The minutes through their lifecycle, the members' comments to answer, what happened to them.
        "minutes": ["view", "change", "manage"],
        "comment": ["view", "change"],
        "approval": ["view"],
        "transition": ["view"],
        # Every change of seats and accounts, every refusal of the separation of duties; the messages.
        "dutylog": ["view"],
        "convocation": ["view"],
        "message": ["view"],
    },
    "decisions": {
        "resolution": ["view", "add", "change", "delete"],
        "followup": ["view", "add", "change", "delete"],
    },
}


def codenames() -> list[str]:
    """«meetings.view_board», …: the list as Django names permissions."""
    return [
        f"{app}.{action}_{model}"
        for app, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]


def apply_after_migrate(sender: AppConfig, apps: Apps, using: str = "default", **kwargs) -> None:
    """The group with exactly PERMISSIONS (a post_migrate receiver of this app, which comes after
    `meetings` and `auth`, whose permissions exist by then)."""
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    listed = codenames()
    wanted = Q()
    for name in listed:
        app, codename = name.split(".")
        wanted |= Q(content_type__app_label=app, codename=codename)
    permissions = list(Permission.objects.using(using).filter(wanted))
    if len(permissions) != len(listed):
        return  # a partial migrate (`migrate meetings 0005`): the models are not all there yet
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    group.permissions.set(permissions)
