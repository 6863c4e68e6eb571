// The second-factor page, at enrolment: once django-otp-webauthn's button has registered a passkey (its
// `otp_webauthn.register_complete` event), the page is asked again and goes on, to the recovery codes.
"use strict";
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
