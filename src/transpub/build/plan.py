"""The plan of one release: which of its outputs are up to date, which must be rendered, which are skipped.

Pure: it reads no file and renders nothing. It is decided from the release's :class:`ReleaseJob` (the
keys of its pairs, the keys its outputs were last built with, which of them exist) and the publishing
decision of each pair, either remembered by the manifest (nothing the release depends on changed:
:func:`remembered_pairs`) or just made by a worker, which calls ``review.publishing.decide``; no
publishing rule is made here.

A pair that is not publishable is skipped, or, with ``--draft``, rendered into ``drafts/<lang>/``. So a
page that was published and is no longer publishable (its source changed, a translation became fuzzy)
is left as it was, the last reviewed version, and reported as skipped. If its source changed since it
was published, the page is *outdated* (:class:`Outdated`; the manifest remembers the digest of the
source each pair last published from): ``[publish] outdated = "mark"`` adds a notice to the page and its
Word document (their keys become ``outdated:`` + the key they had, so they are marked once), ``"withdraw"``
takes them down, ``"keep"`` leaves them; every build reports them. An output is up to date when it
exists and was built with the key this build makes for it: the pair's key, the images and templates,
the format, whether it is a draft, and, for a page, the language versions it links to and whether it
links to its Word document.

**Build order does not change the site.** A page lists the published versions of its release in every
language, not only in the languages built. The languages this build does not touch are judged without
being parsed (``build._jobs``): a language whose decision the manifest remembers and whose inputs have not
changed since (same key) publishes exactly when that decision says so; one whose inputs changed, or that
was never decided, is linked when its last published page is on the site, and left as it is. Pages of
the first kind (``ReleaseJob.others``) are brought up to date in this build when the set of versions they
link to changes (HTML only: a Word document links to no other version), even though their language was
not asked for; their worker reads their catalog and asks ``review.publishing.decide`` again. So building
the languages one at a time, in any order, leaves ``outputs/`` as one build of them all does.

**outputs/ mirrors the project.** The pages and documents of a release that no longer exists (its
source was removed or renamed) are removed by the next build, and so are the images no page shows any
more (``build._Releases.withdrawn_releases``, :func:`unused_images`): only files the manifest says a build wrote.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from .digests import hash_parts
from .manifest import PairInfo, ReleaseRecord

FORMATS = ("html", "docx")
DRAFTS = "drafts"


@dataclass(frozen=True, slots=True)
class Output:
    """One page or document of a release. Its path is made when asked for, not held: a build of thousands
    of releases reports every output, ten per release."""

    release: str
    lang: str
    format: str  # "html" or "docx"
    draft: bool
    changed: bool  # False: the file already held exactly this content (or nothing it depends on changed)

    @property
    def path(self) -> str:
        """Relative to the project root."""
        return f"outputs/{output_folder(self.lang, self.draft)}/{self.release}.{self.format}"


@dataclass(frozen=True, slots=True)
class Skipped:
    release: str
    lang: str
    reason: str


@dataclass(frozen=True, slots=True)
class Outdated:
    """A published page whose source changed since, so that its pair no longer publishes."""

    release: str
    lang: str
    action: str  # [publish] outdated: "mark", "withdraw" or "keep"
    changed: bool  # False: nothing to do (already marked, or kept)


OUTDATED_MARK = "outdated:"  # an output key's prefix: the file is the last published version, with the notice


@dataclass(frozen=True)
class ReleaseJob:
    """Everything a worker needs to decide and render one release's outputs (paths and digests only)."""

    release: str
    root: str
    config: str  # digest of transpub.toml: a worker's cached settings are never stale
    source: str
    keys: dict[str, str]  # language being built -> digest of the pair's inputs
    languages: tuple[str, ...]  # languages to render (empty: only refresh what the indexes need)
    existing: dict[str, str]  # languages not built, decision not known to hold, whose published page exists: linked as it is
    others: dict[str, PairInfo]  # languages not built whose remembered decision holds and whose page (or draft) exists: kept up to date
    formats: tuple[str, ...]
    draft: bool
    assets: str
    old_outputs: dict[str, str]  # output path (relative to outputs/) -> key it was built with
    present: frozenset[str]  # which of this release's possible outputs exist (relative to outputs/)
    source_digest: str = ""  # digest of the release's source now
    published: dict[str, str] | None = None  # language being built -> digest of the source it was last published from
    outdated: str = "mark"  # [publish] outdated
    inputs: tuple[tuple[str, str], ...] = ()  # the release's files the job reads (source, catalogs), each with the digest its keys were made from
    language_digests: dict[str, tuple[str, ...]] = field(default_factory=dict)  # language -> digests of its names.po, glossary, approvals


