"""The demo's commands (load_demo, init_signing) refuse to run on a production server: the demo's accounts
have passwords printed in the README, and its certificate authority is made by anyone who runs them."""

from django.conf import settings
from django.core.management.base import CommandError


def refuse_outside_a_demo(what: str) -> None:
    if not settings.DEMO_ALLOWED:
        raise CommandError(
            f"{what} is for development and demonstration servers only, and this one is neither: "
            "run it with DEBUG=1 (development) or DEMO_ALLOWED=1 (a server kept for demonstrations)."
        )
