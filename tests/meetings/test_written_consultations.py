"""Written consultations between sessions: numbered apart, put to the voting members no sooner than the
board's delay, answered once each with the second factor, decided by the board's majority, recorded as a
resolution of the board that the next session follows up."""

import datetime
import json

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from decisions.models import Resolution
from meetings.convocation import written
from meetings.models import Board, Document, Membership, Message, Session, WrittenVote
from tests import factory
from tests import pdf as pdf_tools
from tests.members import read_form, signed_in, users_app_code
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
CLOSES = datetime.datetime(2026, 3, 16, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now(request):
    """On 2 March 2026, but for a test marked `real_time` (signatures need certificates valid now)."""
    if "real_time" in request.keywords:
        yield
        return
    with time_machine.travel(NOW, tick=False):
        yield


class Consultation:
    """A board of five voting members (with accounts) and an advisory seat, which allows written
    consultations (more than half of the voting members adopt), and one drafted with its resolution."""

    def __init__(self, closes: datetime.datetime = CLOSES, **rules) -> None:
        self.board = factory.board(written_consultation=True, **rules)
        self.voters = [factory.seat(self.board, email=f"m{n}@entraide.ma") for n in range(5)]
        self.accounts = {member.pk: factory.user_for(member) for member in self.voters}
        self.controller = factory.seat(self.board, Membership.Role.INVITED, email="c@entraide.ma")
        self.session = Session.objects.create(
            board=self.board, kind=Session.Kind.WRITTEN, closes_at=closes, date=closes.date()
        )
        factory.resolution(
            self.session,
            1,
            title="المصادقة على اتفاقية شراكة",
            text="يصادق المجلس على الاتفاقية.",
            unanimous=False,
        )
        self.secretary = factory.secretariat_user()

    def answer(self, member, choice: str) -> WrittenVote:
        account = self.accounts[member.pk]
        factor, pin = factory.factor_of(account), factory.pin_of(account)  # a PIN for those who sign
        return written.answer(self.session, member, choice=choice, by=account, factor=factor, pin=pin)


@pytest.fixture
def consultation() -> Consultation:
    return Consultation()


def test_a_written_consultation_is_numbered_apart_from_the_sessions(consultation):
    session = consultation.session
    assert (session.year, session.ordinal, session.date) == (2026, 101, datetime.date(2026, 3, 16))
    assert session.title == "الاستشارة الكتابية الأولى برسم سنة 2026"
    assert Resolution.objects.get(session=session).number == "2026/101/1"
    june = factory.session(consultation.board, date=datetime.date(2026, 6, 20), ordinal=None)
    assert june.ordinal == 1  # the sessions keep their own numbers


def test_a_board_whose_rules_do_not_allow_it_has_no_written_consultation():
    board = factory.board(written_consultation=False)
    with pytest.raises(ValidationError):
        Session.objects.create(board=board, kind=Session.Kind.WRITTEN, closes_at=CLOSES, date=CLOSES.date())


def test_the_database_keeps_written_consultations_numbered_apart(consultation):
    with pytest.raises(DatabaseError), transaction.atomic():
        Session.objects.filter(pk=consultation.session.pk).update(ordinal=3)


def test_it_is_put_to_the_voting_members_no_sooner_than_the_boards_delay(consultation):
    Session.objects.filter(pk=consultation.session.pk).update(closes_at=NOW + datetime.timedelta(days=3))
    consultation.session.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        written.submit(consultation.session, by=consultation.secretary)
    assert "8" in caught.value.messages[0]

    Session.objects.filter(pk=consultation.session.pk).update(closes_at=CLOSES)
    consultation.session.refresh_from_db()
    sent = written.submit(consultation.session, by=consultation.secretary)

    assert sorted(message.member_id for message in sent) == sorted(m.pk for m in consultation.voters)
    assert all(message.kind == Message.Kind.WRITTEN_CONSULTATION for message in sent)
    assert "16 مارس 2026" in sent[0].text and "2026/101/1" in sent[0].text
    with pytest.raises(PermissionDenied):
        written.submit(consultation.session, by=consultation.accounts[consultation.voters[0].pk])


def test_each_voting_member_answers_once_with_their_second_factor(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    first = consultation.voters[0]
    account = consultation.accounts[first.pk]
    with pytest.raises(ValidationError):
        written.answer(consultation.session, first, choice="for", by=account, factor=None)

    consultation.answer(first, "for")

    with pytest.raises(ValidationError):
        consultation.answer(first, "against")
    assert WrittenVote.objects.get().choice == "for"
    with pytest.raises(PermissionDenied):  # another member's account
        written.answer(
            consultation.session,
            consultation.voters[1],
            choice="for",
            by=account,
            factor=factory.factor_of(account),
        )
    controller = factory.user_for(consultation.controller)
    with pytest.raises(PermissionDenied):  # an advisory seat has no vote
        written.answer(
            consultation.session,
            consultation.controller,
            choice="for",
            by=controller,
            factor=factory.factor_of(controller),
        )


def test_a_written_vote_is_final_in_the_database(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    vote = consultation.answer(consultation.voters[0], "for")
    with pytest.raises(DatabaseError), transaction.atomic():
        WrittenVote.objects.filter(pk=vote.pk).update(choice="against")
    with pytest.raises(DatabaseError), transaction.atomic():
        WrittenVote.objects.filter(pk=vote.pk).delete()


def test_the_last_answer_closes_it_and_the_majority_decides(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    for member, choice in zip(consultation.voters, ["for", "for", "for", "against", "abstain"], strict=True):
        consultation.answer(member, choice)

    consultation.session.refresh_from_db()
    assert consultation.session.closed_at is not None
    resolution = Resolution.objects.get(session=consultation.session)
    assert (resolution.outcome, resolution.votes_for, resolution.votes_against, resolution.votes_abstain) == (
        "adopted",
        3,
        1,
        1,
    )
    assert consultation.session.quorum().counted == 5
    told = Message.objects.filter(kind=Message.Kind.WRITTEN_RESULT)
    assert told.count() == 6  # each voting member, and the secretariat
    text = told.get(member=consultation.voters[0]).text
    assert (
        "أغلقت الاستشارة الكتابية «الاستشارة الكتابية الأولى برسم سنة 2026»: تمت المصادقة على مشروع القرار."
        in text
    )
    assert "مؤيدون: 3، معارضون: 1، ممتنعون: 1." in text


def test_at_its_closing_time_it_is_closed_with_the_answers_given(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    consultation.answer(consultation.voters[0], "for")
    consultation.answer(consultation.voters[1], "for")

    with time_machine.travel(CLOSES + datetime.timedelta(minutes=1), tick=False):
        assert (
            written.close_when_due.call(consultation.session.pk) == "rejected"
        )  # 2 of 5: not more than half

    resolution = Resolution.objects.get(session=consultation.session)
    assert (resolution.outcome, resolution.votes_for) == ("rejected", 2)
    statuses = dict(consultation.session.attendances.values_list("member_id", "status"))
    assert (
        statuses[consultation.voters[0].pk] == "present" and statuses[consultation.voters[4].pk] == "absent"
    )
    with (
        time_machine.travel(CLOSES + datetime.timedelta(minutes=2), tick=False),
        pytest.raises(ValidationError),
    ):
        consultation.answer(consultation.voters[2], "for")


@pytest.mark.parametrize(
    ("majority", "yes", "no", "adopted"),
    [
        (Board.WrittenMajority.CAST, 2, 1, True),
        (Board.WrittenMajority.CAST, 1, 1, False),
        (Board.WrittenMajority.MEMBERS, 3, 0, True),
        (Board.WrittenMajority.MEMBERS, 2, 0, False),
        (Board.WrittenMajority.TWO_THIRDS, 4, 0, True),
        (Board.WrittenMajority.TWO_THIRDS, 3, 0, False),
        (Board.WrittenMajority.UNANIMITY, 5, 0, True),
        (Board.WrittenMajority.UNANIMITY, 4, 0, False),
    ],
)
def test_the_boards_majority_decides(majority, yes, no, adopted):
    assert Board(written_majority=majority).written_adopts(yes, no, 5) is adopted


def test_the_next_session_follows_up_the_resolution_decided_in_writing(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    june = factory.session(consultation.board, date=datetime.date(2026, 6, 20), ordinal=1)
    assert not Resolution.objects.open_at(june).exists()  # a draft, not yet decided
    for member in consultation.voters:
        consultation.answer(member, "for")

    followed = Resolution.objects.open_at(june)

    assert [r.number for r in followed] == ["2026/101/1"]
    assert followed[0].unanimous
    assert timezone.now() < CLOSES  # closed early: every voting member had answered


@pytest.mark.real_time
def test_the_decision_in_writing_is_signed_published_and_in_the_register_with_its_own_number(
    client, tmp_path
):
    consultation = Consultation(closes=timezone.now() + datetime.timedelta(days=10))
    president, rapporteur = factory.approvers(consultation.board)  # they answer too: voting seats
    consultation.accounts.update({president.member.pk: president, rapporteur.member.pk: rapporteur})
    written.submit(consultation.session, by=consultation.secretary)
    voters = [*consultation.voters, president.member, rapporteur.member]
    for member, choice in zip(voters, ["for"] * 5 + ["against", "abstain"], strict=True):
        consultation.answer(member, choice)

    minutes = factory.publish(Session.objects.get(pk=consultation.session.pk), by=consultation.secretary)

    # The president and the rapporteur hold credentials at the signing service: their answers are signed,
    # each in their own name (pdfsig checks); the other members' are given with their second factor only.
    signed = WrittenVote.objects.get(member=president.member).signed_pdf.open("rb").read()
    report = pdf_tools.pdfsig(signed, tmp_path, settings.SIGNING_TRUST_ROOTS)
    assert "Signature Validation: Signature is Valid." in report and "Signature Field Name: Answer" in report
    assert president.member.name_ar in report
    civility = "السيدة" if president.member.gender == "female" else "السيد"
    said = pdf_tools.normalized(
        f"جواب {civility} {president.member.name_ar}، {president.member.title_ar}: معارض"
    )
    assert said in pdf_tools.normalized(pdf_tools.text(signed))
    assert WrittenVote.objects.get(member=consultation.voters[0]).signed_pdf.name == ""

    text = pdf_tools.normalized(pdf_tools.text(minutes.pdf.open("rb").read()))
    for said in [
        "محضر الاستشارة الكتابية الأولى للمجلس الإداري",
        "ويقتضي اعتماده موافقة أكثر من نصف الأعضاء ذوي الحق في التصويت",
        f"{president.member.name_ar} {president.member.title_ar} معارض",
        "أجاب 7 من أصل 7 من الأعضاء ذوي الحق في التصويت",
        "القرار رقم 2026/101/1",
    ]:
        assert pdf_tools.normalized(said) in text, said
    register = visible_text(client.get("/resolutions/"))
    assert "2026/101/1" in register and "المصادقة على اتفاقية شراكة" in register
    page = visible_text(client.get("/resolutions/2026/101/1/"))
    assert "مؤيدون: 5، معارضون: 1، ممتنعون: 1" in page
    public = visible_text(client.get("/sessions/2026/101/"))
    assert "الأجوبة الكتابية" in public and "مصادق عليه" in public
    popolo = json.loads(client.get("/resolutions.popolo.json").content)
    event = popolo["events"][0]
    assert (event["id"], event["classification"]) == ("session/2026/101", "written consultation")
    options = sorted(vote["option"] for vote in popolo["vote_events"][0]["votes"])
    assert options == ["abstain", "no", "yes", "yes", "yes", "yes", "yes"]


# The pages: the secretariat's admin, the member's page


def test_the_secretariat_drafts_it_and_puts_it_to_the_members_in_the_admin(client):
    board = factory.board(written_consultation=True)
    voters = [factory.seat(board, email=f"v{n}@entraide.ma") for n in range(3)]
    client.force_login(factory.secretariat_user())
    added = client.post(
        "/admin/meetings/writtenconsultation/add/",
        {
            "board": board.pk,
            "closes_at_0": "2026-03-16",
            "closes_at_1": "17:00",
            "resolutions-TOTAL_FORMS": "1",
            "resolutions-INITIAL_FORMS": "0",
            "resolutions-0-title": "المصادقة على اتفاقية شراكة",
            "resolutions-0-text": "يصادق المجلس على الاتفاقية.",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, visible_text(added)[:2000]
    consultation = Session.objects.get(kind=Session.Kind.WRITTEN)
    assert (consultation.ordinal, consultation.resolutions.get().number) == (101, "2026/101/1")
    page = client.get(f"/admin/meetings/writtenconsultation/{consultation.pk}/change/")
    assert "عرضها على الأعضاء" in visible_text(page)
    assert "مسودة، لم تعرض بعد على الأعضاء" in visible_text(
        client.get("/admin/meetings/writtenconsultation/")
    )

    done = client.post(f"/admin/meetings/writtenconsultation/{consultation.pk}/submit/", follow=True)

    assert "3" in visible_text(done)
    assert Message.objects.filter(kind=Message.Kind.WRITTEN_CONSULTATION).count() == len(voters)
    consultation.refresh_from_db()
    assert consultation.submitted_at is not None
    assert "إغلاقها (انتهى أجلها)" in visible_text(
        client.get(f"/admin/meetings/writtenconsultation/{consultation.pk}/change/")
    )


def test_a_board_that_does_not_allow_it_is_not_offered(client):
    factory.board(written_consultation=False)
    client.force_login(factory.secretariat_user())
    page = read_form(client.get("/admin/meetings/writtenconsultation/add/"), id="writtenconsultation_form")
    assert page.options["board"] == [("", "---------")]


def test_a_member_answers_on_their_page_with_their_authenticator_code(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    member = consultation.voters[0]
    account = consultation.accounts[member.pk]
    factory.factor_of(account)  # their authenticator app, enrolled
    browser = signed_in(account)
    url = f"/members/sessions/{consultation.session.pk}/"
    page = visible_text(browser.get(url))
    assert (
        "يستشار المجلس كتابيا في مشروع القرار أدناه. تغلق الأجوبة يوم 16 مارس 2026 على الساعة 17:00." in page
    )

    refused = browser.post(f"{url}written-answer/", {"choice": "for", "code": ""}, follow=True)
    assert not WrittenVote.objects.exists()
    assert (
        "أدخلوا الرمز الذي يعرضه تطبيق المصادقة الآن، أو استعملوا مفتاح المرور، لإعطاء هذا الجواب."
        in visible_text(refused)
    )

    answered = browser.post(
        f"{url}written-answer/", {"choice": "for", "code": users_app_code(account)}, follow=True
    )

    vote = WrittenVote.objects.get()
    assert (vote.member, vote.choice, vote.by, vote.factor) == (member, "for", account, "app")
    assert "جوابكم: موافق، بتاريخ 2 مارس 2026. وهو نهائي." in visible_text(answered)


def test_the_members_list_says_what_awaits_their_answer(consultation):
    member = consultation.voters[0]
    browser = signed_in(consultation.accounts[member.pk])
    assert "في انتظار جوابكم الكتابي" not in visible_text(browser.get("/members/"))  # not put to them yet
    written.submit(consultation.session, by=consultation.secretary)
    assert "في انتظار جوابكم الكتابي" in visible_text(browser.get("/members/"))
    consultation.answer(member, "for")
    assert "في انتظار جوابكم الكتابي" not in visible_text(browser.get("/members/"))


def test_once_put_to_the_members_its_closing_no_longer_changes(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    consultation.session.refresh_from_db()
    consultation.session.closes_at = CLOSES + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        consultation.session.save()
    # Past the model, the database keeps what the members were told (meetings' migration 0037).
    kept = Session.objects.filter(pk=consultation.session.pk)
    for change in (
        {"closes_at": CLOSES + datetime.timedelta(days=3)},
        {"submitted_at": None},
        {"ordinal": 102},
    ):
        with pytest.raises(DatabaseError, match="keeps its board, number and times"), transaction.atomic():
            kept.update(**change)
    assert kept.get().closes_at == CLOSES


def test_until_put_to_the_members_its_draft_changes_then_it_is_kept_as_they_read_it(consultation):
    session = consultation.session
    draft = Resolution.objects.get(session=session)
    draft.title = "المصادقة على اتفاقية شراكة معدلة"
    draft.save()  # the secretariat still drafts it
    document = Document.objects.create(
        session=session, title="مشروع الاتفاقية", file=ContentFile(b"%PDF-1.7\n", name="draft.pdf")
    )
    written.submit(session, by=consultation.secretary)

    draft.text = "يصادق المجلس على اتفاقية أخرى."
    refusals = [
        draft.save,
        Resolution.objects.get(pk=draft.pk).delete,
        lambda: factory.resolution(session, 2),
        lambda: Document.objects.create(
            session=session, title="وثيقة أخرى", file=ContentFile(b"%PDF-1.7\n", name="draft.pdf")
        ),
        Document.objects.get(pk=document.pk).delete,
    ]
    for refused in refusals:
        with pytest.raises(ValidationError, match="عرض هذا المشروع على الأعضاء للجواب عليه: لم يعد يتغير"):
            refused()
    # Past the models, the database keeps it (meetings' migration 0037, decisions' 0020).
    for change in (
        lambda: Resolution.objects.filter(pk=draft.pk).update(text="يصادق المجلس على اتفاقية أخرى."),
        lambda: Resolution.objects.filter(pk=draft.pk).delete(),
        lambda: Document.objects.filter(pk=document.pk).update(title="وثيقة أخرى"),
        lambda: Document.objects.filter(pk=document.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="no longer changes"), transaction.atomic():
            change()
    assert Resolution.objects.get(pk=draft.pk).text == "يصادق المجلس على الاتفاقية."

    for member in consultation.voters:  # the closing still writes the result into it
        consultation.answer(member, "for")
    assert Resolution.objects.get(pk=draft.pk).outcome == "adopted"


def test_an_answer_comes_only_while_it_takes_answers_whoever_writes_it(consultation):
    member, account = consultation.voters[0], consultation.accounts[consultation.voters[0].pk]
    session = consultation.session
    answered = {"member": member, "choice": "for", "by": account, "factor": "app", "factor_at": NOW}
    with pytest.raises(ValidationError, match="لا تقبل هذه الاستشارة أجوبة"):
        WrittenVote.objects.create(session=session, **answered)  # not yet put to the members
    with pytest.raises(DatabaseError, match="takes no answer"), transaction.atomic():
        WrittenVote.objects.bulk_create([WrittenVote(session=session, **answered)])

    written.submit(session, by=consultation.secretary)
    with time_machine.travel(CLOSES + datetime.timedelta(minutes=1), tick=False):
        written.close(Session.objects.get(pk=session.pk))
    session.refresh_from_db()
    with pytest.raises(ValidationError, match="لا تقبل هذه الاستشارة أجوبة"):
        WrittenVote.objects.create(session=session, **answered)
    with pytest.raises(DatabaseError, match="takes no answer"), transaction.atomic():
        WrittenVote.objects.bulk_create([WrittenVote(session=session, **answered)])
    assert not session.written_votes.exists()


def test_the_secretariat_withdraws_it_before_it_closes_and_the_members_are_told(consultation, client):
    session, first, second = consultation.session, consultation.voters[0], consultation.voters[1]
    written.submit(session, by=consultation.secretary)
    consultation.answer(first, "for")
    client.force_login(consultation.secretary)
    url = f"/admin/meetings/writtenconsultation/{session.pk}/"
    assert "سحبها" in visible_text(client.get(f"{url}change/"))

    asked = visible_text(client.get(f"{url}withdraw/"))  # what it does, before the button
    assert "أجاب عضو واحد لحد الآن" in asked and "يبقى رقمها محجوزا" in asked
    done = visible_text(client.post(f"{url}withdraw/", follow=True))

    assert "سحبت الاستشارة." in done
    listed = visible_text(client.get("/admin/meetings/writtenconsultation/"))
    assert "سحبت يوم 2 مارس 2026" in listed
    told = Message.objects.filter(kind=Message.Kind.WRITTEN_WITHDRAWN)
    assert sorted(told.values_list("member_id", flat=True)) == sorted(m.pk for m in consultation.voters)
    assert "سحبت الكتابة الاستشارة الكتابية «الاستشارة الكتابية الأولى برسم سنة 2026»" in told.first().text
    with pytest.raises(ValidationError, match="لا تقبل هذه الاستشارة أجوبة"):
        consultation.answer(second, "for")
    with time_machine.travel(CLOSES + datetime.timedelta(minutes=1), tick=False):
        assert written.close_when_due.call(session.pk) == "withdrawn"  # it decides nothing
        with pytest.raises(ValidationError, match="سحبت هذه الاستشارة"):
            written.close(session)
    june = factory.session(consultation.board, date=datetime.date(2026, 6, 20), ordinal=None)
    assert not Resolution.objects.open_at(june).exists()  # the next session has nothing to follow up
    assert session.written_votes.count() == 1  # the answer given stays in its history
    page = visible_text(signed_in(consultation.accounts[second.pk]).get(f"/members/sessions/{session.pk}/"))
    assert "سحبت الكتابة هذه الاستشارة يوم 2 مارس 2026: فهي لا تقرر شيئا." in page
    assert "في انتظار جوابكم الكتابي" not in visible_text(
        signed_in(consultation.accounts[second.pk]).get("/members/")
    )
    # Withdrawn, it stays withdrawn, whoever asks.
    with pytest.raises(DatabaseError, match="keeps its board, number and times"), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(cancelled_at=None)
    answered = {"member": second, "choice": "for", "by": consultation.accounts[second.pk]}
    with pytest.raises(DatabaseError, match="takes no answer"), transaction.atomic():
        WrittenVote.objects.bulk_create(
            [WrittenVote(session=session, factor="app", factor_at=NOW, **answered)]
        )


def test_once_its_time_is_up_it_is_closed_not_withdrawn(consultation):
    written.submit(consultation.session, by=consultation.secretary)
    consultation.answer(consultation.voters[0], "against")
    with time_machine.travel(CLOSES + datetime.timedelta(minutes=1), tick=False):
        with pytest.raises(ValidationError, match="انتهى أجلها"):
            written.withdraw(consultation.session, by=consultation.secretary)
        assert written.close_when_due.call(consultation.session.pk) == "rejected"
    with pytest.raises(ValidationError, match="هذه الاستشارة مغلقة سلفا"):
        written.withdraw(consultation.session, by=consultation.secretary)