@dataclass(frozen=True)
class Render:
    """One (release, language) to render, in these formats."""

    lang: str
    draft: bool
    formats: tuple[str, ...]
    links_docx: bool  # the page links to the language's Word document (built now, or already there)


@dataclass(frozen=True)
class ReleasePlan:
    release: str
    pairs: dict[str, PairInfo]  # language -> the pair's publishing decision
    current: tuple[Output, ...]  # outputs already up to date
    skipped: tuple[Skipped, ...]
    to_render: tuple[Render, ...]
    output_keys: dict[str, str]  # every output this build wants (relative to outputs/) -> its key
    versions: dict[str, str]  # the release's published versions: language -> page, relative to outputs/
    outdated: tuple[Outdated, ...] = ()  # published pages whose source changed since
    to_mark: tuple[str, ...] = ()  # outputs to mark outdated (relative to outputs/)
    withdrawn: tuple[str, ...] = ()  # outdated outputs to take down (relative to outputs/)


def output_folder(lang: str, draft: bool) -> str:
    """Where a language's outputs go, relative to outputs/: drafts never share a folder with published pages."""
    return f"{DRAFTS}/{lang}" if draft else lang


def remembered_pairs(job: ReleaseJob, old: ReleaseRecord) -> dict[str, PairInfo] | None:
    """The decisions the release's ``old`` record remembers for its pairs, if none of their inputs changed."""
    remembered = {}
    for lang, key in job.keys.items():
        info = old.pairs.get(lang)
        if info is None or info.key != key:
            return None
        remembered[lang] = info
    return remembered


def plan_release(job: ReleaseJob, pairs: dict[str, PairInfo]) -> ReleasePlan:
    """Which outputs of this release are up to date, which must be rendered, which pairs are skipped."""
    rid = job.release
    current: list[Output] = []
    skipped: list[Skipped] = []
    to_render: list[Render] = []
    output_keys: dict[str, str] = {}
    pairs = {lang: _with_published_source(job, lang, info) for lang, info in pairs.items()}
    outdated: list[Outdated] = []
    to_mark: list[str] = []
    withdrawn: list[str] = []
    versions = language_versions(job, pairs)
    # the same for every language and draft state of the release: encoded once, not once per output
    versions_text = json.dumps(versions, sort_keys=True)
    for lang in job.languages:
        info = pairs[lang]
        if _is_outdated(job, lang, info):
            outdated.append(_outdated(job, lang, output_keys, to_mark, withdrawn))
        if not info.publishable and not job.draft:
            skipped.append(Skipped(rid, lang, info.reason))
            continue
        is_draft = not info.publishable
        folder = output_folder(lang, is_draft)
        links_docx = "docx" in job.formats or f"{folder}/{rid}.docx" in job.present
        todo = []
        for fmt in job.formats:
            relative = f"{folder}/{rid}.{fmt}"
            key = output_key(info.key, job.assets, fmt, is_draft, versions_text, links_docx)
            output_keys[relative] = key
            if job.old_outputs.get(relative) == key and relative in job.present:
                current.append(Output(rid, lang, fmt, is_draft, False))
            else:
                todo.append(fmt)
        if todo:
            to_render.append(Render(lang, is_draft, tuple(todo), links_docx))
    if "html" in job.formats:
        # the pages of languages not built: rendered again only when what they link to changed (not
        # reported when unchanged: the report is about the languages asked for)
        for lang, info in job.others.items():
            is_draft = not info.publishable
            folder = output_folder(lang, is_draft)
            relative = f"{folder}/{rid}.html"
            links_docx = f"{folder}/{rid}.docx" in job.present
            key = output_key(info.key, job.assets, "html", is_draft, versions_text, links_docx)
            output_keys[relative] = key
            if job.old_outputs.get(relative) != key or relative not in job.present:
                to_render.append(Render(lang, is_draft, ("html",), links_docx))
    all_pairs = {**job.others, **pairs}
    return ReleasePlan(
        rid, all_pairs, tuple(current), tuple(skipped), tuple(to_render), output_keys, versions,
        tuple(outdated), tuple(to_mark), tuple(withdrawn),
    )


