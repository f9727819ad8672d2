"""Static files as production serves them, under `make run` too: hashed names (cache-busted), gzip/brotli
variants, and WhiteNoise's far-future `Cache-Control: max-age=315360000, immutable` on every hashed name."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """CompressedManifestStaticFilesStorage that hashes names with DEBUG on as well (Django's own falls back to
    the bare name when DEBUG is true, which WhiteNoise may not cache for long)."""

    def url(self, name, force=False):
        return super().url(name, force=True)
