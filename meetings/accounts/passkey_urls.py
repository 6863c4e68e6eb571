"""django-otp-webauthn's addresses (its namespace, `otp_webauthn`), the two that complete a ceremony
replaced by views that note the factor as given (meetings.accounts.second_factor.given)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn.views import BeginCredentialAuthenticationView, BeginCredentialRegistrationView

from .second_factor import PasskeyCreated, PasskeyUsed

app_name = "otp_webauthn"
urlpatterns = [
    path(
        "registration/begin/", BeginCredentialRegistrationView.as_view(), name="credential-registration-begin"
    ),
    path("registration/complete/", PasskeyCreated.as_view(), name="credential-registration-complete"),
    path(
        "authentication/begin/",
        BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path("authentication/complete/", PasskeyUsed.as_view(), name="credential-authentication-complete"),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
