"""The named actors of the minutes' lifecycle, around one recorded session (as in healthchecks' hc/test.py)."""

from dataclasses import dataclass

from django.contrib.auth.models import User

from decisions.models import Resolution
from meetings.models import AgendaItem, Membership, Minutes, Session
from tests import factory


@dataclass(frozen=True)
class Actors:
    session: Session
    item: AgendaItem
    resolution: Resolution
    secretary: User  # the secretariat: moves the minutes through their lifecycle
    president: User  # the board's president and rapporteur approve the minutes
    rapporteur: User
    member: User  # a plain board member: reads and comments, never approves
    outsider: User  # the president of another board

    def minutes(self, state: str = Minutes.State.DRAFT, reason: str = "") -> Minutes:
        """A new version of the session's minutes, taken to `state` by these actors (factory.minutes_at)."""
        return factory.minutes_at(self.session, state, by=self.secretary, reason=reason)


def actors(home: bool = True) -> Actors:
    """A board (the one the public site shows, unless `home` is false) with its president, rapporteur and a
    member, all present at a session with one agenda item and one resolution; the president of another
    board; a secretariat user. No minutes yet."""
    board = factory.board(is_home=home)
    president = factory.seat(board, Membership.Role.PRESIDENT)  # the demo persons: factory.seat
    rapporteur = factory.seat(board, Membership.Role.RAPPORTEUR)
    member = factory.seat(board, name_ar="عبد الجبار الرشيدي")
    session = factory.session(board, chair=president)
    for person in (president, rapporteur, member):
        factory.attend(session, person)
    item = factory.agenda_item(session, 1, title="مشروع مخطط عمل المؤسسة برسم سنة 2026")
    resolution = factory.resolution(session, 1, agenda_item=item, title="المصادقة على مخطط العمل")
    elsewhere = factory.seat(factory.board(is_home=False), Membership.Role.PRESIDENT)
    return Actors(
        session=session,
        item=item,
        resolution=resolution,
        secretary=factory.secretariat_user(f"secretary{board.pk}"),
        president=factory.user_for(president),
        rapporteur=factory.user_for(rapporteur),
        member=factory.user_for(member),
        outsider=factory.user_for(elsewhere),
    )
