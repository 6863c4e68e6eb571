"""Declarations of interest: a member who has an interest in an agenda item declares it and stands aside
from it, as the code of good governance practices of public establishments asks. Standing aside, the
member is not counted for that item's quorum and casts no vote on its resolutions, nor the votes of the
members whose proxy they hold (`Quorum.count`); the record, the minutes, the pages and the exports say so.

A declaration comes from the member, with their answer to the convocation, or is recorded by the
secretariat during the session, with who recorded it. It is part of the session's record (a `RecordRow`):
refused once the minutes are signed, and a change withdraws the approvals given before."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .board import Member
from .record import RecordRow, parent_session
from .session import AgendaItem, Session


class Declaration(RecordRow):
    """A member's declaration of a conflict of interest on one agenda item of a session."""

    class Source(models.TextChoices):
        MEMBER = "member", _("the member, with their answer to the convocation")
        SECRETARIAT = "secretariat", _("the secretariat, during the session")

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="declarations"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="declarations"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="declarations"
    )
    reason = models.CharField(
        _("nature of the interest"),
        max_length=300,
        blank=True,
        help_text=_("Optional: what ties the member to the matter (a seat, a contract, a relative)."),
    )
    source = models.CharField(_("declared by"), max_length=20, choices=Source, default=Source.SECRETARIAT)
    # The account that recorded it: the secretariat's, or the member's own on their page; none when the
    # member declared it by the personal link of their convocation.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    # Set by the session's admin page once it checked the declarations with the resolutions submitted
    # beside them (decisions.admin): the rows are then saved one by one in an order of its own.
    checked_on_page = False

    class Meta:
        verbose_name = _("declaration of interest")
        verbose_name_plural = _("declarations of interest")
        ordering = ["session", "agenda_item__position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "member"],
                name="declaration_once_per_member_and_item",
                violation_error_message=_("This member's interest in this item is already declared."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.agenda_item}"

    def clean(self) -> None:
        super().clean()
        session = parent_session(self)
        if session is None or self.member_id is None:
            return
        if self.agenda_item_id is not None and self.agenda_item.session_id not in (None, session.pk):
            raise ValidationError({"agenda_item": _("This agenda item belongs to another session.")})
        seats = (
            session.board.memberships.valid_on(session.date) if session.date and session.board_id else None
        )
        if seats is not None and not seats.filter(member_id=self.member_id).exists():
            raise ValidationError(
                {"member": _("This person has no seat on the board on the session's date.")}
            )

    def save(self, *args, **kwargs) -> None:
        if not self.checked_on_page:
            self.clean()
            self.check_resolutions()
        super().save(*args, **kwargs)

    def check_resolutions(self) -> None:
        """Refuse a declaration that would leave a resolution of its item recorded as adopted without
        the item's quorum, or with more votes than members left to cast them: the resolution is corrected
        first. (The resolutions' rule, `decisions.Resolution.check_quorum`, asked from this side.)"""
        session = parent_session(self)
        if session is None or session.pk is None or self.agenda_item_id is None:
            return
        aside = {*self.agenda_item.standing_aside, self.member_id}
        quorum = session.quorum(aside=aside)
        for resolution in self.agenda_item.resolutions.all():
            problem = resolution.quorum_problem(quorum)
            if problem:
                raise ValidationError(
                    gettext("With this declaration, resolution %(number)s would no longer stand: %(problem)s")
                    % {"number": resolution.number, "problem": problem}
                )
