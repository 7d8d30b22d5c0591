"""Debian's OmegaT 3.6 in console mode, the real CAT tool the exchange tests drive (one home for its set-up).

What it needs, measured on this OmegaT (README "Working with agencies"): a project folder with
``omegat.project`` (paragraph segmentation: transpub's units are whole blocks), ``omegat/filters.xml``
enabling the XLIFF filter (without it OmegaT loads an XLIFF file but finds no segment in it), the memory
as ``omegat/project_save.tmx`` (console mode applies no ``tm/`` memory), and a configuration folder whose
``omegat.prefs`` makes a TMX ``<ph>`` a self-closing tag (else it never matches the XLIFF side).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

_PROJECT = """\
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>{source}</source_lang>
    <target_lang>{target}</target_lang>
    <sentence_seg>false</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""
_FILTERS = """\
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<filters removeTags="false" removeSpacesNonseg="false" preserveSpaces="true" ignoreFileContext="false">
  <filter className="org.omegat.filters3.xml.xliff.XLIFFFilter" enabled="true">
    <files sourceFilenameMask="*.xlf" targetFilenamePattern="${filename}"/>
  </filter>
</filters>
"""
_PREFS = """\
<?xml version="1.0" encoding="UTF-8" ?>
<omegat><preference version="1.0"><ext_tmx_use_slash>true</ext_tmx_use_slash></preference></omegat>
"""


def run_omegat(work: Path, xliff: Path, *, source: str, target: str, memory: bytes | None = None) -> Path:
    """Let OmegaT translate ``xliff`` (with ``memory`` as the project memory); the file it writes back."""
    omegat = shutil.which("omegat")
    if omegat is None:
        pytest.skip("OmegaT (Debian package omegat) is not installed")
    project, config = work / "omegat-project", work / "omegat-config"
    for folder in ("source", "target", "tm", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    config.mkdir()
    (project / "omegat.project").write_text(_PROJECT.format(source=source, target=target), encoding="utf-8")
    (project / "omegat/filters.xml").write_text(_FILTERS, encoding="utf-8")
    (config / "omegat.prefs").write_text(_PREFS, encoding="utf-8")
    if memory is not None:
        (project / "omegat/project_save.tmx").write_bytes(memory)
    shutil.copy(xliff, project / "source" / xliff.name)
    result = subprocess.run(
        [omegat, str(project), "--mode=console-translate", f"--config-dir={config}"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = project / "target" / xliff.name
    assert out.is_file(), result.stdout[-2000:]
    return out
