"""Accounts that their owners open and recover themselves: nobody ever types another person's password.

- **Invitation**: an administrator invites a member by e-mail (the member admin's action): the member
  gets an account without a password, linked to them, and a message with a link where they choose it.
- **Password reset**: whoever forgot their password asks for a link at the address of their account (or
  of their member record); the page says the same whether the address is known or not.

Both messages are stored and sent by the task queue's worker like every other (meetings.notices), and
their link holds a one-time token (Django's, valid PASSWORD_RESET_TIMEOUT, spent once the password is
set): the secretariat's list of messages never shows their text.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .models import Member, Message
from .tasks import deliver

SIGN_IN_LINK_KINDS = {Message.Kind.PASSWORD_RESET, Message.Kind.INVITATION}


def set_password_url(user) -> str:
    """The address where `user` chooses a password, with a one-time token."""
    path = reverse(
        "meetings:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def _queue(kind: str, user, address: str, context: dict) -> Message:
    member = getattr(user, "member", None)
    language = member.language if member is not None else translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {**context, "kind": kind, "user": user, "member": member}
        message = Message.objects.create(
            kind=kind,
            member=member,
            address=address,
            language=language,
            subject=_("Your account on the board's site")
            if kind == Message.Kind.INVITATION
            else _("Choosing a new password"),
            text=render_to_string("meetings/mail/account.txt", context),
            html=render_to_string("meetings/mail/account.html", context),
        )
    deliver.enqueue(message.pk)  # a row of the same transaction, as every message (meetings.notices.queue)
    return message


@transaction.atomic
def invite(member: Member) -> Message:
    """Open an account for `member` (without a password: the member chooses it), linked to them, and
    queue the message that says where to choose it. Refused for a member without an address, or who has
    an account already."""
    if not member.email:
        raise ValidationError(_("%(name)s has no e-mail address to be invited at.") % {"name": member.name})
    if member.user_id is not None:
        raise ValidationError(_("%(name)s has an account already.") % {"name": member.name})
    # Without a password given, create_user stores an unusable one: nobody signs in until the member chose it.
    user = get_user_model().objects.create_user(_free_username(member.email), email=member.email)
    member.user = user
    member.save()
    return _queue(
        Message.Kind.INVITATION,
        user,
        member.email,
        {"url": set_password_url(user), "username": user.username},
    )


def _free_username(address: str) -> str:
    base = address.split("@", 1)[0].lower()[:140] or "member"
    taken = set(get_user_model().objects.filter(username__startswith=base).values_list("username", flat=True))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, the link sent through the message queue, to the account's address or to
    its member's."""

    def get_users(self, email: str):
        # Unlike Django's, an account without a usable password is included: here that is an invited
        # member who has not chosen one yet, and whose invitation's link may have expired. An account is
        # closed by making it inactive.
        users = get_user_model()._default_manager.filter(
            Q(email__iexact=email) | Q(member__email__iexact=email), is_active=True
        )
        return users.distinct()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        user = context["user"]
        address = to_email or user.member.email  # the account's own address, or else its member's
        context = {"url": set_password_url(user), "username": user.get_username()}
        _queue(Message.Kind.PASSWORD_RESET, user, address, context)
