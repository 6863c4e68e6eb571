"""Loaded by pytest before Django (`-p tests.environment`): the settings refuse to start without a key."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
