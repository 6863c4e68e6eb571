from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _

from .text import remove_bidi_controls


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Board sessions")

    def ready(self) -> None:
        # A convened session's new date, hours or place goes to the people convened (meetings.notices).
        from . import notices, second_factor

        # Each step of the minutes, and each comment and its answer, reaches the people concerned.
        post_save.connect(notices.announce_change, sender=self.get_model("Session"), dispatch_uid="announce")
        post_save.connect(notices.minutes_moved, sender=self.get_model("Transition"), dispatch_uid="moved")
        post_save.connect(notices.comment_saved, sender=self.get_model("Comment"), dispatch_uid="comment")
        # A sign-in notes in the session whether the account owes a second factor (meetings.second_factor).
        user_logged_in.connect(second_factor.ask_at_sign_in, dispatch_uid="second_factor")
        # No text of the record keeps a bidi control that would reorder a printed line (meetings.text).
        pre_save.connect(remove_bidi_controls, dispatch_uid="bidi_controls")
