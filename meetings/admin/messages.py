"""Every message the app sends, as it was composed and as its delivery went: the secretariat sees what
went to whom, what is still waiting for the mail server, and whom nothing can reach."""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..accounts.invitations import ACCOUNT_KINDS
from ..convocation.delivery import deliver
from ..convocation.links import without_links
from ..models import Convocation, Message
from ..models.duties import SECRETARIAT_PERMISSION
from .read_only import ReadOnlyAdmin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):  # what was sent to whom is part of the board's procedure
    list_display = ["created_at", "kind", "recipient", "address", "status", "sent_at"]
    list_filter = ["status", "kind", "language"]
    list_select_related = ["member", "session"]
    search_fields = ["subject", "address", "member__name_ar", "member__name_fr"]
    date_hierarchy = "created_at"
    fields = [
        ("kind", "language"),
        ("member", "address"),
        "session",
        "subject",
        "text_part",
        "html_part",
        "calendar",
        "documents",
        ("status", "attempts", "sent_at"),
        "last_error",
        "created_at",
    ]
    readonly_fields = [name for line in fields for name in ((line,) if isinstance(line, str) else line)]
    actions = ["send_again"]

    def get_fields(self, request, obj=None):
        # A message that holds a link to choose a password is the recipient's alone: its text is not shown.
        if obj is not None and obj.kind in ACCOUNT_KINDS:
            return [field for field in self.fields if field not in ("text_part", "html_part")] + ["withheld"]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "withheld"]

    @admin.display(description=_("text"))
    def withheld(self, message: Message) -> "StrOrPromise":
        return _("Not shown: it holds the recipient's link to choose a password.")

    @admin.display(description=_("recipient"), ordering="member__name_ar")
    def recipient(self, message: Message) -> str:
        return str(message.member) if message.member else "—"

    @admin.display(description=_("text"))
    def text_part(self, message: Message) -> str:
        return without_links(message.text)

    @admin.display(description=_("HTML"))
    def html_part(self, message: Message) -> str:
        # Shown as the source it is, never rendered inside the admin's page.
        return format_html('<pre class="message-source" dir="auto">{}</pre>', without_links(message.html))

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm(SECRETARIAT_PERMISSION)

    @admin.action(
        description=_("Send again the messages that failed, or had no address (to the member's address now)"),
        permissions=["resend"],
    )
    def send_again(self, request, queryset) -> None:
        with transaction.atomic():
            stuck = queryset.select_for_update(of=("self",)).select_related("member")
            failed = []
            for message in stuck.filter(status__in=[Message.Status.FAILED, Message.Status.UNREACHABLE]):
                if message.member is not None and message.member.email:
                    message.address = message.member.email
                if not message.address:
                    continue  # still no address: it stays listed as unreachable
                message.status, message.attempts, message.last_error = Message.Status.PENDING, 0, ""
                message.save(update_fields=["address", "status", "attempts", "last_error"])
                deliver.enqueue(message.pk)
                failed.append(message)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", len(failed))
            % {"count": len(failed)},
            messages.SUCCESS,
        )


@admin.register(Convocation)
class ConvocationAdmin(ReadOnlyAdmin):  # sent from the session's page
    list_display = ["session", "method", "sequence", "sent_at", "sent_by", "date", "place"]
    list_filter = ["method"]
    list_select_related = ["session__board", "sent_by"]
    readonly_fields = [field.name for field in Convocation._meta.fields]
