"""Loaded by pytest before Django (`-p tests.environment`): the environment of the tests, which the settings
read (they refuse to start without a key)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
# The test client and the live server talk plain HTTP; the tests load the demo and sign with its certificate.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DEMO_ALLOWED", "1")
# The tests submit many files to /verify/ from one address; the limit itself has its test.
os.environ.setdefault("VERIFICATIONS_PER_MINUTE", "10000")
