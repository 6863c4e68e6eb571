"""The accounts of the people who sign in: their invitation and the recovery of a password
(`invitations`), what happens to an account kept and told (`history`), the second factor and its passkeys
(`second_factor`, `passkey_urls`), the middleware that asks for it and names who acts (`middleware`), and
the strings of django-otp-webauthn the project translates (`package_strings`).

It imports the models, `meetings.qr_code` and the delivery of messages (`meetings.convocation.delivery`);
the minutes import its second factor, never the reverse."""
