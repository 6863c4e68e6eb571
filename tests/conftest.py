import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _arabic_by_default():
    """Each test starts in the site's default language, whatever the previous one activated."""
    with translation.override("ar"):
        yield
