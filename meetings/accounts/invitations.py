"""Accounts that their owners open and recover themselves: nobody ever types another person's password.

- **Invitation**: an administrator invites a member by e-mail (the member admin's action): the member
  gets an account without a password, linked to them, and a message with a link where they choose it.
- **Password reset**: whoever forgot their password asks for a link at their account's own sign-in
  address, never at the member's contact address, which the secretariat keeps for messages and may
  change; the page says the same whether the address is known or not. A reset changes the password only:
  an account with a second factor still gives it at the next sign-in.
- **Notices**: a change of the sign-in address is told to the old one, a second factor removed by an
  administrator to the person (meetings.accounts.history).

Every message is stored and sent by the task queue's worker like every other
(meetings.convocation.messages); a link holds a one-time token (Django's, valid PASSWORD_RESET_TIMEOUT,
spent once the password is set): the secretariat's list of messages never shows these messages' text.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from ..convocation.delivery import QUICK_FIRST, deliver
from ..models import DutyLog, Member, Message

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The messages about an account: the secretariat's list of messages shows who and when, never the text.
ACCOUNT_KINDS = {Message.Kind.PASSWORD_RESET, Message.Kind.INVITATION, Message.Kind.ACCOUNT_CHANGED}
SUBJECTS: "dict[str, StrPromise]" = {
    Message.Kind.INVITATION: gettext_lazy("Your account on the board's site"),
    Message.Kind.PASSWORD_RESET: gettext_lazy("Choosing a new password"),
    Message.Kind.ACCOUNT_CHANGED: gettext_lazy("A change to your account on the board's site"),
}


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
    """Store the message to `user` at `address`, in their member's language (or the page's), and queue
    its sending."""
    member = getattr(user, "member", None)
    language = member.language if member is not None else translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {**context, "kind": kind, "user": user, "member": member}
        message = Message.objects.create(
            kind=kind,
            member=member,
            address=address,
            language=language,
            subject=str(SUBJECTS[kind]),
            text=render_to_string("meetings/mail/account.txt", context),
            html=render_to_string("meetings/mail/account.html", context),
        )
    # A row of the same transaction, as every message (meetings.convocation.messages.queue).
    deliver.enqueue(message.pk)
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
    # The administrator who invites sets the sign-in address, from the contact address as it is now; a
    # later change of the contact address (the secretariat's) never moves it (meetings.accounts.history).
    user = get_user_model().objects.create_user(_free_username(member.email), email=member.email)
    member.user = user
    member.save()
    return welcome(user)


def welcome(user) -> Message:
    """Queue the message that opens an account made for its person: where they choose the password,
    sent to the account's sign-in address."""
    return _queue(
        Message.Kind.INVITATION, user, user.email, {"url": set_password_url(user), "username": user.username}
    )


def _free_username(address: str) -> str:
    base = address.split("@", 1)[0].lower()[:140] or "member"
    taken = set(get_user_model().objects.filter(username__startswith=base).values_list("username", flat=True))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def tell(user, notice: str, *, address: str = "") -> Message | None:
    """Queue `notice` (a change to the account, said in a sentence) to `address`, by default the account's
    sign-in address, in its member's language."""
    address = address or user.email
    if not address:
        return None
    return _queue(Message.Kind.ACCOUNT_CHANGED, user, address, {"notice": notice, "username": user.username})


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, its search and its message left to the task queue (`send_password_link`):
    the request only queues one task, whether the address is known or not, so that neither its answer nor
    its time tells which."""

    def save(self, *args, **kwargs) -> None:
        send_password_link.enqueue(self.cleaned_data["email"], translation.get_language())


@task(priority=QUICK_FIRST)
def send_password_link(address: str, language: str) -> str:
    """The link to choose a new password, to each active account whose own sign-in address is `address`:
    never to a member's contact address, which the secretariat may change (an account without a sign-in
    address asks an administrator). Unlike Django's, an account without a usable password is included:
    here that is an invited member who has not chosen one yet, and whose invitation's link may have
    expired. An account is closed by making it inactive."""
    users = get_user_model()._default_manager.filter(email__iexact=address, is_active=True)
    with translation.override(language):
        for user in users:
            context = {"url": set_password_url(user), "username": user.get_username()}
            _queue(Message.Kind.PASSWORD_RESET, user, user.email, context)
    return f"{len(users)} link(s)"


class LoggedSetPasswordForm(SetPasswordForm):
    """The password chosen through a link (an invitation's or a reset's), kept in the duties' log: the
    trace of who opened the account, and when."""

    def save(self, commit=True):
        user = super().save(commit)
        DutyLog.note(
            DutyLog.Kind.PASSWORD,
            _("Password chosen through the link sent to %(address)s") % {"address": user.email or "—"},
            member=getattr(user, "member", None),
            about=user.get_username(),
            by=user,
            account=user,
        )
        return user
