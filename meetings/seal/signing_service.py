"""The demo's remote signing service: where the president and the rapporteur sign with their own keys.

In production an accredited provider keeps each signer's key and lets it sign only after the signer's
own authentication, through the Cloud Signature Consortium API (v1), which pyHanko's
`pyhanko.sign.signers.csc_signer` speaks. Here `certomancer-csc-dummy` (by pyHanko's author) stands for
it over the demo PKI (meetings.seal.demo_pki), with what the dummy leaves out on purpose put back:

- only the persons' credentials (`demo_pki.PERSONS`, IDs `entraide/<username>`) are listed and usable:
  the institution's seal, the timestamp authority and every other key of the PKI are unknown here;
- a credential's key signs only after its PIN (authMode "explicit"), checked against the salted hash of
  the PIN file that `demo_pki.make` wrote (`demo_pki.PIN_FILE`); five wrong PINs in a row lock the
  credential until the service restarts or the file is written again;
- SCAL 2: the signature activation data (SAD) names the hashes it may sign, serves once, for
  `SAD_SECONDS`, and is signed with a secret drawn at each start of the service.

A refusal answers HTTP 400 with the CSC error body (`{"error": "invalid_request", "error_description":
"Invalid PIN"}`), and is logged. `serve_demo_pki` and the tests serve it (`start`), beside the responder,
at SIGNING_SERVICE_URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from certomancer.registry import CertomancerConfig
from csc_dummy import csc_dummy_server
from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams, GeneralServiceInfo

from . import demo_pki
from .keys import signed_digest

logger = logging.getLogger(__name__)

MAX_WRONG_PINS = 5
SAD_SECONDS = 300
INVALID_PIN = "Invalid PIN"
CREDENTIAL_LOCKED = "Credential locked"
UNKNOWN_CREDENTIAL = "Invalid parameter credentialID"
INVALID_SAD = "Invalid parameter SAD"
INVALID_HASH = "Invalid parameter hash"
PIN_INFO = {
    "presence": "true",
    "format": "N",
    "label": "PIN",
    "description": "The signer's PIN (the demo's are in README.md)",
}
SERVICE_INFO = GeneralServiceInfo(
    name="Entraide Nationale — service de signature de démonstration",
    region_code="MA",
    description="The demo's remote signing service: the approvers' personal keys, each unlocked by its PIN.",
)


def refusal(description: str, status: int = 400) -> web.Response:
    """CSC's error answer (API v1, «Error handling»)."""
    return web.json_response({"error": "invalid_request", "error_description": description}, status=status)


@dataclass(frozen=True)
class _Authorization:
    credential: str
    hashes: frozenset[str]
    expires: float


_dummys_signature = csc_dummy_server.generic_sign_prehashed


def _kept_key_signature(private_key, tbs_digest: bytes, sd_algo, digest_algorithm) -> bytes:
    """The dummy's signHash signs with this (a module function it looks up at each call): the persons'
    RSA keys read once (meetings.seal.keys), where the dummy reads the key again, with its RSA check
    (0.11 s at 3072 bits), at every signature; any other key as the dummy signs it."""
    kept = signed_digest(private_key, sd_algo.signature_algo, digest_algorithm, tbs_digest)
    return kept if kept is not None else _dummys_signature(private_key, tbs_digest, sd_algo, digest_algorithm)


csc_dummy_server.generic_sign_prehashed = _kept_key_signature


