"""Nobody types another person's password: an administrator invites a member by e-mail and the member
chooses theirs; whoever forgot theirs gets a one-time link at their address. The messages go through the
task queue to a real SMTP server; the secretariat's list of messages never shows their links."""

import re
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User

from meetings.accounts.invitations import invite
from meetings.models import Member, Message
from meetings.models.duties import acting_user
from tests import factory
from tests.client import Client
from tests.database import put_back_migrated_rows
from tests.mail import run_the_tasks, subject, text_part, work_the_queue
from tests.pages import visible_text

# The task queue's real worker runs in the tests (work_the_queue): it opens and closes its own connections,
# which a test transaction would not survive on PostgreSQL.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _migrated_rows_put_back(django_db_blocker) -> Iterator[None]:
    """The tests that run after these on the same worker find the migrations' rows (tests/database.py)."""
    yield
    with django_db_blocker.unblock():
        put_back_migrated_rows()


LINK = re.compile(r"http://127\.0\.0\.1:8000(/(?:fr/)?account/password/[^/\s]+/[^/\s]+/)")


def the_link(message) -> str:
    return LINK.search(text_part(message)).group(1)


def chooses(client: Client, link: str, password: str):
    """Follows the link (Django swaps the token for a session key, then shows the form) and saves."""
    form_page = client.get(link, follow=True)
    if not form_page.redirect_chain:
        return form_page  # a spent or stale link: no form
    data = {"new_password1": password, "new_password2": password}
    return client.post(form_page.redirect_chain[-1][0], data, follow=True)


@pytest.fixture
def administrator(client) -> User:
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    client.force_login(admin)
    return admin


def test_an_invited_member_chooses_their_password_and_signs_in(client, administrator, mail_server):
    member = factory.member(name_ar="أمينة الإدريسي", email="amina.idrissi@entraide.ma")

    response = client.post(
        "/admin/meetings/member/",
        {"action": "invite", "_selected_action": [member.pk], "confirm": "yes"},
        follow=True,
    )

    assert "أمينة الإدريسي" in visible_text(response)
    member.refresh_from_db()
    assert member.user.username == "amina.idrissi" and not member.user.has_usable_password()
    work_the_queue()
    (message,) = mail_server.inbox.to("amina.idrissi@entraide.ma")
    assert subject(message) == "حسابكم على موقع المجلس"
    assert "اسم المستخدم: amina.idrissi" in text_part(message)

    newcomer = Client()
    chosen = chooses(newcomer, the_link(message), "Rabat-2026-conseil!")
    assert "حُفظت كلمة المرور" in visible_text(chosen)
    signed_in = newcomer.post(
        "/members/login/", {"username": "amina.idrissi", "password": "Rabat-2026-conseil!"}
    )
    assert signed_in.status_code == 302
    spent = chooses(Client(), the_link(message), "Another-pass-2026!")
    assert "سبق استعمال هذا الرابط، أو مضى عليه أكثر من يومين." in visible_text(spent)
    assert User.objects.get(username="amina.idrissi").check_password("Rabat-2026-conseil!")


def test_the_invitation_shows_each_sign_in_address_and_who_changed_it_last_before_sending(
    client, administrator
):
    member = factory.member(name_ar="أمينة الإدريسي", email="amina.idrissi@entraide.ma")
    secretary = factory.secretariat_user()
    token = acting_user.set(secretary)
    try:
        member.email = "amina@elsewhere.example"  # the secretariat keeps the contact addresses
        member.save()
    finally:
        acting_user.reset(token)

    asked = client.post("/admin/meetings/member/", {"action": "invite", "_selected_action": [member.pk]})

    text = visible_text(asked)
    assert "amina@elsewhere.example" in text and secretary.username in text
    assert "تحققوا من كل عنوان مع صاحبه قبل الدعوة" in text
    assert Member.objects.get(pk=member.pk).user is None
    assert not Message.objects.filter(kind=Message.Kind.INVITATION).exists()