def _with_published_source(job: ReleaseJob, lang: str, info: PairInfo) -> PairInfo:
    """The pair's decision with the source its published version was made from: this one when it
    publishes, else the one the manifest remembers."""
    source = job.source_digest if info.publishable else (job.published or {}).get(lang, "")
    return info if info.published_source == source else replace(info, published_source=source)


def _is_outdated(job: ReleaseJob, lang: str, info: PairInfo) -> bool:
    """Whether the pair's published page is still up, though its source changed so that it no longer publishes."""
    return (
        not info.publishable
        and info.published_source not in ("", job.source_digest)
        and f"{lang}/{job.release}.html" in job.present
        and f"{lang}/{job.release}.html" in job.old_outputs
    )


def _outdated(job: ReleaseJob, lang: str, output_keys: dict[str, str], to_mark: list[str], withdrawn: list[str]) -> Outdated:
    """What [publish] outdated does with an outdated page (and its Word document): only files a build wrote."""
    written = [
        relative
        for fmt in FORMATS
        if (relative := f"{lang}/{job.release}.{fmt}") in job.present and relative in job.old_outputs
    ]
    if job.outdated == "withdraw":
        withdrawn.extend(written)
        return Outdated(job.release, lang, job.outdated, bool(written))
    if job.outdated != "mark":
        return Outdated(job.release, lang, job.outdated, False)
    changed = False
    for relative in written:
        old = job.old_outputs[relative]
        if relative.rsplit(".", 1)[1] not in job.formats:
            continue  # marked by a build of its format
        if old.startswith(OUTDATED_MARK):
            output_keys[relative] = old
        else:
            output_keys[relative] = OUTDATED_MARK + old
            to_mark.append(relative)
            changed = True
    return Outdated(job.release, lang, job.outdated, changed)


def output_key(pair_key: str, assets: str, fmt: str, draft: bool, versions: str, links_docx: bool) -> str:
    """An output's key: its pair's, the images and templates, the format, whether it is a draft and, for a
    page, the versions it links to and whether it links to its Word document."""
    if fmt != "html":
        return hash_parts(pair_key, assets, fmt, draft, "{}")
    return hash_parts(pair_key, assets, fmt, draft, versions, links_docx)


def language_versions(job: ReleaseJob, pairs: Mapping[str, PairInfo]) -> dict[str, str]:
    """The language versions a page links to: those published by this build, those of languages not built
    whose remembered decision holds and publishes, and the published pages of the other languages this
    build does not touch (their last published version stays on the site)."""
    versions = dict(job.existing)
    for lang, info in (*job.others.items(), *pairs.items()):
        if info.publishable:
            versions[lang] = f"{lang}/{job.release}.html"
    return dict(sorted(versions.items()))


def unused_images(before: Mapping[str, set[str]], after: Mapping[str, set[str]], exists: Callable[[str], bool]) -> set[str]:
    """The images the last build's pages showed (``before``: folder -> images) and no page shows any more
    (``after``), in each language's folder and its drafts folder (relative to outputs/)."""
    return {
        relative
        for folder, images in before.items()
        for image in images - after.get(folder, set())
        if exists(relative := f"{folder}/{image}")
    }
