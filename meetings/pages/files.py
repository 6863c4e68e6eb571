"""Signed files served as immutable: one address per stored file, named by its SHA-256.

`/minutes/<code>/<sha256>.pdf` is one file of a published version for good: the PDF as signed, or one of
its archived copies (timestamps renewed, meetings.models.archive), each with its own hash. What such an
address answers can never change, so it is sent with a year's `Cache-Control: immutable`, and a server
that has once found it public (the view, with the database) remembers where the file is: from then on
`known_files_middleware`, placed right after WhiteNoise, answers it from that memory before the rest of
the middleware, without a query, the bytes going from the storage to the socket (for files on disk,
the server's sendfile, as WhiteNoise does for static files). That is correct on every server alike: an
address names its bytes, and a version once published stays public (a correction supersedes it, and the
page of the superseded version still offers it).

The session's page links to the address of its newest copy; `/sessions/<year>/<ordinal>/minutes.pdf`
keeps answering the newest copy of the latest version for links made elsewhere, with a short cache.
"""

from collections.abc import Callable
from typing import NamedTuple

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response

from .kept import with_headers

# A year, the longest RFC 9111 recommends; `immutable`: a browser does not even revalidate on reload.
IMMUTABLE = "public, max-age=31536000, immutable"
# Enough for every file of a board's history many times over; past it, the memory starts again.
KNOWN_AT_MOST = 10_000


class Stored(NamedTuple):
    """Where a public file is, and how it is named to the reader."""

    name: str  # in the default storage
    sha256: str
    disposition: str


_known: dict[str, Stored] = {}


def remember(path: str, stored: Stored) -> None:
    """`path` answers `stored` for good: kept for the middleware (the view checked it is public)."""
    if len(_known) >= KNOWN_AT_MOST:
        _known.clear()
    _known[path] = stored


def file_response(request: HttpRequest, stored: Stored, cache_control: str) -> HttpResponseBase:
    """The stored file, byte for byte, with its SHA-256 as a strong ETag (304 to a reader who has it)."""
    validators: dict[str, str | None] = {"ETag": f'"{stored.sha256}"', "Cache-Control": cache_control}
    not_modified = get_conditional_response(request, etag=validators["ETag"])
    if not_modified is not None:
        return with_headers(not_modified, validators)
    response = FileResponse(default_storage.open(stored.name, "rb"), content_type="application/pdf")
    response["Content-Disposition"] = stored.disposition
    return with_headers(response, validators)


def known_files_middleware(get_response: Callable[[HttpRequest], HttpResponseBase]):
    """An immutable file this server has already found public, answered before the rest of the stack."""

    def middleware(request: HttpRequest) -> HttpResponseBase | HttpResponse:
        stored = _known.get(request.path_info) if request.method in ("GET", "HEAD") else None
        if stored is None:
            return get_response(request)
        response = file_response(request, stored, IMMUTABLE)
        response["X-Frame-Options"] = "DENY"  # as the clickjacking middleware, skipped, would say
        return response

    return middleware
