"""Review and quality: checks on translations, and the bilingual review document (DOCX) round trip.

* :mod:`.checks` — ``transpub check``: plain check functions yielding coded findings; build refuses a
  (release, language) with ERROR findings.
* :mod:`.document` — ``transpub review export/import``: a Word table of source, translation, state and
  comment that a reviewer edits, read back into the PO catalogs.
* :mod:`.commands` — the thin click commands over both.

Nothing is imported here: the command line loads this package at start-up, and the checks are only
needed when a command runs them.
"""

