"""Where the static files are found, and under which names."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedWhereCollected(CompressedManifestStaticFilesStorage):
    """Each static file under a name with its content's hash (site.69acfd379991.css), compressed, as
    `collectstatic` writes them: WhiteNoise serves such names with ten years' `immutable` caching, and a
    release that changes a file changes its name.

    Where `collectstatic` never ran (no manifest: a server the tests or a benchmark start from the sources),
    the files are named as found, as Django's plain storage names them. A name missing from a manifest
    that exists still fails loudly: a deployment that collected its files must have them all."""

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
