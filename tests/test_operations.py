"""What the operators of a production server rely on: sign-ins that resist guessing, a health check for
the load balancer, every server error in the log with its request's id, and a database outage told
plainly (503, in the page's language) rather than as a server error."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from tests import factory
from tests.client import Client
from tests.pages import visible_text
from tests.processes import start

pytestmark = pytest.mark.django_db

PASSWORD = "m3mber-pass!"  # factory.user_for's


def sign_in(client, url: str, username: str, password: str):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.parametrize("login", ["/members/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_sign_in_even_with_the_right_one(client, login):
    user = factory.user_for(factory.member(), "benyahia")
    if login.startswith("/admin/"):
        user.is_staff = True
        user.save()

    wrong = [sign_in(client, login, "benyahia", f"guess-{n}").status_code for n in range(5)]
    right = sign_in(client, login, "benyahia", PASSWORD)

    assert wrong[:4] == [200, 200, 200, 200]  # the form again, with its error
    assert right.status_code == 429
    assert right["Retry-After"] == "900"  # the 15 minutes of the lock
    assert "أُدخلت كلمات مرور خاطئة كثيرة لهذا الحساب من هذا العنوان" in visible_text(right)
    assert "_auth_user_id" not in client.session


def test_the_lock_is_said_in_french_on_the_french_page(client):
    factory.user_for(factory.member(), "rachidi")
    for n in range(5):
        sign_in(client, "/fr/members/login/", "rachidi", f"guess-{n}")

    locked = sign_in(client, "/fr/members/login/", "rachidi", PASSWORD)

    assert locked.status_code == 429
    assert "Trop de mots de passe erronés ont été saisis pour ce compte" in visible_text(locked)


def test_another_address_or_account_is_not_locked_out_by_a_stranger(client):
    factory.user_for(factory.member(), "benyahia")
    for n in range(5):
        sign_in(client, "/members/login/", "benyahia", f"guess-{n}")

    from_elsewhere = client.post(
        "/members/login/", {"username": "benyahia", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )

    assert from_elsewhere.status_code == 302  # the president still signs in from her own desk


def test_an_administrator_lifts_the_lock(client):
    factory.user_for(factory.member(), "benyahia")
    for n in range(5):
        sign_in(client, "/members/login/", "benyahia", f"guess-{n}")

    call_command("axes_reset_username", "benyahia")

    assert sign_in(client, "/members/login/", "benyahia", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client):
    factory.user_for(factory.member(), "benyahia")
    for n in range(4):
        sign_in(client, "/members/login/", "benyahia", f"guess-{n}")
    assert sign_in(client, "/members/login/", "benyahia", PASSWORD).status_code == 302
    client.logout()

    for n in range(4):
        sign_in(client, "/members/login/", "benyahia", f"guess-again-{n}")

    assert sign_in(client, "/members/login/", "benyahia", PASSWORD).status_code == 302


def test_the_administrator_sees_the_failed_sign_ins_in_the_admin(client):
    factory.user_for(factory.member(), "benyahia")
    sign_in(client, "/members/login/", "benyahia", "guess")
    admin = User.objects.create_superuser("it", password="it-pass-123456")
    client.force_login(admin)

    page = visible_text(client.get("/admin/axes/accessattempt/"))

    assert "benyahia" in page


def test_the_health_check_says_the_database_and_the_storage_answer(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert set(json.loads(response.content)) == {
        "Database(alias='default')",
        "Storage(alias='default')",
        "Cache(alias='default')",
    }


def test_the_health_check_fails_when_files_cannot_be_stored(client, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked

    assert client.get("/health/", HTTP_ACCEPT="application/json").status_code == 500


# Pages requested from a fresh interpreter whose database is a PostgreSQL server that does not answer
# (nothing listens on port 9): every query fails as during an outage.
OUTAGE = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
for url in ("/", "/fr/sessions/2025/2/", "/health/"):
    response = client.get(url, HTTP_X_REQUEST_ID="req-" + url.strip("/").replace("/", "-"))
    print(url, response.status_code, response.get("Retry-After"), response.content.decode()[:2000].replace("\\n", " "))
"""


def outage(log_format: str):
    return start(
        OUTAGE,
        DATABASE_URL="postgres://entraide@127.0.0.1:9/entraide",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        LOG_FORMAT=log_format,
    )


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_a_database_outage_answers_503_in_the_pages_language_and_is_logged_with_the_request_id():
    done = outage("text")

    pages = {line.split(" ", 1)[0]: line for line in done.stdout.splitlines()}
    assert pages["/"].startswith("/ 503 60 ")
    assert "الخدمة غير متاحة مؤقتا" in pages["/"]
    assert pages["/fr/sessions/2025/2/"].startswith("/fr/sessions/2025/2/ 503 60 ")
    assert "Service momentanément indisponible" in pages["/fr/sessions/2025/2/"]
    assert pages["/health/"].startswith("/health/ 500 ")
    errors = [line for line in done.stderr.splitlines() if " ERROR " in line]
    assert any("[req-]" in line and "Service Unavailable: /" in line for line in errors), done.stderr[-3000:]
    assert "OperationalError" in done.stderr  # the traceback is in the log, never on the page
    assert "Traceback" not in done.stdout


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_the_log_can_be_json_one_object_per_line():
    done = outage("json")

    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    failed = [
        r for r in records if r.get("level") == "ERROR" and r.get("request_id") == "req-fr-sessions-2025-2"
    ]
    assert failed, done.stderr[-3000:]
    assert "OperationalError" in failed[0]["exc_info"]


@pytest.mark.parametrize(
    "page, said",
    [("/members/login/", "انتهت صلاحية الاستمارة"), ("/fr/members/login/", "Le formulaire a expiré")],
)
def test_a_form_sent_without_its_token_is_told_in_the_readers_language(page, said):
    browser = Client(enforce_csrf_checks=True)

    refused = browser.post(page, {"username": "rachidi", "password": PASSWORD})

    assert refused.status_code == 403
    assert said in visible_text(refused)
    assert "style=" not in refused.content.decode()  # nothing the Content-Security-Policy would block
    assert "style-src 'self'" in refused["Content-Security-Policy"]


def test_a_reset_asked_for_a_known_or_an_unknown_address_does_the_same_work(
    client, django_assert_num_queries
):
    User.objects.create_user("rachidi", email="rachidi@entraide.ma")
    asked = {}
    for address in ("rachidi@entraide.ma", "nobody@entraide.ma"):
        with django_assert_num_queries(1) as captured:  # the task it queues, whoever asks
            asked[address] = client.post("/account/password/", {"email": address})
        assert "dbtaskresult" in captured.captured_queries[0]["sql"]

    assert {a.status_code for a in asked.values()} == {302}
    assert asked["rachidi@entraide.ma"].url == asked["nobody@entraide.ma"].url
