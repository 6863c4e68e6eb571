"""Only the persons approve: the attacks of a hostile secretariat on the approvals, each tried as it was
on the landed code (issue 24), each refused now, with its trace in the duties' log.

- the takeover through a member's contact address and «forgotten your password?»;
- a session opened before its account was given an approving seat, or staff status;
- an approval without a second factor given for it;
- a second factor removed or added by someone else than the person and an administrator;
- the admin's refusals said on the form, never a 500.
(The deletes as the application's database role: tests/meetings/test_history_only_grows.py.)
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission, User
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meetings.models import DutyLog, Member, Membership, Message
from meetings.models.duties import acting_user
from tests import factory
from tests.client import Client
from tests.mail import run_the_tasks
from tests.members import admin_form, cast, confirmed, page, users_app_code
from tests.pages import visible_text

pytestmark = pytest.mark.django_db

MEMBER_PASSWORD = "m3mber-pass!"  # factory.user_for's
SECRETARIAT_MAILBOX = "secretariat.box@example.com"
STEP = "/account/second-factor/"
SEND_PASSWORD_LINK = "meetings.accounts.invitations.send_password_link"


def signs_in(username: str, password: str = MEMBER_PASSWORD) -> Client:
    client = Client()
    client.post("/members/login/", {"username": username, "password": password})
    return client


def log(kind: str) -> list[str]:
    return list(DutyLog.objects.filter(kind=kind).values_list("detail", flat=True))


# The takeover through a member's contact address


def test_a_reset_asked_at_a_contact_address_the_secretariat_set_sends_nothing():
    people = cast()
    secretary = factory.secretariat_user()
    browser = Client()
    browser.force_login(secretary)
    president = people.president.member
    url = f"/admin/meetings/member/{president.pk}/change/"
    form = admin_form(browser, url, "member_form")

    changed = browser.post(url, {**form, "email": SECRETARIAT_MAILBOX})  # allowed: it keeps contacts
    asked = Client().post("/account/password/", {"email": SECRETARIAT_MAILBOX})
    run_the_tasks(SEND_PASSWORD_LINK)

    assert changed.status_code == 302
    assert asked.status_code == 302 and asked.url == "/account/password/sent/"  # says the same as always
    assert not Message.objects.filter(kind=Message.Kind.PASSWORD_RESET).exists()
    assert log(DutyLog.Kind.CONTACT) == [f"عنوان التواصل: من — إلى {SECRETARIAT_MAILBOX}"]
    assert DutyLog.objects.get(kind=DutyLog.Kind.CONTACT).by == secretary


def test_the_secretariat_reaches_no_account_nor_second_factor_in_the_admin():
    people = cast()
    browser = Client()
    browser.force_login(factory.secretariat_user())
    account = people.president

    assert browser.get(f"/admin/auth/user/{account.pk}/change/").status_code == 403
    assert (
        browser.post(f"/admin/auth/user/{account.pk}/change/", {"email": SECRETARIAT_MAILBOX}).status_code
        == 403
    )
    assert browser.get("/admin/otp_totp/totpdevice/").status_code == 403
    assert browser.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    account.refresh_from_db()
    assert account.email == ""


def test_the_secretariat_sees_whether_an_approver_has_a_second_factor_and_changes_none_of_it():
    people = cast()
    browser = Client()
    browser.force_login(factory.secretariat_user())
    president = people.president.member

    text = visible_text(browser.get(f"/admin/meetings/member/{president.pk}/change/"))

    assert f"الحساب «{people.president.username}»" in text
    assert "عامل التحقق الثاني: لم يُسجَّل أي عامل." in text
    assert "لا يمكنه المصادقة حتى يسجل صاحبه عاملا عند الدخول." in text


def test_a_change_of_the_sign_in_address_is_told_to_the_old_one_and_logged():
    people = cast()
    account = people.president
    User.objects.filter(pk=account.pk).update(email="benyahia@entraide.ma")
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)
    url = f"/admin/auth/user/{account.pk}/change/"

    browser.post(url, {**admin_form(browser, url, "user_form"), "email": "nouvelle@entraide.ma"})

    account.refresh_from_db()
    assert account.email == "nouvelle@entraide.ma"
    (notice,) = Message.objects.filter(kind=Message.Kind.ACCOUNT_CHANGED)
    assert notice.address == "benyahia@entraide.ma"
    assert "عنوان الدخول: من benyahia@entraide.ma إلى nouvelle@entraide.ma" in notice.text
    assert DutyLog.objects.get(kind=DutyLog.Kind.SIGN_IN).by == admin


def test_the_secretariat_cannot_set_a_sign_in_address_even_past_the_admin():
    people = cast()
    secretary = factory.secretariat_user()
    browser = Client()
    browser.force_login(secretary)
    account = people.president
    token = acting_user.set(secretary)  # the request's user, as the middleware sets it
    try:
        account.email = SECRETARIAT_MAILBOX
        with pytest.raises(Exception, match="مسؤول النظام"):
            account.save()
    finally:
        acting_user.reset(token)
    assert User.objects.get(pk=account.pk).email == ""
    assert "لا يحدد عنوان الدخول إلى حساب إلا مسؤول النظام." in log(DutyLog.Kind.REFUSED)


def test_a_reset_keeps_the_second_factor():
    people = cast()
    account = people.president
    User.objects.filter(pk=account.pk).update(email="benyahia@entraide.ma")
    TOTPDevice.objects.create(user=account, name="app", confirmed=True)
    Client().post("/account/password/", {"email": "benyahia@entraide.ma"})
    run_the_tasks(SEND_PASSWORD_LINK)
    link = re.search(
        r"/account/password/[^/\s]+/[^/\s]+/", Message.objects.get(kind=Message.Kind.PASSWORD_RESET).text
    ).group(0)
    chooser = Client()
    form = chooser.get(link, follow=True)
    new = "Nouveau-mot-2026!"
    chooser.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    after = signs_in(account.username, new)
    step = after.get("/members/", follow=True)

    assert step.redirect_chain[-1][0] == f"{STEP}?next=/members/"
    assert "أدخلوا الرمز الذي يعرضه تطبيق المصادقة الآن" in visible_text(step)  # asked, not enrolled anew
    assert TOTPDevice.objects.filter(user=account, confirmed=True).exists()
    assert log(DutyLog.Kind.PASSWORD) == ["اختيرت كلمة المرور عبر الرابط المرسل إلى benyahia@entraide.ma"]


# A kept session


def test_a_session_opened_before_an_approving_seat_gives_the_second_factor_before_approving():
    people = cast()
    plain = people.member
    kept = signs_in(plain.username)
    assert kept.get(page(people.session)).status_code == 200  # a plain member: no second factor

    seat = Membership.objects.get(board=people.session.board, member=people.president.member)
    seat.member = plain.member  # the secretariat gives the president's seat to the plain member
    seat.save()
    tried = kept.post(f"{page(people.session)}approve/", {"confirm": "on"})

    assert tried.status_code == 302 and tried.url.startswith(f"{STEP}?next=")
    assert kept.get("/members/").url == f"{STEP}?next=/members/"
    assert not people.minutes.approvals.exists()


def test_a_session_opened_before_staff_status_gives_the_second_factor_before_the_admin():
    account = factory.user_for(factory.member())
    kept = signs_in(account.username)
    assert kept.get("/members/").status_code == 200

    User.objects.filter(pk=account.pk).update(is_staff=True)

    assert kept.get("/admin/").url == f"{STEP}?next=/admin/"


def test_giving_the_second_factor_changes_the_session_key():
    account = factory.secretariat_user()
    browser = Client()
    browser.post("/admin/login/", {"username": account.username, "password": "s3cret-pass!"})
    before = browser.cookies["sessionid"].value
    device = TOTPDevice.objects.create(user=account, name="app", confirmed=True)

    browser.post(STEP, {"code": users_app_code(device.user)})

    assert browser.get("/admin/").status_code == 200
    assert browser.cookies["sessionid"].value != before


# Each approval with its own second factor


def test_an_approval_asks_for_the_second_factor_again_and_records_it():
    people = cast()
    president = Client()
    president.force_login(people.president)  # signed in with the second factor a while ago
    approve = f"{page(people.session)}approve/"

    without = president.post(approve, {"confirm": "on"}, follow=True)
    wrong = president.post(approve, {"confirm": "on", "code": "000000"}, follow=True)

    assert "أدخلوا الرمز الذي يعرضه تطبيق المصادقة الآن، أو استعملوا مفتاح المرور" in visible_text(without)
    assert "هذا الرمز غير صحيح" in visible_text(wrong)
    assert not people.minutes.approvals.exists()

    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):  # past the pause the wrong code started
        done = president.post(approve, confirmed(people.president), follow=True)

    assert "توقيعكم على المحضر: سُجلت مصادقتكم." in visible_text(done)
    (approval,) = people.minutes.approvals.all()
    assert (approval.factor, approval.factor_at) == ("app", later)


def test_a_recovery_code_opens_the_account_but_gives_no_approval():
    people = cast()
    president = Client()
    president.force_login(people.president)
    recovery = StaticDevice.objects.create(user=people.president, name="codes", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd2345")

    refused = president.post(
        f"{page(people.session)}approve/", {"confirm": "on", "code": "abcd2345"}, follow=True
    )

    assert "هذا الرمز غير صحيح" in visible_text(refused)
    assert not people.minutes.approvals.exists()
    assert StaticToken.objects.filter(token="abcd2345").exists()  # not spent either


def test_the_approval_is_shown_with_the_factor_it_was_given_with_in_the_admin(client):
    people = cast()
    signed_in = Client()
    signed_in.force_login(people.president)
    signed_in.post(f"{page(people.session)}approve/", confirmed(people.president))
    client.force_login(factory.secretariat_user())

    text = visible_text(client.get(f"/admin/meetings/minutes/{people.minutes.pk}/change/"))

    assert "تطبيق المصادقة" in text


# Second factors: the person's and the administrators'


def test_an_administrator_removes_a_lost_second_factor_and_the_person_is_told():
    people = cast()
    account = people.president
    User.objects.filter(pk=account.pk).update(email="benyahia@entraide.ma")
    device = TOTPDevice.objects.create(user=account, name="app", confirmed=True)
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)

    browser.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    (notice,) = Message.objects.filter(kind=Message.Kind.ACCOUNT_CHANGED)
    assert notice.address == "benyahia@entraide.ma"
    assert "أزال مسؤول النظام عامل التحقق الثاني" in notice.text
    entry = DutyLog.objects.get(kind=DutyLog.Kind.FACTOR, detail__contains="أزيل")
    assert (entry.by, entry.account) == (admin, account)


def test_nobody_but_the_person_enrols_a_second_factor_in_the_admin():
    people = cast()
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)
    device = TOTPDevice.objects.create(user=people.president, name="app", confirmed=True)

    assert browser.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    page_of_device = browser.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page_of_device  # its key, from which its codes are computed, is never shown


# Refusals said, never a 500


def test_making_the_president_staff_is_refused_on_the_form_and_logged():
    people = cast()
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)
    url = f"/admin/auth/user/{people.president.pk}/change/"

    refused = browser.post(url, {**admin_form(browser, url, "user_form"), "is_staff": "on"})

    assert refused.status_code == 200
    assert "لا يمكن أن يكون حساب الكتابة أو حساب مسؤول النظام حسابا لرئيس المجلس أو لمقرره" in visible_text(
        refused
    )
    assert not User.objects.get(pk=people.president.pk).is_staff
    assert DutyLog.objects.filter(kind=DutyLog.Kind.REFUSED, account=people.president).exists()


def test_every_change_of_an_account_is_in_the_history_with_who_did_it():
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)
    browser.post(
        "/admin/auth/user/add/",
        {"username": "amina", "email": "amina@entraide.ma"},
    )
    amina = User.objects.get(username="amina")
    member = Member.objects.create(name_ar="أمينة")
    url = f"/admin/meetings/member/{member.pk}/change/"
    form = admin_form(browser, url, "member_form")
    browser.post(url, {**form, "user": str(amina.pk)})

    entries = DutyLog.objects.filter(account=amina) | DutyLog.objects.filter(member=member)
    kinds = set(entries.values_list("kind", flat=True))
    assert {DutyLog.Kind.STANDING, DutyLog.Kind.ACCOUNT} <= kinds
    assert set(entries.values_list("by", flat=True)) == {admin.pk}
    assert "عنوان الدخول: amina@entraide.ma" in " ".join(entries.values_list("detail", flat=True))


def test_giving_a_group_of_the_president_the_secretariats_permission_is_refused_on_the_form():
    people = cast()
    group = Group.objects.create(name="lecteurs")
    people.president.groups.add(group)
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)
    manage = Permission.objects.get(codename="manage_minutes")

    refused = browser.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": "lecteurs", "permissions": [manage.pk]}
    )

    assert refused.status_code == 200
    assert "لا يمكن أن يكون حساب الكتابة أو حساب مسؤول النظام حسابا لرئيس المجلس أو لمقرره" in visible_text(
        refused
    )
    assert not group.permissions.exists()


def test_an_administrator_opens_an_account_whose_person_chooses_the_password():
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    browser = Client()
    browser.force_login(admin)

    browser.post("/admin/auth/user/add/", {"username": "amina", "email": "amina@entraide.ma"})

    amina = User.objects.get(username="amina")
    assert not amina.has_usable_password()
    (welcome,) = Message.objects.filter(kind=Message.Kind.INVITATION)
    assert welcome.address == "amina@entraide.ma" and "/account/password/" in welcome.text


def test_an_administrator_never_types_another_persons_password():
    people = cast()
    browser = Client()
    browser.force_login(User.objects.create_superuser("it", password="it-pass-123456"))
    url = f"/admin/auth/user/{people.president.pk}/password/"

    refused = browser.post(url, {"password1": "Choisi-par-it-2026", "password2": "Choisi-par-it-2026"})

    assert refused.status_code == 403
    assert "لا أحد يكتب كلمة مرور غيره" in visible_text(refused)
    assert User.objects.get(pk=people.president.pk).check_password(MEMBER_PASSWORD)
