"""The strings of django-otp-webauthn that reach the Arabic and French pages (its admin's names, the
errors its passkey buttons show), which the package translates into neither language. Listed here so
that makemessages puts them in the project's catalog (LOCALE_PATHS), which Django reads for every app."""

from django.utils.translation import gettext_noop

PASSKEY_PACKAGE_STRINGS = [
    gettext_noop("AAGUID"),
    gettext_noop("Authentication required."),
    gettext_noop("COSE public key"),
    gettext_noop("COSE public key data"),
    gettext_noop("Error processing WebAuthn request."),
    gettext_noop("Identity"),
    gettext_noop("Malformed request. JSON not parsable."),
    gettext_noop("Meta"),
    gettext_noop("OTP WebAuthn"),
    gettext_noop("Passwordless login is disabled."),
    gettext_noop("Public Key"),
    gettext_noop(
        "State is missing or invalid. Please begin the operation first before trying to complete it."
    ),
    gettext_noop(
        "The Passkey you tried to use does not belong to the currently logged-in user. Try using a different Passkey or logout first to use this Passkey."
    ),
    gettext_noop("The Passkey you tried to use was not found. Perhaps it was removed?"),
    gettext_noop("This Passkey has been marked as disabled."),
    gettext_noop("This user account is marked as disabled."),
    gettext_noop("Unprocessable Entity"),
    gettext_noop("User is not verified."),
    gettext_noop("WebAuthn attestation"),
    gettext_noop("WebAuthn attestations"),
    gettext_noop("WebAuthn credential"),
    gettext_noop("WebAuthn credential data"),
    gettext_noop("WebAuthn credentials"),
    gettext_noop("WebAuthn user handle"),
    gettext_noop("WebAuthn user handles"),
    gettext_noop(
        "You must verify your identity first with an existing MFA device before you can register a new passkey."
    ),
    gettext_noop("backup eligible"),
    gettext_noop("backup state"),
    gettext_noop("client data JSON"),
    gettext_noop("credential"),
    gettext_noop("credential id data"),
    gettext_noop("credential type"),
    gettext_noop("data"),
    gettext_noop("discoverable"),
    gettext_noop("format"),
    gettext_noop("handle hex"),
    gettext_noop("hashed credential id"),
    gettext_noop("sign count"),
    gettext_noop("transports"),
]
