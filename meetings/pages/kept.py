"""Public pages kept once drawn, and answered 304 when the reader already has them.

What the public reads changes only when minutes are published: a published session's page with its
version, the register and the search with the latest publication. Such a page is drawn once per version
(and language, and release of the templates), kept in the cache under a key naming all of them, so that
a publication or a release is a new key on every server and nothing is ever invalidated; it carries an
ETag naming the same things and a Last-Modified, so that a browser or a proxy asking again gets a 304,
with nothing drawn or read but what names the version.
"""

import datetime
import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

# How long a kept page stays in the cache: a day, though it never changes (its key would change), so that
# the pages nobody reads any more leave it.
KEPT_SECONDS = 24 * 3600


def kept_page(
    request: HttpRequest,
    *,
    kind: str,
    version: str,
    published_at: datetime.datetime | None,
    max_age: int,
    draw: Callable[[], HttpResponse],
) -> HttpResponse:
    """The page of `kind` («published-session-page») as `version` says what it shows: 304 if the reader
    has it, else from the cache, else drawn by `draw` and kept. `max_age`: how long a browser or a proxy
    may show it without asking again (a later publication takes the same address)."""
    named = f"{version}:{get_language()}:{pages_revision()}"
    modified = int(published_at.timestamp()) if published_at else None
    validators = {
        "ETag": f'"{hashlib.sha256(named.encode()).hexdigest()[:32]}"',
        "Last-Modified": http_date(modified) if modified else None,
        "Cache-Control": f"public, max-age={max_age}",
    }
    not_modified = get_conditional_response(request, etag=validators["ETag"], last_modified=modified)
    if not_modified is not None:  # the reader's copy is this version's page: nothing is drawn
        return with_headers(not_modified, validators)
    key = f"{kind}:{named}"
    content = cache.get(key)
    if content is not None:
        return with_headers(HttpResponse(content), validators)
    response = draw()
    if response.status_code == 200:
        cache.set(key, response.content, KEPT_SECONDS)
        with_headers(response, validators)
    return response


@functools.cache
def pages_revision() -> str:
    """The templates the public pages are drawn from, as this release has them (a short hash, read once
    per process): a release that changes them changes the kept pages' keys and ETags, so that no page
    drawn by the previous templates is served or confirmed after it."""
    digest = hashlib.sha256()
    for path in sorted(TEMPLATES.rglob("*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


TEMPLATES = Path(settings.BASE_DIR) / "templates"

Response = TypeVar("Response", bound=HttpResponseBase)


def with_headers(response: Response, headers: dict[str, str | None]) -> Response:
    """`response` with `headers`, those that have a value: a 304 repeats the validators and the
    Cache-Control the 200 would send (RFC 9110, 15.4.5)."""
    for name, value in headers.items():
        if value is not None:
            response[name] = value
    return response