def test_only_an_administrator_invites(client):
    member = factory.member(email="someone@entraide.ma")
    client.force_login(factory.secretariat_user())

    client.post("/admin/meetings/member/", {"action": "invite", "_selected_action": [member.pk]})

    assert Member.objects.get(pk=member.pk).user is None
    assert not Message.objects.filter(kind=Message.Kind.INVITATION).exists()


def test_a_member_without_address_or_with_an_account_is_not_invited(client, administrator):
    nowhere = factory.member(name_ar="بدون عنوان")
    factory.user_for(already := factory.member(name_ar="له حساب", email="has@entraide.ma"))

    response = client.post(
        "/admin/meetings/member/",
        {"action": "invite", "_selected_action": [nowhere.pk, already.pk], "confirm": "yes"},
        follow=True,
    )

    text = visible_text(response)
    assert "ليس لدى بدون عنوان عنوان بريد إلكتروني لدعوته." in text
    assert "لدى له حساب حساب من قبل." in text
    assert not Message.objects.filter(kind=Message.Kind.INVITATION).exists()


def test_a_forgotten_password_is_chosen_again_from_a_link_sent_to_the_accounts_address(client, mail_server):
    user = factory.user_for(factory.member(email="contact@entraide.ma", language="fr"), "rachidi")
    user.email = "rachidi@entraide.ma"  # the sign-in address, an administrator's to set
    user.save()

    asked = client.post("/account/password/", {"email": "RACHIDI@entraide.ma"})

    assert asked.status_code == 302
    work_the_queue()
    (message,) = mail_server.inbox.to("rachidi@entraide.ma")
    assert subject(message) == "Choisir un nouveau mot de passe"  # in the member's language
    chooses(Client(), the_link(message), "Nouveau-mot-2026!")
    user.refresh_from_db()
    assert user.check_password("Nouveau-mot-2026!")


def test_asking_for_an_unknown_address_looks_the_same_and_sends_nothing(client, mail_server):
    known = client.post("/account/password/", {"email": "nobody@entraide.ma"})

    assert known.status_code == 302 and known.url == "/account/password/sent/"
    work_the_queue()
    assert mail_server.inbox.received == []


def test_the_secretariat_does_not_read_the_link_in_the_list_of_messages(client, mail_server):
    User.objects.filter(pk=factory.user_for(factory.member(), "rachidi").pk).update(
        email="rachidi@entraide.ma"
    )
    client.post("/account/password/", {"email": "rachidi@entraide.ma"})
    run_the_tasks("meetings.accounts.invitations.send_password_link")
    message = Message.objects.get(kind=Message.Kind.PASSWORD_RESET)
    client.force_login(factory.secretariat_user())

    page = client.get(f"/admin/meetings/message/{message.pk}/change/").content.decode()

    assert "account/password/" not in page
    assert "لا يُعرض: فيه رابط المستلم لاختيار كلمة المرور." in page


def test_the_admin_login_offers_the_reset(client):
    page = client.get("/admin/login/")

    assert 'href="/admin/password_reset/"' in page.content.decode()
    assert client.get("/admin/password_reset/").url == "/account/password/"


def test_an_invited_member_whose_link_expired_asks_for_a_new_one(client, mail_server):
    member = factory.member(name_ar="أمينة الإدريسي", email="amina.idrissi@entraide.ma")
    invite(member)  # the member never followed the invitation's link, void after two days
    work_the_queue()

    client.post("/account/password/", {"email": "amina.idrissi@entraide.ma"})

    work_the_queue()
    invitation, new_link = mail_server.inbox.to("amina.idrissi@entraide.ma")
    assert subject(new_link) == "اختيار كلمة مرور جديدة"
    chooses(Client(), the_link(new_link), "Rabat-2026-conseil!")
    assert User.objects.get(username="amina.idrissi").check_password("Rabat-2026-conseil!")
