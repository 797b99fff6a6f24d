import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Letters are written through the default storage: into a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
