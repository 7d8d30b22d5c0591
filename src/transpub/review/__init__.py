"""Review and quality: checks on translations, the publishing decision, and reading back the bilingual
review document (DOCX).

* :mod:`.checks` — ``transpub check``: plain check functions yielding coded findings; build refuses a
  (release, language) with ERROR findings.
* :mod:`.publishing` — whether a (release, language) publishes and why not: the one decision that
  status, check, build and the review document show.
* :mod:`.reports` — the project-wide ``status`` and ``check`` reports.
* The review document round trip (``transpub review export/import``):

  - :mod:`.contents` — what a review document for one language holds (rows, counts, decisions);
  - :mod:`.docformat` — the format both sides agree on: document properties, row ids and hashes;
  - :mod:`.docx_guard` — opening an untrusted DOCX (size limits, zip bombs, entities);
  - :mod:`.reading` — the document's identity and its rows as the reviewer left them;
  - :mod:`.apply` — applying those rows to the PO catalogs.

  The Word writer is :mod:`transpub.render.review_docx` (a layer above: it shares the DOCX renderer's
  Word helpers); the click commands are in :mod:`transpub.cli.review`.

Nothing is imported here: the command line loads this package at start-up, and the checks are only
needed when a command runs them.
"""
