"""`make lint` fails on an incomplete French catalogue (its messages-check target)."""

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("make") is None,
    reason="needs GNU gettext's msgfmt and make",
)

CATALOGUE = Path("locale/fr/LC_MESSAGES/django.po")


def messages_check(po: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "messages-check", f"MESSAGES_PO={po}"],
        capture_output=True,
        text=True,
        check=False,
    )


def test_messages_check_passes_on_the_french_catalogue():
    result = messages_check(CATALOGUE)

    assert result.returncode == 0, result.stderr
    assert "translated messages." in result.stdout + result.stderr
    assert "untranslated" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "entry",
    [
        'msgid "A new message"\nmsgstr ""\n',
        '#, fuzzy\nmsgid "A new message"\nmsgstr "Un message"\n',
    ],
)
def test_messages_check_fails_on_an_untranslated_or_fuzzy_message(tmp_path, entry):
    po = tmp_path / "django.po"
    po.write_text(CATALOGUE.read_text(encoding="utf-8") + "\n\n" + entry, encoding="utf-8")

    result = messages_check(po)

    assert result.returncode == 2
    assert f"{po}: translate every message and clear the fuzzy ones" in result.stderr
