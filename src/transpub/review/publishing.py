"""Whether a (release, language) publishes, and why not: the one rule every command asks.

``status`` reports it, ``check`` lists it beside its findings, ``build`` obeys it and the review document
shows it: all of them call :func:`decide`, so no two commands can disagree. A pair publishes when

* it is the source language (shown as written), or
* its catalog exists, every segment of the release is reviewed, every name the page needs (the
  publisher, the organizations its tokens name) is reviewed in names.po, so are the interface words
  ("Home", "Published" …) of a language transpub has no built-in words for, and no check finds an error
  (a lost token, a broken link …) in the catalog.

Every reason that holds is listed, not only the first, so a translator sees all that is left to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polib

from ..catalogs.pofile import index_entries
from ..catalogs.states import State
from ..config import Project
from ..localize.names import Names, names_needed
from ..localize.ui import ui_words_needed
from ..source.model import Release
from ..source.tokens import form_contexts
from .checks import ERROR, ERROR_CHECKS, CatalogContext, Finding, check_catalog

_STATE_CODES = frozenset(state.value for state in State if not state.publishable)


def _forms_in(release: Release, entries, project: Project) -> list[str]:
    """The names.po contexts of the grammatical forms this release's translations use (well-formed ones;
    ``check`` reports the others)."""
    found: dict[str, None] = {}
    for text in release.texts():
        entry = entries.get((None, text.source))
        if entry is not None:
            found.update(dict.fromkeys(form_contexts(entry.msgstr, project.organizations)))
    return list(found)


def _count_text(state: State, count: int) -> str:
    return f"{count} translated (not approved)" if state is State.TRANSLATED else f"{count} {state.value}"


@dataclass(frozen=True)
class Blocker:
    """One reason a pair cannot publish: a code for tools, a count and the words for people."""

    code: str  # "no-catalog", "untranslated", "machine", "changed", "names-unreviewed", "ui-words", "check-errors"
    count: int
    text: str

    def as_dict(self) -> dict:
        return {"code": self.code, "count": self.count, "text": self.text}


@dataclass(frozen=True)
class Decision:
    """Whether a (release, language) publishes; ``blockers`` say why not (none: it publishes)."""

    release: str
    lang: str
    blockers: tuple[Blocker, ...] = ()
    source_language: bool = False
    two_step: bool = False  # the review policy: "approved" rather than "reviewed" in the words

    @property
    def publishable(self) -> bool:
        return not self.blockers

    @property
    def reason(self) -> str:
        if self.source_language:
            return "the source language: published as written"
        if self.publishable:
            return f"every segment and name {'approved' if self.two_step else 'reviewed'}, no check errors"
        unreviewed = [blocker.text for blocker in self.blockers if blocker.code in _STATE_CODES]
        parts = [f"not fully reviewed: {', '.join(unreviewed)}"] if unreviewed else []
        parts += [blocker.text for blocker in self.blockers if blocker.code not in _STATE_CODES]
        return "; ".join(parts)

    def as_dict(self) -> dict:
        return {
            "release": self.release,
            "lang": self.lang,
            "publishable": self.publishable,
            "reason": self.reason,
            "blockers": [blocker.as_dict() for blocker in self.blockers],
        }


def decide(
    project: Project,
    release: Release,
    lang: str,
    catalog: polib.POFile | None,
    names: Names,
    *,
    context: CatalogContext | None = None,
    findings: Sequence[Finding] | None = None,
) -> Decision:
    """Decide whether ``release`` publishes in ``lang``.

    ``findings``, when the caller already ran every check on this catalog (``transpub check``), are used
    instead of running the error checks again; their errors are the same ones.
    """
    if lang == project.source_lang:
        return Decision(release.id, lang, source_language=True)
    if catalog is None:
        return Decision(release.id, lang, (Blocker("no-catalog", 0, "no catalog yet (run 'transpub update')"),))
    blockers: list[Blocker] = []
    entries = index_entries(catalog)
    counts: dict[State, int] = {}
    review = names.review
    for text in release.texts():
        if not release.has_words(text):
            continue  # nothing to translate: rendered in every language as written
        state = review.state(entries.get((None, text.source)), release.id)
        if not state.publishable:
            counts[state] = counts.get(state, 0) + 1
    blockers.extend(Blocker(state.value, counts[state], _count_text(state, counts[state])) for state in State if state in counts)
    done = "approved" if review.two_step else "reviewed"
    missing = [msgid for context_, msgid in names_needed(project, release) if not names.state(context_, msgid).publishable]
    # the grammatical forms its translations ask for ({org:EUIPO|gen}) are names the page shows too
    missing += [context_ for context_ in _forms_in(release, entries, project) if not names.form_state(context_).publishable]
    if missing:
        blockers.append(Blocker("names-unreviewed", len(missing), f"{len(missing)} name(s) in names.po not {done}"))
    words = [msgid for context_, msgid in ui_words_needed(project, lang) if not names.state(context_, msgid).publishable]
    if words:
        blockers.append(Blocker("ui-words", len(words), f"{len(words)} interface word(s) in names.po not {done}"))
    if findings is None:
        findings = check_catalog(project, release, lang, catalog, names, context=context, checks=ERROR_CHECKS)
    errors = [finding for finding in findings if finding.severity is ERROR]
    if errors:
        text = f"{len(errors)} check error(s), e.g. {errors[0].line_text()}; run 'transpub check --lang {lang}'"
        blockers.append(Blocker("check-errors", len(errors), text))
    return Decision(release.id, lang, tuple(blockers), two_step=review.two_step)
