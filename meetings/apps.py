from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.translation import gettext_lazy as _

from .text.bidi import remove_bidi_controls


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Board sessions")

    def ready(self) -> None:
        from .accounts import history as account_history
        from .convocation.convening import announce_change
        from .minutes.notifications import comment_saved, minutes_moved

        # Signals, not calls, where a rule holds whatever the entry point and the place that causes it is
        # a model's save, which the models cannot follow with a call: the modules that compose and send
        # the messages import the models, never the reverse.
        #
        # A convened session's new date, hours or place goes to the people convened (meetings.convocation),
        # whether the admin or the shell saved it.
        post_save.connect(announce_change, sender=self.get_model("Session"), dispatch_uid="announce")
        # Each step of the minutes, and each comment and its answer, reaches the people concerned: a step
        # is a Transition row that Minutes.move writes, the approvals' withdrawal included (any change of
        # the record, from anywhere); a comment is answered in the admin or in the shell.
        post_save.connect(minutes_moved, sender=self.get_model("Transition"), dispatch_uid="moved")
        post_save.connect(comment_saved, sender=self.get_model("Comment"), dispatch_uid="comment")
        # What happens to an account is kept, and told to the person (meetings.accounts.history), whatever
        # the entry point: the accounts and second factors are django.contrib.auth's and django-otp's
        # models, saved by their own admins, forms and views, by the shell, and (groups) by m2m changes.
        user = get_user_model()
        pre_save.connect(account_history.account_saving, sender=user, dispatch_uid="account_saving")
        post_save.connect(account_history.account_created, sender=user, dispatch_uid="account_created")
        for through in (user.groups.through, user.user_permissions.through):
            m2m_changed.connect(account_history.groups_changed, sender=through, dispatch_uid=f"{through}")
        for device in account_history.DEVICES:
            pre_save.connect(account_history.device_saving, sender=device, dispatch_uid=f"{device}:saving")
            pre_delete.connect(account_history.device_deleting, sender=device, dispatch_uid=f"{device}:del")
            post_delete.connect(account_history.device_deleted, sender=device, dispatch_uid=f"{device}:gone")
        # No text of the record keeps a bidi control that would reorder a printed line (meetings.text.bidi),
        # whichever model, form or command saves it.
        pre_save.connect(remove_bidi_controls, dispatch_uid="bidi_controls")
