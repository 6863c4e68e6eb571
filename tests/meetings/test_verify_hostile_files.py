"""Verifying hostile files: PDF bombs (a stream inflating to 1 GiB, nesting, loops) end within the time limit
without being found valid, and a check that outlasts its limit answers "timeout".
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from meetings.seal.signing import MAX_VERIFY_BYTES, VERIFY_TIMEOUT_SECONDS, Status, verify_pdf
from tests.processes import PROJECT, until
from tests.signing import xref_stream_bomb

# Signed with the signing files of tests/meetings/conftest.py, checked against their trust roots.
pytestmark = pytest.mark.usefixtures("signing_settings")


# Hostile files


def _classic_pdf(objects: dict[int, bytes], trailer: bytes) -> bytes:
    """A PDF with a cross-reference table, from object bodies by number."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets.get(number, 0) for number in range(1, size))
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


PAGES = {
    2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
}
BOMBS = {
    "inflating to 1 GiB": xref_stream_bomb,
    "nested 100 000 arrays deep": lambda: _classic_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields %s >> >>"
            % (b"[" * 100_000 + b"]" * 100_000)
        }
        | PAGES,
        b"<< /Size 4 /Root 1 0 R >>",
    ),
    "a field that is its own kid": lambda: _classic_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"}
        | PAGES
        | {4: b"<< /FT /Sig /T (a) /Kids [4 0 R] >>"},
        b"<< /Size 5 /Root 1 0 R >>",
    ),
    "references that point at each other": lambda: _classic_pdf(
        {1: b"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>"} | PAGES | {4: b"5 0 R", 5: b"4 0 R"},
        b"<< /Size 6 /Root 1 0 R >>",
    ),
}


@pytest.mark.parametrize("make", BOMBS.values(), ids=BOMBS.keys())
def test_a_pdf_bomb_ends_within_the_time_limit_without_being_valid(make):
    bomb = make()
    assert len(bomb) < MAX_VERIFY_BYTES
    started = time.monotonic()

    result = verify_pdf(bomb)

    assert time.monotonic() - started < VERIFY_TIMEOUT_SECONDS + 5
    assert result.status in {Status.UNREADABLE, Status.TIMEOUT}, result


def test_a_check_that_outlasts_its_time_limit_answers_timeout(minutes):
    assert verify_pdf(minutes["signed"], timeout=0.05).status == Status.TIMEOUT


# Where the checks run


@pytest.mark.slow  # an interpreter of its own (make test-all)
def test_a_check_asked_from_any_script_runs_in_the_checks_server_and_it_ends_with_its_parent(
    minutes, signing_files, tmp_path
):
    # A script read from standard input, as an operator pipes one: the checks' children never run the
    # asking process's main script again (multiprocessing's forkserver did, and failed on «<stdin>»).
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(minutes["signed"])
    script = (
        "import django; django.setup()\n"
        "from pathlib import Path\n"
        "from meetings.seal import signing\n"
        "from meetings.seal.signing import verify_pdf\n"
        f"print(verify_pdf(Path({str(signed)!r}).read_bytes()).status, verify_pdf(b'%PDF-1.7').status)\n"
        "print(signing._CHECKS._server.pid)\n"
    )
    environment = os.environ | {
        "DJANGO_SETTINGS_MODULE": "entraide.settings",
        "SIGNING_TRUST_ROOTS": str(signing_files["SIGNING_TRUST_ROOTS"]),
        "VERIFY_REVOCATION_ONLINE": "1",  # asked of the tests' responder, which the certificates name
    }
    done = subprocess.run(
        [sys.executable, "-"],
        input=script,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=environment,
        timeout=60,
    )

    verdicts, server = done.stdout.splitlines()
    assert verdicts == "valid unreadable", done.stderr
    assert "Unclosed client session" not in done.stderr  # the revocation check closes what it opened
    # Its parent gone, the checks' server is gone too.
    until(
        lambda: not Path(f"/proc/{server}").exists(), 10, f"the checks' server {server} outlived its parent"
    )
