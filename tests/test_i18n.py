"""The Simplified Chinese catalogue is the default language and is complete."""

from pathlib import Path

import polib
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {e.msgid: (e.msgstr or e.msgstr_plural) for e in mo}
    source = {e.msgid: (e.msgstr or {int(k): v for k, v in e.msgstr_plural.items()}) for e in po.translated_entries()}
    assert {k: v for k, v in compiled.items() if k} == source


def test_chinese_is_the_default_language_and_times_are_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
