"""Both languages are complete: every string the code marks for translation has a Chinese translation."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from devtools.catalogues import LOCALE_DIR, catalogues

PROJECT = LOCALE_DIR.parent
SOURCE_FOLDERS = ("config", "core", "leads", "pools", "deals", "visits", "qc", "reports", "devtools", "templates")
TEMPLATE_TRANSLATE = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
TEMPLATE_BLOCK = re.compile(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", re.S)
PYTHON_GETTEXT = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext|_lazy)\(\s*(["'])(.+?)(?<!\\)\1\s*[,)]""")
PLURAL_TAG = re.compile(r"{%\s*plural\s*%}")
BLOCK_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")


def marked_strings() -> set[str]:
    found = set()
    for folder in SOURCE_FOLDERS:
        for path in (PROJECT / folder).rglob("*"):
            if "tests" in path.parts or "migrations" in path.parts or path.suffix not in {".py", ".html"}:
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".html":
                found.update(match[1] for match in TEMPLATE_TRANSLATE.findall(text))
                singulars = (PLURAL_TAG.split(body)[0] for body in TEMPLATE_BLOCK.findall(text))
                found.update(BLOCK_VARIABLE.sub(r"%(\1)s", singular) for singular in singulars)
            else:
                found.update(match[1] for match in PYTHON_GETTEXT.findall(text))
    return found


@pytest.fixture(scope="module")
def chinese():
    (path,) = [path for path in catalogues() if path.parts[-3] == "zh_Hans"]
    return polib.pofile(str(path))


def test_every_marked_string_is_in_the_chinese_catalogue(chinese):
    known = {entry.msgid for entry in chinese}
    marked = marked_strings()

    assert {"Log in", "Private pool", "Hello, %(name)s"} <= marked
    assert marked - known == set()


def test_every_entry_is_translated_and_none_is_fuzzy(chinese):
    assert [entry.msgid for entry in chinese if not entry.translated() or entry.fuzzy or entry.obsolete] == []


def test_the_compiled_catalogue_matches_its_source(chinese):
    compiled = polib.mofile(str(Path(chinese.fpath).with_suffix(".mo")))

    assert {entry.msgid: entry.msgstr for entry in compiled} == {
        entry.msgid: entry.msgstr for entry in chinese.translated_entries()
    }


def test_the_app_reads_the_compiled_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Private pool") == "私海"
    with translation.override("en"):
        assert translation.gettext("Private pool") == "Private pool"
