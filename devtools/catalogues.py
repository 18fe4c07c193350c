"""Compile the translation catalogues in pure Python, so no machine needs GNU gettext to run the app.

`python -m devtools.catalogues` writes each locale/*/LC_MESSAGES/django.mo from its django.po; the compiled files are
committed, and a test proves they match their sources.
"""

from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def compile_catalogues() -> list[Path]:
    written = []
    for source in catalogues():
        catalogue = polib.pofile(str(source))
        target = source.with_suffix(".mo")
        catalogue.save_as_mofile(str(target))
        written.append(target)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
