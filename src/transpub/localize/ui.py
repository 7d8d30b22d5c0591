"""The fixed words of a page or document ("Home", "Division in Charge", the draft banner…) in one language.

Nine languages have them built in (:mod:`transpub.catalogs.uiwords`); a page in one of those uses them.
Any other target language takes them from its names.po (contexts ``ui:<key>``): the reviewed ones, and
in a draft the unreviewed ones too, marked, as names do. A page never mixes languages: the publishing
decision requires every interface word of such a language reviewed (:func:`ui_words_needed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from babel import Locale

from ..catalogs.states import State
from ..catalogs.templates import ui_context
from ..catalogs.uiwords import UI_KEYS, UI_TEXT, builtin_words, source_words
from ..config import Project
from .names import Names


@dataclass(frozen=True)
class WordMark:
    """An interface word a page shows unreviewed: its names.po msgid, and whether it is shown instead."""

    source: str  # the msgid: the source language's built-in word (or the English one)
    fallback: bool  # untranslated: ``source`` itself is shown


@dataclass(frozen=True)
class UiWords:
    """The interface words of one language as a page shows them (``words``) and which are not reviewed."""

    words: Mapping[str, str]
    marks: Mapping[str, WordMark] = field(default_factory=dict)
    source_lang: str = "en"  # the language of the marks' ``source`` words


def ui_words_needed(project: Project, lang: str) -> list[tuple[str, str]]:
    """The names.po entries (context, msgid) of the interface words ``lang`` cannot publish without
    (none for the source language and for the languages with built-in words)."""
    if lang == project.source_lang or builtin_words(lang) is not None:
        return []
    sources = source_words(project.source_lang)
    return [(ui_context(key), sources[key]) for key in UI_KEYS]


def ui_words(project: Project, lang: str, names: Names, draft: bool) -> UiWords:
    """The interface words of ``lang``: built in, else names.po's reviewed ones (unreviewed too in a
    draft); a word without a usable translation shows its msgid, the source language's word, marked."""
    needed = ui_words_needed(project, lang)
    if not needed:
        return UiWords(ui_table(lang))
    source_lang = project.source_lang if builtin_words(project.source_lang) is not None else "en"
    words: dict[str, str] = {}
    marks: dict[str, WordMark] = {}
    for key, (context, source) in zip(UI_KEYS, needed):
        state = names.state(context, source)
        if state.publishable:
            words[key] = names.get(context, source).msgstr
        elif draft and state is not State.UNTRANSLATED:
            words[key] = names.get(context, source).msgstr
            marks[key] = WordMark(source, fallback=False)
        else:
            words[key] = source
            marks[key] = WordMark(source, fallback=True)
    return UiWords(words, marks, source_lang)


def ui_table(lang: str) -> dict[str, str]:
    """The built-in words of ``lang`` (its language, then language + script, then the exact locale), else
    English. A page in a target language without built-in words asks :func:`ui_words` instead."""
    return builtin_words(lang) or dict(UI_TEXT["en"])


@cache  # (CLDR's answers are fixed; pages and documents ask for the same few languages again and again)
def language_name(lang: str) -> str:
    """A language's name in itself, as a language switcher shows it (日本語, English, العربية)."""
    locale = Locale.parse(lang)
    name = locale.get_display_name(locale) or lang
    return name[:1].upper() + name[1:]  # "français" -> "Français"; scripts without case are unchanged


def bcp47(lang: str) -> str:
    """CLDR id -> BCP 47 tag for HTML/DOCX (zh_Hans -> zh-Hans, pt_BR -> pt-BR)."""
    return lang.replace("_", "-")


@cache
def text_direction(lang: str) -> str:
    return Locale.parse(lang).text_direction  # "ltr" or "rtl"
