"""The build's records of thousands of releases, held compactly: the output listing and the manifest's records."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from transpub.build.digests import OutputListing
from transpub.build.manifest import ManifestWriter, PairInfo, ReleaseRecord, manifest_header, manifest_pieces, read_manifest

_names = st.text(st.sampled_from("ab.-_é"), min_size=1, max_size=6) | st.builds(
    lambda stem, suffix: f"{stem}.{suffix}", st.text(st.sampled_from("ab.-_"), max_size=5), st.sampled_from(["html", "docx", "atom", "png", "", "HTML"])
)


@settings(max_examples=100, deadline=None)
@given(files=st.sets(_names, max_size=12), folders=st.sets(_names, max_size=3), asked=st.lists(_names, max_size=20))
def test_the_output_listing_says_what_a_stat_says(files, folders, asked):
    with tempfile.TemporaryDirectory() as root:
        for name in files - {".", ".."}:
            Path(root, "fr", name).parent.mkdir(parents=True, exist_ok=True)
            Path(root, "fr", name).write_bytes(b"")
        for name in folders - files - {".", ".."}:
            os.makedirs(Path(root, "fr", name), exist_ok=True)  # a folder is not a file
        listing = OutputListing(Path(root))
        for name in [*files, *folders, *asked]:
            if name in (".", ".."):
                continue
            assert listing.has(f"fr/{name}") == os.path.isfile(os.path.join(root, "fr", name)), name
            assert listing.has(f"de/{name}") is False  # no such folder


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_pairs = st.dictionaries(
    st.sampled_from(["en", "fr", "ja", "ar", "zh_Hans"]),
    st.builds(PairInfo, _text, st.booleans(), _text, _text, _text, st.lists(_text, max_size=2).map(tuple), _text),
    max_size=3,
)
_records = st.builds(ReleaseRecord, _pairs, st.dictionaries(_text, _text, max_size=3))


@settings(max_examples=100, deadline=None)
@given(records=st.dictionaries(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,8}", fullmatch=True), _records, max_size=6),
       indexes=st.none() | st.dictionaries(_text, _text, max_size=2))
def test_a_written_manifest_reads_back_record_for_record(records, indexes):
    writer = ManifestWriter()
    for release, record in records.items():
        writer.add(release, record)
    text = b"".join(manifest_pieces(manifest_header(indexes, None), writer.records()))
    writer.close()
    with tempfile.TemporaryDirectory() as root:
        path = Path(root, "m.json")
        path.write_bytes(text)
        with read_manifest(path) as manifest:
            assert manifest.indexes == indexes
            assert set(manifest.releases()) == set(records)
            for release, record in records.items():
                assert manifest.record(release) == record
            assert manifest.record("not-there") == ReleaseRecord()
