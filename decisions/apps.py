from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .secretariat import apply_after_migrate


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("Resolutions")

    def ready(self) -> None:
        post_migrate.connect(apply_after_migrate, sender=self)
