"""The passkeys in the admin (django-otp-webauthn ships their admin class without registering it): an
administrator deletes a colleague's lost passkey, and the next sign-in enrols again."""

from django.contrib import admin
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

admin.site.register(WebAuthnCredential, WebAuthnCredentialAdmin)
