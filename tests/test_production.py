"""Safe in production by default: the demo and its certificate refused, and the documented production
settings pass Django's deployment check without a warning."""

import pytest
from django.test import override_settings

from meetings.seal.signing import SigningNotConfigured, load_signer
from tests.processes import manage

# The production environment the README documents (its «Production» section), with test values.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k8#Qw2v!Zr7$Lp4@Nx9^Tb6&Hm3*Jc5(Yd1)Fs0-Gu8=Ea2+Vo7",
    "ALLOWED_HOSTS": "conseil.entraide.ma",
    "SITE_URL": "https://conseil.entraide.ma",
    "CSRF_TRUSTED_ORIGINS": "https://conseil.entraide.ma",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
}


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_the_documented_production_settings_pass_the_deployment_check():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_without_the_https_redirect_the_deployment_check_warns():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_SSL_REDIRECT="0")

    assert done.returncode != 0
    assert "security.W008" in done.stderr


@pytest.mark.slow  # an interpreter of its own (make test-all)
@pytest.mark.parametrize("command", ["load_demo", "init_signing"])
def test_the_demo_is_refused_on_a_production_server(command, tmp_path):
    done = manage(command, **PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert done.returncode != 0
    assert "is for development and demonstration servers only" in done.stderr
    assert "DEBUG=1" in done.stderr and "DEMO_ALLOWED=1" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_demo_certificate_does_not_sign_in_production(settings):
    load_signer()  # the tests' demo certificate signs where the demo is allowed

    with override_settings(DEMO_ALLOWED=False), pytest.raises(SigningNotConfigured, match="demo certificate"):
        load_signer()
