"""What the signing tests share: the minutes they sign, how they sign them, and the PDF bomb they check."""

import functools
import zlib

OPENING = "افتتح السيد الرئيس الجلسة بكلمة رحب فيها بأعضاء المجلس"
SIGN = {"reason": "محضر الدورة الثانية برسم سنة 2025", "location": "الرباط"}


@functools.cache
def xref_stream_bomb() -> bytes:
    """A PDF whose cross-reference stream, which any reader must inflate, expands to 1 GiB; packed once for
    the run (packing 1 GiB takes seconds), by the tests of the verify page and of hostile files."""
    packer, chunk = zlib.compressobj(9), bytes(16 * 1024 * 1024)
    bomb = b"".join(packer.compress(chunk) for _ in range(64)) + packer.flush()  # about 1 MB
    head = (
        b"1 0 obj\n<< /Type /XRef /Size 2 /W [1 2 1] /Root 1 0 R /Length %d /Filter /FlateDecode >>\nstream\n"
    )
    return b"%PDF-1.7\n" + head % len(bomb) + bomb + b"\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