class SigningService(CSCWithCertomancer):
    """The dummy CSC server, for the persons of the demo PKI of the current settings only, behind their
    PINs. Its handlers run on one event loop: its state (wrong PINs, SADs given) needs no lock."""

    def __init__(self) -> None:
        params = DummyServiceParams(hash_pinning_required=True, sad_secret=secrets.token_bytes(32))
        # The dummy keeps its state under string keys, which aiohttp frowns on.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            super().__init__(None, svc_info=SERVICE_INFO, service_params=params)
        # Per folder, the configuration's version and Certomancer's reading of it.
        self._loaded: dict[Path, tuple[int, CertomancerConfig]] = {}
        # Wrong PINs in a row, per version of the PIN file and credential.
        self._wrong_pins: dict[tuple[Path, int, str], int] = {}
        self._given: dict[str, _Authorization] = {}
        self.register_routes()

    def register_routes(self) -> None:
        """The methods a signature needs, and no timestamping (the responder is the timestamp authority)."""
        self.app.add_routes(
            [
                web.get("/info", self.info),
                web.post("/csc/v1/info", self.info),
                web.post("/csc/v1/credentials/list", self.credentials_list),
                web.post("/csc/v1/credentials/info", self.credentials_info),
                web.post("/csc/v1/credentials/authorize", self.credentials_authorize),
                web.post("/csc/v1/signatures/signHash", self.signatures_sign_hash),
            ]
        )

    @property
    def certomancer_config(self) -> CertomancerConfig:
        """The demo PKI of the current settings, read again when its configuration changes."""
        where = demo_pki.folder()
        version = (where / demo_pki.CONFIG_FILE).stat().st_mtime_ns
        if self._loaded.get(where, (None,))[0] != version:
            config = CertomancerConfig(demo_pki.read_configuration(where), key_search_dir=str(where))
            self._loaded[where] = version, config
        return self._loaded[where][1]

    def _pins(self) -> tuple[tuple[Path, int], dict[str, dict]]:
        """The PIN file's version (a new file ends every lock) and its records, the persons' only; none
        for a PKI without the file (an earlier release's), whose keys then sign nothing here."""
        path = demo_pki.folder() / demo_pki.PIN_FILE
        if not path.exists():
            return (path, 0), {}
        version = path.stat().st_mtime_ns
        persons = {demo_pki.credential_id(label) for label in demo_pki.PERSONS}
        records = demo_pki.read_pins(path.parent)
        return (path, version), {credential: records[credential] for credential in persons & records.keys()}

    async def _served(self, request: web.Request) -> tuple[dict, str | None]:
        """The request's parameters, and its credential ID if it is one this service serves."""
        try:
            params = await request.json()
            credential = str(params["credentialID"])
        except (ValueError, KeyError, TypeError):
            return {}, None
        return params, credential if credential in self._pins()[1] else None

    async def credentials_list(self, request: web.Request) -> web.Response:
        return web.json_response({"credentialIDs": sorted(self._pins()[1])})

    async def credentials_info(self, request: web.Request) -> web.StreamResponse:
        params, credential = await self._served(request)
        if credential is None:
            logger.warning("Signing service: credentials/info refused for %r", params.get("credentialID"))
            return refusal(UNKNOWN_CREDENTIAL)
        answer = await super().credentials_info(request)
        assert isinstance(answer, web.Response) and answer.text is not None
        info = json.loads(answer.text)
        info |= {"authMode": "explicit", "PIN": PIN_INFO, "OTP": {"presence": "false"}, "SCAL": "2"}
        return web.json_response(info)

    async def credentials_authorize(self, request: web.Request) -> web.StreamResponse:
        params, credential = await self._served(request)
        if credential is None:
            logger.warning("Signing service: authorization refused for %r", params.get("credentialID"))
            return refusal(UNKNOWN_CREDENTIAL)
        hashes = params.get("hash")
        if not isinstance(hashes, list) or not hashes or not all(isinstance(h, str) for h in hashes):
            logger.warning("Signing service: authorization of %s refused: no hashes to pin", credential)
            return refusal(INVALID_HASH)
        refused = self._check_pin(credential, params.get("PIN"))
        if refused is not None:
            return refused
        answer = await super().credentials_authorize(request)
        assert isinstance(answer, web.Response) and answer.text is not None
        sad = json.loads(answer.text)["SAD"]
        now = time.monotonic()
        self._given = {key: given for key, given in self._given.items() if given.expires > now}
        self._given[sad] = _Authorization(credential, frozenset(hashes), now + SAD_SECONDS)
        return web.json_response({"SAD": sad, "expiresIn": SAD_SECONDS})

    def _check_pin(self, credential: str, pin: object) -> web.Response | None:
        """None if `pin` is the credential's PIN; else the refusal, counted."""
        (path, version), records = self._pins()
        attempts = (path, version, credential)
        if self._wrong_pins.get(attempts, 0) >= MAX_WRONG_PINS:
            logger.warning("Signing service: authorization of %s refused: locked", credential)
            return refusal(CREDENTIAL_LOCKED)
        if isinstance(pin, str) and demo_pki.pin_matches(records[credential], pin):
            self._wrong_pins.pop(attempts, None)
            return None
        self._wrong_pins[attempts] = wrong = self._wrong_pins.get(attempts, 0) + 1
        logger.warning(
            "Signing service: authorization of %s refused: wrong or missing PIN (%d of %d before the lock)",
            credential,
            wrong,
            MAX_WRONG_PINS,
        )
        return refusal(INVALID_PIN)

    async def signatures_sign_hash(self, request: web.Request) -> web.StreamResponse:
        params, credential = await self._served(request)
        if credential is None:
            logger.warning("Signing service: signHash refused for %r", params.get("credentialID"))
            return refusal(UNKNOWN_CREDENTIAL)
        # A SAD signs once, before it expires, for its credential and the hashes it was given for.
        given = self._given.pop(str(params.get("SAD")), None)
        if given is None or given.credential != credential or given.expires < time.monotonic():
            logger.warning("Signing service: signHash of %s refused: no valid SAD", credential)
            return refusal(INVALID_SAD)
        hashes = params.get("hash")
        if not isinstance(hashes, list) or not hashes or not set(map(str, hashes)) <= given.hashes:
            logger.warning("Signing service: signHash of %s refused: hashes not authorized", credential)
            return refusal(INVALID_HASH)
        return await super().signatures_sign_hash(request)


class ServiceThread:
    """The signing service on `host`:`port` (0: a free one), served by a thread of its own running an
    asyncio loop; listening once made (an address in use raises here)."""

    def __init__(self, host: str, port: int, *, quiet: bool = False) -> None:
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(SigningService().app, access_log=None if quiet else web.access_logger)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, host, port).start())
        self.host, self.port = host, self._runner.addresses[0][1]
        self._thread = threading.Thread(target=self._loop.run_forever, name="signing-service", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def start(host: str, port: int, *, quiet: bool = False) -> ServiceThread:
    """The demo signing service, answering in a thread of this process."""
    return ServiceThread(host, port, quiet=quiet)
