"""Strict reading and deterministic writing of gettext PO catalogs.

This module owns the PO text format. The rest of transpub works on ordinary ``polib.POFile`` /
``polib.POEntry`` objects and goes through :func:`read_catalog` and :func:`write_catalog`; nothing else
parses or prints PO text.

Why not polib's own parser and writer: polib 1.2 accepts malformed files without a word (an unterminated
string, an invalid escape, duplicate entries) and loses data on a load/save round trip: the previous
msgids of obsolete entries (``#~|``), the ``#.`` and ``#:`` lines of obsolete entries, a lone empty ``#.``
line, trailing spaces in comments; its writer rewraps long comments into their text and reorders the
header. So the text is parsed here, line by line, into polib objects, and written back here.

Reading is strict: the first malformed line raises :class:`CatalogError` with its 1-based line number;
nothing is repaired silently. Beyond the syntax, what ``msgfmt -c`` refuses is refused, at the line of
its keyword or header field: a Plural-Forms gettext cannot use (:mod:`.plurals`), a translated plural
entry with another number of forms than nplurals, a compiled translation whose ``\\n`` at either end
disagrees with its msgid, ``#|`` lines out of gettext's order or without ``#| msgid``, an obsolete entry
that repeats another entry or the header, NUL and U+0004 (EOT). A catalog transpub accepts is one it
can write back as it is.

Writing is deterministic, and ``read → write`` keeps every entry, comment, flag, previous msgid and
header field (``msgcat --no-wrap`` of input and output are identical):

* active entries in their order, then obsolete ones; header fields in the order of ``po.metadata``,
  which keeps the file's order when read (new fields go last);
* strings are split after each ``\\n`` and wrapped after spaces so that lines stay within
  ``WRAP_WIDTH`` (78) characters, never inside a word: the layout may change, the text never does.
  A long run without spaces (Japanese, a URL) stays on one line;
* comments are written as read, never wrapped (less any CR at the end of a line, which would be read
  back as part of a CRLF line end);
* no timestamp or other field changes unless the caller changed it, and a header field that changed
  rewrites its own line only: the others keep their text as read (:func:`copy_header` carries a header
  to the catalog ``update`` builds, so an existing catalog keeps its Plural-Forms);
* what gettext would refuse is refused before anything is written (code may have changed an entry
  since it was read: an approval that un-fuzzies it), except a NUL or EOT that code put in a translation
  or comment, which is written as U+FFFD.

So ``write(read(write(read(x)))) == write(read(x))``, and every file written passes ``msgfmt -c``.

New catalogs (:func:`new_catalog`) get a full header, with the Plural-Forms of the gettext convention for
their language (:func:`plural_forms`). So does a catalog written without header fields (no header, an
empty one, a 0-byte file: msgfmt refuses them): :func:`complete_header` keeps its header comment, and
:func:`catalog_to_bytes` takes the language from its ``LANG/LC_MESSAGES`` folder when the caller gave
no header (``update`` gives one with the project's name).

Encoding: the charset declared in the header's Content-Type is used to decode the file and again to
encode it (``po.encoding``), so an EUC-KR catalog is saved in EUC-KR, unchanged. A byte that is invalid
in that charset, or a character a write cannot encode in it, is a :class:`CatalogError`.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polib

from ..clock import po_stamp
from ..errors import CatalogError, FileError
from ..fsutil import atomic_write_bytes, read_file
from .plurals import plural_count

if TYPE_CHECKING:
    from babel.core import Locale

WRAP_WIDTH = 78

EntryKey = tuple[str | None, str]

# --- keys -------------------------------------------------------------------------------------------


def entry_key(entry: polib.POEntry) -> EntryKey:
    """The identity of an entry in its catalog: ``(msgctxt, msgid)``."""
    return (entry.msgctxt, entry.msgid)


def index_entries(po: polib.POFile) -> dict[EntryKey, polib.POEntry]:
    """Active (non-obsolete) entries by :func:`entry_key`; ``po.find()`` is a linear scan."""
    index: dict[EntryKey, polib.POEntry] = {}
    for entry in po:
        if entry.obsolete:
            continue
        key = entry_key(entry)
        if key in index:
            raise CatalogError(f"duplicate entry (msgctxt, msgid) = {key!r}", path=po.fpath, line=entry.linenum)
        index[key] = entry
    return index


# --- reading ----------------------------------------------------------------------------------------

_STRING = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"')  # unrolled: one step per run of plain characters
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]*|[0-7]{1,3}|.)")
# the C escapes gettext reads besides octal and hex; the writer uses the same table the other way round
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"',
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z_][\w\[\]]*")
_PLURAL_MSGSTR = re.compile(r"msgstr\[(\d+)\]")

# characters no PO file may hold, raw or escaped: msgfmt ends a string at NUL (silently cutting the
# translation short) and refuses EOT, which separates msgctxt from msgid in a compiled catalog
_RESERVED_CHARACTERS = {
    0: "NUL, which would end the string in a compiled catalog (msgfmt cuts the text short there)",
    4: "U+0004 (EOT), which gettext reserves to separate msgctxt from msgid",
}
# the previous-msgid keywords ('#|') in the order gettext requires them
_PREVIOUS_ORDER = ("msgctxt", "msgid", "msgid_plural")

# what each stage of an entry may be followed by, for error messages
_EXPECTED = {
    None: "msgctxt or msgid",
    "msgctxt": "msgid",
    "msgid": "msgstr or msgid_plural",
    "msgid_plural": "msgstr[0]",
    "msgstr": "a new entry",
}
_INCOMPLETE = {
    "msgctxt": "msgctxt without msgid",
    "msgid": "msgid without msgstr",
    "msgid_plural": "msgid_plural without msgstr[0]",
}


def _unescape_one(match: re.Match) -> str:
    code = match.group(1)
    if code in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[code]
    if code[0] in "01234567" or (code[0] == "x" and len(code) > 1):
        value = int(code[1:], 16) if code[0] == "x" else int(code, 8)
        if value in _RESERVED_CHARACTERS:
            raise CatalogError(f"escape \\{code} is {_RESERVED_CHARACTERS[value]}")
        if value < 0x80:
            return chr(value)
        # a byte above 0x7F would have to be decoded in the file's charset
        raise CatalogError(f"escape \\{code} is not an ASCII character; write the character itself")
    raise CatalogError(f"invalid escape sequence \\{code}")


def _parse_string(text: str) -> str:
    """The value of the one C string literal that ``text`` (a line without its keyword) must be."""
    match = _STRING.match(text)
    if match is None:
        if text.startswith('"'):
            raise CatalogError("unterminated string: no closing quote on this line")
        raise CatalogError(f"expected a quoted string, found {text[:20]!r}")
    if match.end() != len(text) and text[match.end():].strip():
        raise CatalogError("unexpected text after the closing quote (an unescaped \" inside the string?)")
    return _unescape(match.group(1))


def _unescape(body: str) -> str:
    """The text of a string literal's body; most have no backslash, and skip the substitution."""
    return _ESCAPE.sub(_unescape_one, body) if "\\" in body else body


@dataclass
class _HeaderAsRead:
    """The header entry as read, so that an unchanged header is written back exactly as it was."""

    entry: polib.POEntry
    metadata: list[tuple[str, str]]


# each keyword and the stages (the last keyword read) it may follow
_ALLOWED_AFTER = {
    "msgctxt": (None,),
    "msgid": (None, "msgctxt"),
    "msgid_plural": ("msgid",),
    "msgstr": ("msgid",),
}


# The fast path. Almost every entry of a catalog is laid out as gettext tools and transpub write it:
# comments, the previous msgid of a fuzzy entry ('#| msgid "…"'), then `keyword "…"` lines each
# followed by its `"…"` continuation lines, with no stray spaces; in an obsolete entry, the same lines
# after '#~ ' (and '#~| '). One match of _ACTIVE_ENTRY or _OBSOLETE_ENTRY finds such an entry whole,
# and _Reader.take_entry takes it with a few C-level string operations instead of one Python round
# per line. Everything else (CRLF line ends, odd spacing or order, any error) is fed line by line, and
# that path stays the reference for what is accepted and for every error message.
#
# The expressions only find the lines; the string literals in them are checked by _string_lines_value
# (a regular expression checking them character by character would cost more than the rest together).


def _entry_pattern(prefix: str, previous: str) -> re.Pattern[str]:
    """A whole entry whose keyword and string lines start with ``prefix``, previous msgid lines with
    ``previous``; groups: comments, previous lines, msgctxt, msgid, msgstr, msgid_plural, msgstr[n]
    lines, empty lines after it. A string group holds its lines from the opening quote on."""
    prefix, previous = re.escape(prefix), re.escape(previous)
    string = rf'"[^\n]*"\n(?:{prefix}"[^\n]*"\n)*'  # lines that start and end with a quote
    previous_string = rf'"[^\n]*"\n(?:{previous}"[^\n]*"\n)*'
    return re.compile(
        r"((?:#(?:[^~|\n][^\n]*)?\n)*)"  # comments, but not '#~' (obsolete) nor '#|' (previous msgid)
        rf"((?:{previous}(?:msgctxt|msgid|msgid_plural) {previous_string})*)"
        rf"(?:{prefix}msgctxt ({string}))?"
        rf"{prefix}msgid ({string})"
        rf"(?:{prefix}msgstr ({string})|{prefix}msgid_plural ({string})((?:{prefix}msgstr\[[0-9]+\] {string})+))"
        r"(\n*)"
    )


_ACTIVE_ENTRY = _entry_pattern("", "#| ")
_OBSOLETE_ENTRY = _entry_pattern("#~ ", "#~| ")
# the parts of the spans these found (any prefix: the span has the right ones)
_PREVIOUS_FIELD = re.compile(r'#~?\| (msgctxt|msgid|msgid_plural) ("[^\n]*"\n(?:#~?\| "[^\n]*"\n)*)')
# the '#|' keywords of an entry, in order, that gettext reads (the previous msgid is never optional)
_USUAL_PREVIOUS = {("msgid",), ("msgctxt", "msgid"), ("msgid", "msgid_plural"), ("msgctxt", "msgid", "msgid_plural")}
_PLURAL_FORM = re.compile(r'(?:#~ )?msgstr\[([0-9]+)\] ("[^\n]*"\n(?:(?:#~ )?"[^\n]*"\n)*)')
# lines that each hold exactly one string literal as _STRING reads it, and nothing else
_STRING_LINES = re.compile(r'(?:"[^"\\\n]*(?:\\.[^"\\\n]*)*"\n)+')


class _NotUsual(Exception):
    """The entry found by _ACTIVE_ENTRY or _OBSOLETE_ENTRY must be read line by line after all."""


def _string_lines_value(lines: str, prefix: str = "") -> str:
    r"""The value of ``"…"\n`` lines found by _entry_pattern, the later ones after ``prefix``: their
    bodies unescaped and joined.

    Raises _NotUsual unless each line is exactly one string literal, and CatalogError for an invalid
    escape. Bodies hold no newline, so ``\n`` + prefix only starts a line, and ``"\n"`` occurs exactly
    between two lines. Each body is unescaped on its own, as when read line by line: ``"\x4" "1"`` is
    not ``"\x41"``.
    """
    if prefix:
        lines = lines.replace("\n" + prefix, "\n")
    if "\\" not in lines:
        value = lines[1:-2].replace('"\n"', "")
        if '"' in value:  # a quote inside a body
            raise _NotUsual
        return value
    if _STRING_LINES.fullmatch(lines) is None:
        raise _NotUsual
    return "".join(_unescape(body) for body in lines[1:-2].split('"\n"'))


class _Reader:
    """Line-by-line PO grammar: comments, then [msgctxt] msgid (msgstr | msgid_plural msgstr[0..n])."""

    def __init__(self) -> None:
        self.entries: list[polib.POEntry] = []
        self.seen: dict[EntryKey, tuple[int, bool]] = {}  # key -> (line of its msgid, obsolete)
        self._reset()

    def _reset(self) -> None:
        self.first_line: int | None = None
        self.stage: str | None = None  # the last keyword read, msgstr[n] counting as "msgstr"
        self.target: str | int | None = None  # the value a continuation string extends
        self.values: dict[str | int, str] = {}  # keyword (plural forms by index) -> value
        self.lines: dict[str | int, int] = {}  # keyword -> its line, for error messages
        self.obsolete: bool | None = None
        self.tcomments: list[str] = []
        self.comments: list[str] = []
        self.occurrences: list[tuple[str, str]] = []
        self.flags: list[str] = []

    def feed(self, line: str, lineno: int) -> None:
        stripped = line.strip()
        if not stripped:
            # gettext would let a string after a blank line continue the one before; no tool writes
            # that, and it hides a lost keyword line, so a blank line ends the string
            self.target = None
            return
        if stripped.startswith("#~|"):
            self._previous(stripped[3:].strip(), lineno, obsolete=True)
        elif stripped.startswith("#~"):
            rest = stripped[2:].strip()
            if not rest:
                raise CatalogError("empty obsolete line '#~'")
            self._keyword_or_string(rest, lineno, obsolete=True)
        elif stripped.startswith("#|"):
            self._previous(stripped[2:].strip(), lineno, obsolete=None)
        elif stripped.startswith("#"):
            self._comment(line.lstrip(), lineno)
        else:
            self._keyword_or_string(stripped, lineno, obsolete=False)

    def finish(self) -> None:
        """End of file: the entry being read must be complete."""
        if self.stage is None and self.first_line is not None:
            raise CatalogError("comment lines at the end of the file belong to no entry", line=self.first_line)
        self._close_entry()

    def take_entry(self, match: re.Match, lineno: int, obsolete: bool) -> bool:
        """Read the entry _ACTIVE_ENTRY or _OBSOLETE_ENTRY matched at ``lineno`` as if its lines were
        fed one by one.

        False, with nothing changed, if it must be fed line by line after all (a stray quote, an
        invalid escape, plural forms out of order, '#|' lines gettext refuses), so that the error or oddity
        is dealt with there, at its line.
        """
        comments, previous, msgctxt, msgid, msgstr, msgid_plural, forms, blank = match.groups()
        prefix = "#~ " if obsolete else ""
        values: dict[str | int, str] = {}
        try:
            if previous:
                previous_prefix = "#~| " if obsolete else "#| "
                fields = _PREVIOUS_FIELD.findall(previous)
                if tuple(keyword for keyword, _lines in fields) not in _USUAL_PREVIOUS:
                    return False  # out of order, repeated, or without the previous msgid
                for keyword, lines in fields:
                    values["previous_" + keyword] = _string_lines_value(lines, previous_prefix)
            if msgctxt is not None:
                values["msgctxt"] = _string_lines_value(msgctxt, prefix)
            values["msgid"] = _string_lines_value(msgid, prefix)
            if msgstr is not None:
                values["msgstr"] = _string_lines_value(msgstr, prefix)
            else:
                values["msgid_plural"] = _string_lines_value(msgid_plural, prefix)
                for index, (number, lines) in enumerate(_PLURAL_FORM.findall(forms)):
                    if int(number) != index:
                        return False
                    values[index] = _string_lines_value(lines, prefix)
        except (_NotUsual, CatalogError):
            return False
        # from here on, what feeding the lines one by one would do: the first ends the entry before
        if self.stage is not None:
            self._close_entry()
        self.first_line = lineno  # as _begin_line(lineno, starts_entry=True)
        if comments:
            self._add_comments(comments[:-1].split("\n"))
        # a keyword's line is looked up again only for a duplicate msgid or an incomplete entry (not this)
        self.lines = {"msgid": lineno + match.string.count("\n", match.start(), match.start(4))}
        self.values = values
        self.obsolete = obsolete
        self.stage = "msgstr"
        self.target = None if blank else next(reversed(values))  # the last string read
        return True

    # one kind of line each

    def _comment(self, line: str, lineno: int) -> None:
        self._begin_line(lineno, starts_entry=True)
        if self.stage is None and any(isinstance(key, str) and key.startswith("previous_") for key in self.values):
            raise CatalogError("a comment line after '#|' lines: comments and flags come before the previous msgid")
        # a CR before the line end cannot be told from a CRLF line end: no comment ends with one
        self._add_comments((line.rstrip("\r"),))

    def _add_comments(self, lines: Iterable[str]) -> None:
        """Comment lines (starting with '#', not '#~' or '#|') into the entry being read."""
        comments, occurrences, flags, tcomments = self.comments, self.occurrences, self.flags, self.tcomments
        for line in lines:
            kind, text = line[1:2], line[2:]
            if kind == ".":
                comments.append(text[1:] if text.startswith(" ") else text)
            elif kind == ":":
                for ref in text.split():
                    name, _, number = ref.rpartition(":")
                    occurrences.append((name, number) if name and number.isdigit() else (ref, ""))
            elif kind == ",":
                flags.extend(flag.strip() for flag in text.split(",") if flag.strip())
            else:  # translator comment: everything after '#', less one space
                text = line[1:]
                tcomments.append(text[1:] if text.startswith(" ") else text)

    def _previous(self, rest: str, lineno: int, obsolete: bool | None) -> None:
        """A ``#|`` / ``#~|`` line: the msgctxt/msgid this fuzzy entry was translated from."""
        self._begin_line(lineno, starts_entry=True)
        self._check_obsolete(obsolete)
        if rest.startswith('"'):
            if not (isinstance(self.target, str) and self.target.startswith("previous_")):
                raise CatalogError("'#|' string continuation without a previous msgctxt/msgid before it")
            self.values[self.target] += _parse_string(rest)
            return
        word = _WORD.match(rest)
        if word is None or word.group() not in ("msgctxt", "msgid", "msgid_plural"):
            raise CatalogError(f"unknown keyword in a previous-msgid line: {rest[:20]!r}")
        keyword, mark = word.group(), "#~|" if obsolete else "#|"
        key = "previous_" + keyword
        if key in self.values:
            raise CatalogError(f"second '{mark} {keyword}' in one entry")
        later = [k for k in _PREVIOUS_ORDER[_PREVIOUS_ORDER.index(keyword) + 1:] if "previous_" + k in self.values]
        if later:
            raise CatalogError(
                f"'{mark} {keyword}' after '{mark} {later[0]}': gettext needs them in the order msgctxt, msgid, "
                "msgid_plural"
            )
        if keyword == "msgid_plural" and "previous_msgid" not in self.values:
            raise CatalogError(f"'{mark} msgid_plural' without a '{mark} msgid' before it")
        self.values[key] = _parse_string(rest[word.end():].lstrip())
        self.lines[key] = lineno
        self.target = key

    def _keyword_or_string(self, text: str, lineno: int, obsolete: bool) -> None:
        if text.startswith('"'):
            if self.target is None or (isinstance(self.target, str) and self.target.startswith("previous_")):
                raise CatalogError("string continuation line without a keyword before it")
            self._check_obsolete(obsolete)
            self.values[self.target] += _parse_string(text)
            return
        word = _WORD.match(text)
        if word is None:
            raise CatalogError(
                f"unexpected text {text[:20]!r}: expected a comment, a keyword (msgid, msgstr…) "
                "or a quoted string"
            )
        keyword = word.group()
        plural = _PLURAL_MSGSTR.fullmatch(keyword) if keyword not in _ALLOWED_AFTER else None
        if keyword not in _ALLOWED_AFTER and not plural:
            raise CatalogError(f"unknown keyword {keyword!r}")
        value = _parse_string(text[word.end():].lstrip())
        starts_entry = keyword == "msgctxt" or (keyword == "msgid" and self.stage != "msgctxt")
        self._begin_line(lineno, starts_entry)
        self._check_obsolete(obsolete)
        if self.stage is None and "previous_msgctxt" in self.values and "previous_msgid" not in self.values:
            mark = "#~|" if self.obsolete else "#|"
            raise CatalogError(
                f"'{mark} msgctxt' without a '{mark} msgid' after it: gettext reads the previous context only "
                "with the previous msgid",
                line=self.lines["previous_msgctxt"],
            )

        if plural:
            index, expected_index = int(plural.group(1)), self._plural_count()
            if self.stage not in ("msgid_plural", "msgstr") or "msgid_plural" not in self.values:
                raise CatalogError(f"{keyword} here, but expected {_EXPECTED[self.stage]}")
            if index != expected_index:
                raise CatalogError(f"{keyword} here, but expected msgstr[{expected_index}]")
            key, stage = index, "msgstr"
        else:
            if self.stage not in _ALLOWED_AFTER[keyword]:
                raise CatalogError(f"{keyword} here, but expected {_EXPECTED[self.stage]}")
            key = stage = keyword
        self.values[key] = value
        self.lines[key] = lineno
        self.target = key
        self.stage = stage

    # bookkeeping

    def _plural_count(self) -> int:
        return sum(1 for key in self.values if isinstance(key, int))

    def _begin_line(self, lineno: int, starts_entry: bool) -> None:
        """A comment, msgctxt or msgid after a complete entry starts the next one."""
        if starts_entry and self.stage is not None:
            self._close_entry()
        if self.first_line is None:
            self.first_line = lineno

    def _check_obsolete(self, obsolete: bool | None) -> None:
        if obsolete is None:
            return
        if self.obsolete is None:
            self.obsolete = obsolete
        elif self.obsolete != obsolete:
            raise CatalogError("one entry mixes obsolete ('#~') and active lines")

    def _close_entry(self) -> None:
        if self.stage is None:
            return  # only comments so far: they belong to the entry that follows
        if self.stage != "msgstr":
            raise CatalogError(_INCOMPLETE[self.stage], line=self.lines[self.stage])
        entry = _new_entry(
            self.values, bool(self.obsolete), self.tcomments, self.comments, self.occurrences, self.flags,
            self.first_line,
        )
        # gettext keeps obsolete entries in the same list as the others: two entries with one msgctxt and
        # msgid are refused whether they are active or obsolete ('#~'), and an obsolete msgid "" would be
        # a second header
        key = (entry.msgctxt, entry.msgid)  # entry_key(entry)
        if entry.obsolete and key == (None, ""):
            raise CatalogError("an obsolete entry with an empty msgid: gettext reads it as a second header",
                               line=self.lines["msgid"])  # fmt: skip
        if key in self.seen:
            raise CatalogError(
                f"duplicate entry: same msgctxt and msgid as the {'obsolete ' if self.seen[key][1] else ''}"
                f"entry at line {self.seen[key][0]}",
                line=self.lines["msgid"],
            )
        self.seen[key] = (self.lines["msgid"], entry.obsolete)
        self.entries.append(entry)
        self._reset()


# polib.POEntry(**fields) spends most of its time in kwargs.get(). Setting the attributes its __init__
# sets, in the same order, on a bare instance makes the same object (same vars(), same compact
# instance dict) several times faster. Checked against the installed polib: if its __init__ sets other
# attributes, entries are made by calling it.
_POENTRY_ATTRIBUTES = (
    "msgid", "msgstr", "msgid_plural", "msgstr_plural", "msgctxt", "obsolete", "encoding", "comment",
    "tcomment", "occurrences", "flags", "previous_msgctxt", "previous_msgid", "previous_msgid_plural", "linenum",
)  # fmt: skip
_BYPASS_POENTRY_INIT = tuple(vars(polib.POEntry())) == _POENTRY_ATTRIBUTES


def new_entry(
    msgid: str,
    *,
    msgstr: str = "",
    msgctxt: str | None = None,
    comment: str = "",
    tcomment: str = "",
    occurrences: list[tuple[str, str]] | None = None,
    flags: list[str] | None = None,
    previous_msgid: str | None = None,
    previous_msgctxt: str | None = None,
    obsolete: bool = False,
) -> polib.POEntry:
    """``polib.POEntry(msgid=…, …)`` of a singular entry, made as the reader makes its entries (see
    _BYPASS_POENTRY_INIT): templates and merges make one per segment."""
    if not _BYPASS_POENTRY_INIT:
        return polib.POEntry(
            msgid=msgid, msgstr=msgstr, msgctxt=msgctxt, comment=comment, tcomment=tcomment,
            occurrences=[] if occurrences is None else occurrences, flags=[] if flags is None else flags,
            previous_msgid=previous_msgid, previous_msgctxt=previous_msgctxt, obsolete=obsolete,
        )  # fmt: skip
    entry = polib.POEntry.__new__(polib.POEntry)
    entry.msgid = msgid
    entry.msgstr = msgstr
    entry.msgid_plural = ""
    entry.msgstr_plural = {}
    entry.msgctxt = msgctxt
    entry.obsolete = obsolete
    entry.encoding = polib.default_encoding
    entry.comment = comment
    entry.tcomment = tcomment
    entry.occurrences = [] if occurrences is None else occurrences
    entry.flags = [] if flags is None else flags
    entry.previous_msgctxt = previous_msgctxt
    entry.previous_msgid = previous_msgid
    entry.previous_msgid_plural = None
    entry.linenum = None
    return entry


def _new_entry(
    values: dict[str | int, str],
    obsolete: bool,
    tcomments: list[str],
    comments: list[str],
    occurrences: list[tuple[str, str]],
    flags: list[str],
    linenum: int | None,
) -> polib.POEntry:
    """The POEntry of a complete entry read from ``values`` (see _Reader) and its comment lines."""
    get = values.get
    # plural forms (int keys) only come after a msgid_plural
    msgstr_plural = {k: v for k, v in values.items() if isinstance(k, int)} if "msgid_plural" in values else {}
    if _BYPASS_POENTRY_INIT:
        entry = polib.POEntry.__new__(polib.POEntry)
        entry.msgid = values["msgid"]
        entry.msgstr = get("msgstr", "")
        entry.msgid_plural = get("msgid_plural", "")
        entry.msgstr_plural = msgstr_plural
        entry.msgctxt = get("msgctxt")
        entry.obsolete = obsolete
        entry.encoding = polib.default_encoding
        entry.comment = "\n".join(comments)
        entry.tcomment = "\n".join(tcomments)
        entry.occurrences = occurrences
        entry.flags = flags
        entry.previous_msgctxt = get("previous_msgctxt")
        entry.previous_msgid = get("previous_msgid")
        entry.previous_msgid_plural = get("previous_msgid_plural")
        entry.linenum = linenum
    else:
        entry = polib.POEntry(
            msgctxt=get("msgctxt"),
            msgid=values["msgid"],
            msgid_plural=get("msgid_plural", ""),
            msgstr=get("msgstr", ""),
            msgstr_plural=msgstr_plural,
            obsolete=obsolete,
            tcomment="\n".join(tcomments),
            comment="\n".join(comments),
            occurrences=occurrences,
            flags=flags,
            previous_msgctxt=get("previous_msgctxt"),
            previous_msgid=get("previous_msgid"),
            previous_msgid_plural=get("previous_msgid_plural"),
            linenum=linenum,
        )
    # "" cannot tell "no comment" from "one empty comment line"; remember the latter
    blank = entry.blank_comment_fields = set()
    if tcomments == [""]:
        blank.add("tcomment")
    if comments == [""]:
        blank.add("comment")
    return entry


def _read_entries(text: str, whole_entries: bool = True) -> list[polib.POEntry]:
    """The entries of PO text: usual entries whole (see _entry_pattern), any other line by line.

    ``whole_entries=False`` feeds every line, the reference the tests hold the fast path to.
    """
    reader = _Reader()
    # feeding drops the CR of a CRLF line end; rather than doing the same, CRLF text is fed line by line
    fast = whole_entries and "\r" not in text
    pos, lineno = 0, 1  # the line reader.feed() would be given next, as text.split("\n")[lineno - 1]
    try:
        while True:
            # a whole entry may be taken where the entry before is complete, or where there is none
            if fast and (reader.stage == "msgstr" or reader.first_line is None):
                match, obsolete = _ACTIVE_ENTRY.match(text, pos), False
                if match is None:
                    match, obsolete = _OBSOLETE_ENTRY.match(text, pos), True
                if match is not None and reader.take_entry(match, lineno, obsolete):
                    end = match.end()
                    lineno += text.count("\n", pos, end)
                    pos = end
                    continue
            end = text.find("\n", pos)
            if end < 0:  # the last line (empty when the text ends with a newline)
                reader.feed(text[pos:].removesuffix("\r"), lineno)
                break
            reader.feed(text[pos:end].removesuffix("\r"), lineno)
            pos, lineno = end + 1, lineno + 1
    except CatalogError as exc:
        raise exc.at(line=lineno) from None
    reader.finish()
    return reader.entries


def parse_catalog(text: str, path: str | Path = "<string>") -> polib.POFile:
    """Parse PO text strictly; the first malformed line raises CatalogError(path=, line=)."""
    if text.startswith("\ufeff"):
        raise CatalogError("the file starts with a byte order mark, which gettext tools reject", path, 1)
    for char in _RESERVED_CHARACTERS:
        found = text.find(chr(char))
        if found >= 0:
            line = text.count("\n", 0, found) + 1
            raise CatalogError(f"{_RESERVED_CHARACTERS[char]}: a PO file cannot hold it", path, line)
    try:
        entries = _read_entries(text)
    except CatalogError as exc:
        raise exc.at(path) from None

    po = polib.POFile(wrapwidth=WRAP_WIDTH, encoding="utf-8")
    po.fpath = None if str(path) == "<string>" else str(path)
    for index, entry in enumerate(entries):
        if not entry.obsolete and entry_key(entry) == (None, ""):  # at most one: duplicates are refused
            po.header = entry.tcomment
            po.metadata = _metadata_from_text(entry.msgstr)
            po.metadata_is_fuzzy = "fuzzy" in entry.flags
            po.header_as_read = _HeaderAsRead(entry, list(po.metadata.items()))
            del entries[index]
            break
    po.extend(entries)  # polib's append() only adds a duplicate check, off in a new POFile
    problems = list(_catalog_problems(po))
    if problems:
        raise _first_problem_in_text(problems, po, text).at(path)
    return po


def _metadata_from_text(msgstr: str) -> dict[str, str]:
    """Header fields in file order; a line without a colon continues the previous field (as polib does)."""
    metadata: dict[str, str] = {}
    name = None
    for line in msgstr.split("\n"):
        key, colon, value = line.partition(":")
        if colon and key.strip():
            name = key.strip()
            metadata[name] = value.strip()
        elif line.strip() and name is not None:
            metadata[name] += "\n" + line.strip()
    return metadata


# --- what msgfmt -c refuses in a catalog that parses ------------------------------------------------
#
# The reader checks the syntax line by line; these checks need the whole catalog (the header's
# Plural-Forms for every plural entry). They run after reading, so that a catalog gettext would refuse
# is refused when it is read (status, build and update stop at it, nothing is written), and again before
# writing, for what code changed in between (an approval that un-fuzzies an entry).


@dataclass(frozen=True)
class _Problem:
    """What msgfmt -c would refuse: in ``entry`` (None: the header), on the line of ``keyword``."""

    entry: polib.POEntry | None
    keyword: str  # "msgstr", "msgstr[1]", "msgid_plural", or the header field "Plural-Forms"
    message: str


def _catalog_problems(po: polib.POFile) -> Iterable[_Problem]:
    """The header's Plural-Forms, and the entries msgfmt compiles: active, translated, not fuzzy."""
    nplurals = None
    declared = po.metadata.get("Plural-Forms")
    if declared is not None:
        try:
            nplurals = plural_count(declared)
        except CatalogError as exc:
            yield _Problem(None, "Plural-Forms", exc.message + _convention_hint(po))
    for entry in po:  # this runs for every entry read and written: the usual entry costs a few comparisons
        if entry.obsolete:
            continue  # msgfmt compiles no obsolete entry
        if entry.msgstr_plural:
            forms = [entry.msgstr_plural[key] for key in sorted(entry.msgstr_plural, key=int)]
            if not forms[0] or "fuzzy" in entry.flags:
                continue  # untranslated or fuzzy: not compiled either
            yield from _plural_form_problems(po, entry, len(forms), nplurals, declared is not None)
            if entry.msgid:
                pairs = [("msgid_plural", entry.msgid_plural), *((f"msgstr[{i}]", f) for i, f in enumerate(forms))]
                yield from _newline_problems(entry, pairs)
            continue
        msgstr, msgid = entry.msgstr, entry.msgid
        # msgfmt compares line breaks only with a msgid that has text
        if (
            msgstr and msgid
            and ((msgid[0] == "\n") != (msgstr[0] == "\n") or (msgid[-1] == "\n") != (msgstr[-1] == "\n"))
            and "fuzzy" not in entry.flags
        ):  # fmt: skip
            yield from _newline_problems(entry, [("msgstr", msgstr)])


def _plural_form_problems(po: polib.POFile, entry: polib.POEntry, count: int, nplurals: int | None, declared: bool):
    if nplurals is None:
        if not declared:  # a Plural-Forms that is there but wrong is reported on its own
            message = "a translated plural entry, but the header has no Plural-Forms to tell which msgstr[n] is for "
            yield _Problem(entry, "msgid_plural", message + "which number" + _convention_hint(po))
    elif count != nplurals:
        keyword = f"msgstr[{nplurals}]" if count > nplurals else f"msgstr[{count - 1}]"
        forms = f"{count} plural forms (msgstr[0] to msgstr[{count - 1}])" if count > 1 else "1 plural form (msgstr[0])"
        yield _Problem(entry, keyword, f"{forms}, but the header's Plural-Forms says nplurals={nplurals}")


def _newline_problems(entry: polib.POEntry, pairs: Iterable[tuple[str, str]]) -> Iterable[_Problem]:
    """gettext's check that a translation keeps the line breaks at both ends of its msgid."""
    msgid = entry.msgid
    begins, ends = msgid[0] == "\n", msgid[-1] == "\n"
    for keyword, text in pairs:
        for where, expected, found in (("begin", begins, text[:1] == "\n"), ("end", ends, text[-1:] == "\n")):
            if expected != found:
                msgid_does = f"msgid {where}s with \\n" if expected else f"msgid does not {where} with \\n"
                other_does = f"{keyword} does not" if expected else f"{keyword} does"
                gettext_says = f"msgfmt: 'msgid' and '{keyword}' entries do not both {where} with '\\n'"
                yield _Problem(entry, keyword, f"{msgid_does} but {other_does} ({gettext_says})")


def _convention_hint(po: polib.POFile) -> str:
    """What new_catalog would write for the catalog's Language, as msgfmt suggests one."""
    lang = po.metadata.get("Language", "").strip()
    try:
        return f"; for {lang}, gettext's convention is 'Plural-Forms: {plural_forms(lang)}'" if lang else ""
    except CatalogError:
        return ""


def _first_problem_in_text(problems: list[_Problem], po: polib.POFile, text: str) -> CatalogError:
    """The first problem by line, as a CatalogError at the line of its keyword in ``text``."""
    lines = text.split("\n")
    as_read: _HeaderAsRead | None = getattr(po, "header_as_read", None)
    located = []
    for problem in problems:
        start = problem.entry.linenum if problem.entry is not None else as_read.entry.linenum if as_read else None
        located.append((_keyword_line(lines, start, problem.keyword) or 0, problem.message))
    line, message = min(located)
    return CatalogError(message, line=line or None)


def _keyword_line(lines: list[str], start: int | None, keyword: str) -> int | None:
    """The line of ``keyword`` (or of the header field) in the entry that starts on line ``start``."""
    if start is None:
        return None
    for index in range(start - 1, len(lines)):
        line = lines[index].strip()
        if line.startswith("#"):
            continue
        if keyword[0].isupper():  # a header field, in one of the header's strings
            if f"{keyword}:" in line:
                return index + 1
        elif line.startswith(keyword) and line[len(keyword):len(keyword) + 1] in (" ", "\t", '"'):
            return index + 1
    return start


def _first_problem_in_catalog(problems: list[_Problem], po: polib.POFile) -> CatalogError:
    """The first problem of a catalog about to be written, at the line its entry was read from."""
    problem = problems[0]
    if problem.entry is None:
        as_read = getattr(po, "header_as_read", None)
        return CatalogError(problem.message, line=as_read.entry.linenum if as_read else None)
    return CatalogError(f"entry {_excerpt(problem.entry.msgid)}: {problem.message}", line=problem.entry.linenum)


def _excerpt(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _check_obsolete_keys(po: polib.POFile, active: dict[EntryKey, polib.POEntry]) -> None:
    """gettext refuses an obsolete entry with the msgctxt and msgid of another entry, or an empty msgid."""
    keys = set(active)
    for entry in po:
        if entry.obsolete:
            key = entry_key(entry)
            if key in keys or key == (None, ""):
                what = "a second header" if key == (None, "") else "a duplicate of another entry"
                message = f"obsolete entry {_excerpt(entry.msgid)} is {what}"
                raise CatalogError(message, path=po.fpath, line=entry.linenum)
            keys.add(key)


def _reserved_character_error(entries: list[polib.POEntry]) -> CatalogError:
    """The entry that holds a NUL or EOT character (set by code: the reader refuses them)."""
    for entry in entries:
        text = "\n".join(_entry_lines(entry))
        for char, name in _RESERVED_CHARACTERS.items():
            if chr(char) in text:
                what = "the header" if entry.msgid == "" and entry.msgctxt is None else f"entry {_excerpt(entry.msgid)}"
                return CatalogError(f"{what} holds {name}: a PO file cannot hold it", line=entry.linenum)
    raise AssertionError("no entry holds the character found in the text")


# --- headers ----------------------------------------------------------------------------------------


def header_is_missing(po: polib.POFile) -> bool:
    """Whether the catalog has no header field: no header entry, an empty one, a 0-byte file.

    msgfmt -c refuses such a catalog ("PO file header missing or invalid"); every write gives it one.
    """
    return not po.metadata


def complete_header(po: polib.POFile, fresh: polib.POFile) -> polib.POFile:
    """``po`` itself if it has a header; else a catalog with its entries and the header of ``fresh``
    (a :func:`new_catalog`), keeping the header comment ``po`` had, if any."""
    if not header_is_missing(po):
        return po
    completed = polib.POFile(wrapwidth=po.wrapwidth, encoding=fresh.encoding)
    completed.fpath = po.fpath
    completed.header = po.header or fresh.header
    completed.metadata = dict(fresh.metadata)
    completed.metadata_is_fuzzy = False
    completed.extend(po)
    return completed


def _header_for_path(path: str | Path) -> polib.POFile:
    """The header a catalog without one gets when it is written to ``path``: a new catalog's, for the
    language of its ``LANG/LC_MESSAGES`` folder; ``Project-Id-Version`` is the file's name (the PO layer
    does not know the project: ``update``, which does, gives the project's name)."""
    path = Path(path)
    if path.suffix == ".pot":
        return new_catalog(None, project=path.stem, template=True)
    if path.parent.name == "LC_MESSAGES" and path.suffix == ".po":
        lang = path.parent.parent.name
        try:
            return new_catalog(lang, project=path.stem)
        except CatalogError:
            raise CatalogError(
                f"the catalog has no header, and {lang!r} (its folder's name) is not a language to make one for",
                path,
            ) from None
    raise CatalogError(
        "the catalog has no header, and its language cannot be told from where it is (LANG/LC_MESSAGES/NAME.po)", path
    )


# --- encodings --------------------------------------------------------------------------------------

_HEADER_BLOCK = re.compile(rb'(?m)^msgid[ \t]+""[ \t]*\r?\n[ \t]*msgstr[ \t]+""[ \t]*\r?\n(?:[ \t]*".*\n)*')
_CHARSET_BYTES = re.compile(rb"Content-Type:[^\n]*?charset=([A-Za-z0-9_.:+-]+)")
_CHARSET_TEXT = re.compile(r"charset=([A-Za-z0-9_.:+-]+)")


def _codec_name(charset: str) -> str:
    if charset.upper() == "CHARSET":  # xgettext's placeholder in templates: gettext reads them as ASCII/UTF-8
        return "utf-8"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        raise CatalogError(f"unknown charset {charset!r} in the Content-Type header") from None


def _catalog_encoding(po: polib.POFile) -> str:
    """The codec a catalog is written in; it must agree with the charset its header declares."""
    encoding = _codec_name(po.encoding or "utf-8")
    declared = _CHARSET_TEXT.search(po.metadata.get("Content-Type", ""))
    if declared and _codec_name(declared.group(1)) != encoding:
        raise CatalogError(
            f"the header declares charset={declared.group(1)} but the catalog is encoded as {po.encoding}",
            path=po.fpath,
        )
    return encoding


def read_catalog(path: Path) -> polib.POFile:
    """Read a PO file in the charset its header declares (UTF-8 when none) and parse it strictly."""
    path = Path(path)
    try:
        data = read_file(path, what="catalog")
    except FileNotFoundError as exc:
        raise CatalogError(f"cannot read the catalog: {exc.strerror or exc}", path) from exc
    except FileError as exc:
        raise CatalogError(exc.message, path) from None
    return catalog_from_bytes(data, path)


def catalog_from_bytes(data: bytes, path: Path) -> polib.POFile:
    """Parse the bytes of the PO file at ``path`` (read by the caller) in the charset its header declares."""
    nul = data.find(b"\0")
    if nul >= 0:  # before decoding: UTF-16 text decodes as "valid" UTF-8 full of NULs
        raise CatalogError(
            "NUL byte: a PO file is text in the charset its header declares (is this file UTF-16?)",
            path, data.count(b"\n", 0, nul) + 1,
        )  # fmt: skip
    header = _HEADER_BLOCK.search(data)
    declared = header and _CHARSET_BYTES.search(header.group())
    charset = declared.group(1).decode("ascii") if declared else "UTF-8"
    try:
        encoding = _codec_name(charset)
    except CatalogError as exc:
        raise exc.at(path, data.count(b"\n", 0, header.start() + declared.start()) + 1 if declared else None) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogError(
            f"byte 0x{data[exc.start]:02X} is not valid {charset} (the charset of this catalog)", path, line
        ) from None
    po = parse_catalog(text, path)
    po.encoding = encoding
    _catalog_encoding(po)
    return po


# --- writing ----------------------------------------------------------------------------------------

_ESCAPES = {char: "\\" + code for code, char in _SIMPLE_ESCAPES.items()}
_NEEDS_ESCAPE = re.compile("|".join(map(re.escape, _ESCAPES)))


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def _wrap(escaped: str, width: int) -> list[str]:
    """Break after spaces into pieces of at most ``width`` where possible; words are never split.

    One regular expression does it (this runs for every long string of every catalog written): the
    longest run of at most ``width`` characters that ends after spaces or at the end, else one word.
    """
    if len(escaped) <= width:
        return [escaped]
    return _piece_pattern(width).findall(escaped)


@functools.cache
def _piece_pattern(width: int) -> re.Pattern[str]:
    return re.compile(rf".{{1,{width}}}(?:(?<= )(?! )|$)|[^ ]* +|[^ ]+")


_VALUE_LINES = re.compile(r"[^\n]*\n|[^\n]+")


def _string_lines(prefix: str, keyword: str, value: str) -> list[str]:
    """``keyword "value"`` on one line if it fits, else gettext style: ``keyword ""`` then wrapped lines."""
    # each line of the value with its \n; most values are one line
    parts = [_escape(part) for part in _VALUE_LINES.findall(value)] if "\n" in value else [_escape(value)]
    first = f'{prefix}{keyword} "'
    if len(parts) == 1 and len(first) + len(parts[0]) + 1 <= WRAP_WIDTH:
        return [f'{first}{parts[0]}"']
    width = WRAP_WIDTH - len(prefix) - 2
    return [f'{prefix}{keyword} ""'] + [f'{prefix}"{piece}"' for part in parts for piece in _wrap(part, width)]


def _reference_lines(occurrences: list[tuple[str, str]]) -> list[str]:
    lines, line = [], "#:"
    for name, number in occurrences:
        ref = f"{name}:{number}" if number else name
        if line != "#:" and len(line) + 1 + len(ref) > WRAP_WIDTH:
            lines.append(line)
            line = "#:"
        line += " " + ref
    lines.append(line)
    return lines


def _entry_lines(entry: polib.POEntry) -> list[str]:
    lines = []
    blank = getattr(entry, "blank_comment_fields", ())
    for name, mark in (("tcomment", "#"), ("comment", "#.")):
        text = getattr(entry, name) or ""
        if text or name in blank:
            comment_lines = text.split("\n")
            if "\r" in text:  # a CR at the end of a line would be read back as part of a CRLF line end
                comment_lines = [line.rstrip("\r") for line in comment_lines]
            lines += [f"{mark} {line}" if line else mark for line in comment_lines]
    if entry.occurrences:
        lines += _reference_lines(entry.occurrences)
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    previous = "#~| " if entry.obsolete else "#| "
    for keyword in ("msgctxt", "msgid", "msgid_plural"):
        value = getattr(entry, "previous_" + keyword, None)
        if value is not None:
            lines += _string_lines(previous, keyword, value)
    prefix = "#~ " if entry.obsolete else ""
    if entry.msgctxt is not None:
        lines += _string_lines(prefix, "msgctxt", entry.msgctxt)
    lines += _string_lines(prefix, "msgid", entry.msgid)
    if entry.msgstr_plural:
        lines += _string_lines(prefix, "msgid_plural", entry.msgid_plural)
        for index in sorted(entry.msgstr_plural, key=int):
            lines += _string_lines(prefix, f"msgstr[{index}]", entry.msgstr_plural[index])
    elif entry.msgid_plural:
        raise CatalogError(
            f"entry {entry.msgid!r} has a msgid_plural but no msgstr[0], msgstr[1]…", line=entry.linenum
        )
    else:
        lines += _string_lines(prefix, "msgstr", entry.msgstr)
    return lines


_UNWRITABLE = {char: "\ufffd" for char in _RESERVED_CHARACTERS}


def _writable(entry: polib.POEntry) -> polib.POEntry:
    """The entry with NUL and U+0004 (EOT) in its translations and comments as U+FFFD (a copy if any).

    No PO file can hold them (msgfmt cuts a string short at NUL and refuses EOT), and the reader refuses
    a file that does; one that code put in a translation (an engine's answer, pasted text) is marked, as
    CommonMark marks NUL, rather than written. In a msgctxt or msgid, the entry's key, it is refused.
    """
    fields = {name: getattr(entry, name) for name in ("msgstr", "tcomment", "comment")}
    fields["msgstr_plural"] = dict(entry.msgstr_plural)
    texts = [*fields.values(), *fields["msgstr_plural"].values()]
    if not any("\0" in text or "\x04" in text for text in texts if isinstance(text, str)):
        return entry
    copy = polib.POEntry.__new__(polib.POEntry)
    vars(copy).update(vars(entry))
    for name in ("msgstr", "tcomment", "comment"):
        setattr(copy, name, (fields[name] or "").translate(_UNWRITABLE))
    copy.msgstr_plural = {key: form.translate(_UNWRITABLE) for key, form in fields["msgstr_plural"].items()}
    return copy


def copy_header(source: polib.POFile, target: polib.POFile) -> None:
    """Give ``target`` the header of ``source`` as it was read: comments, flags and every field's text.

    ``update`` builds each catalog anew from its template and keeps the old file's header this way, so
    that a field nobody changed (Plural-Forms above all) is written back exactly as it was, whichever
    Babel or language data the person running it has installed.
    """
    target.header = source.header
    target.metadata = dict(source.metadata)
    target.metadata_is_fuzzy = source.metadata_is_fuzzy
    as_read = getattr(source, "header_as_read", None)
    if as_read is not None:
        target.header_as_read = as_read


def _header_entry(po: polib.POFile) -> polib.POEntry | None:
    as_read: _HeaderAsRead | None = getattr(po, "header_as_read", None)
    if as_read is None and not po.metadata and not po.header:
        return None  # the file had no header; do not invent one
    fields = list(po.metadata.items())
    header = polib.POEntry(msgid="", tcomment=po.header)
    if as_read is not None and fields == as_read.metadata:
        header.msgstr = as_read.entry.msgstr  # unchanged: keep its exact text
    elif as_read is not None:
        header.msgstr = _changed_header_text(as_read, fields)
    else:
        header.msgstr = "".join(f"{name}: {value}\n" for name, value in fields)
    if as_read is not None:
        header.comment = as_read.entry.comment
        header.occurrences = as_read.entry.occurrences
        header.flags = [flag for flag in as_read.entry.flags if flag != "fuzzy"]
        header.blank_comment_fields = as_read.entry.blank_comment_fields
    if po.metadata_is_fuzzy:
        header.flags.insert(0, "fuzzy")
    return header


def _changed_header_text(as_read: _HeaderAsRead, fields: list[tuple[str, str]]) -> str:
    """The header text with only the changed fields rewritten: a field whose value did not change keeps
    its text as read (spacing, continuation lines), so that updating one date rewrites one line."""
    preamble, raw = _header_field_texts(as_read.entry.msgstr)
    old_values = dict(as_read.metadata)
    parts = [preamble]
    for name, value in fields:
        if name in raw and old_values.get(name) == value:
            parts.append(raw[name])
        else:
            parts.append(f"{name}: {value}\n")
    return "".join(parts)


def _header_field_texts(msgstr: str) -> tuple[str, dict[str, str]]:
    """The header text split as _metadata_from_text reads it: the lines before the first field, and
    each field's lines (its own and its continuation lines) by name, each ending with its "\n"."""
    preamble, raw, name = "", {}, None
    for line in _VALUE_LINES.findall(msgstr):
        key, colon, _value = line.partition(":")
        if colon and key.strip():
            name = key.strip()
            raw[name] = line
        elif name is None:
            preamble += line
        else:
            raw[name] += line
    if name is not None and not raw[name].endswith("\n"):
        raw[name] += "\n"  # only the last field can lack its newline, and another may now follow it
    return preamble, raw


def catalog_to_text(po: polib.POFile) -> str:
    """The PO text of a catalog: same catalog, same text (see the module docstring for the layout).

    What ``msgfmt -c`` would refuse is refused here too, before anything is written (CatalogError at
    the line the entry was read from): duplicates, a Plural-Forms it cannot use, a translation whose
    ``\\n`` at either end disagrees with its msgid, NUL and EOT characters. A catalog without a header
    is written without one: :func:`catalog_to_bytes` gives it one.
    """
    _check_obsolete_keys(po, index_entries(po))  # refuse to write duplicates that gettext would reject
    problems = list(_catalog_problems(po))
    if problems:
        raise _first_problem_in_catalog(problems, po).at(po.fpath)
    header = _header_entry(po)
    entries = [header] if header is not None else []
    entries += [e for e in po if not e.obsolete] + [e for e in po if e.obsolete]
    try:
        text = "\n".join(map(_entry_text, entries))
        if "\0" in text or "\x04" in text:  # rare: set by code; see _writable
            entries = [_writable(entry) for entry in entries]
            text = "\n".join("\n".join(_entry_lines(entry)) + "\n" for entry in entries)
    except CatalogError as exc:
        raise exc.at(po.fpath) from None
    if "\0" in text or "\x04" in text:
        raise _reserved_character_error(entries).at(po.fpath)
    return text


_texts_written: dict | None = None  # entry contents -> their text, while reuse_entry_texts() is on


@contextlib.contextmanager
def reuse_entry_texts():
    """Within it, an entry written before with the same contents is not written again (its text is
    reused): a catalog written twice with only its header changed (compared, then dated) costs one."""
    global _texts_written
    outer = _texts_written
    _texts_written = {} if outer is None else outer
    try:
        yield
    finally:
        _texts_written = outer


def _entry_text(entry: polib.POEntry) -> str:
    cache = _texts_written
    if cache is None:
        return "\n".join(_entry_lines(entry)) + "\n"
    # everything _entry_lines reads
    try:
        key = (
            entry.tcomment, entry.comment, tuple(getattr(entry, "blank_comment_fields", ())), tuple(entry.occurrences),
            tuple(entry.flags), getattr(entry, "previous_msgctxt", None), getattr(entry, "previous_msgid", None),
            getattr(entry, "previous_msgid_plural", None), entry.obsolete, entry.msgctxt, entry.msgid, entry.msgid_plural,
            tuple(sorted(entry.msgstr_plural.items())) if entry.msgstr_plural else None, entry.msgstr,
        )
        text = cache.get(key)
    except TypeError:  # something unhashable set by code: written as it is
        return "\n".join(_entry_lines(entry)) + "\n"
    if text is None:
        text = cache[key] = "\n".join(_entry_lines(entry)) + "\n"
    return text


def catalog_to_bytes(po: polib.POFile, path: str | Path = "<catalog>") -> bytes:
    """The catalog's text in its own encoding; a character the charset cannot hold is a CatalogError.

    A catalog without header fields (no header entry, an empty one, a 0-byte file: msgfmt refuses them
    all) is written with the header :func:`new_catalog` gives the language of its folder
    (``LANG/LC_MESSAGES/NAME.po``, the gettext layout); its own header comment is kept.
    """
    if header_is_missing(po):
        po = complete_header(po, _header_for_path(path))
    encoding = _catalog_encoding(po)
    text = catalog_to_text(po)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise CatalogError(
            f"{text[exc.start]!r} cannot be written in {encoding}, the charset of this catalog", path, line
        ) from None


def write_catalog_bytes(path: Path, data: bytes) -> bool:
    try:
        return atomic_write_bytes(Path(path), data)
    except OSError as exc:
        raise CatalogError(f"cannot write the catalog: {exc.strerror or exc}", path) from exc


def write_catalog(path: Path, po: polib.POFile) -> bool:
    """Write atomically in the catalog's own encoding; return False (file untouched) if it already holds this."""
    return write_catalog_bytes(path, catalog_to_bytes(po, path))


# --- new catalogs -----------------------------------------------------------------------------------


def _timestamp(now: datetime | None) -> str:
    return po_stamp(now)


def plural_forms(lang: str) -> str:
    """The ``Plural-Forms`` header a new catalog in ``lang`` (a CLDR locale id) gets.

    The gettext convention first, as Weblate's language data records it (the formulas GNU gettext, Poedit
    and Weblate write: French ``nplurals=2; plural=(n > 1);``); CLDR through Babel only for a language
    that data does not know. CLDR's rules are made for number formatting and change between releases
    (CLDR 48 gave French a third form for "a million"), while translators' tools and existing
    translations follow the convention. Raises CatalogError for an id that is not a CLDR locale.
    """
    # imported here: only a new catalog needs them, and babel.messages costs ~5 ms to import
    from babel.core import Locale, UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        locale = Locale.parse(lang)
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise CatalogError(f"unknown language {lang!r}: use a CLDR locale id such as ja, fr, ar or zh_Hans") from exc
    convention = _conventional_plural(lang, locale)
    if convention is None:
        return str(get_plural(locale))
    count, formula = convention
    if not formula.isdigit() and not _enclosed_in_parentheses(formula):
        formula = f"({formula})"
    return f"nplurals={count}; plural={formula};"


def _conventional_plural(lang: str, locale: Locale) -> tuple[int, str] | None:
    """(nplurals, formula) from Weblate's language data, for the most specific code it knows.

    Weblate's codes are CLDR-like (``zh_Hans``, ``pt_BR``, ``sr_Latn``) and its aliases cover other
    spellings (``zh`` and ``zh_CN`` are ``zh_Hans``, ``iw`` is ``he``); a region or script it does not
    list falls back to the language (``fr_FR`` is ``fr``).
    """
    codes, aliases = _weblate_plurals()
    language, script, territory = locale.language, locale.script, locale.territory
    tried = (
        lang,
        "_".join(p for p in (language, script, territory) if p),
        "_".join(p for p in (language, script) if p),
        "_".join(p for p in (language, territory) if p),
        language,
    )
    for code in tried:
        key = code.lower()
        found = codes.get(key) or codes.get(aliases.get(key, "").lower())
        if found is not None:
            return found
    return None


@functools.cache
def _weblate_plurals() -> tuple[dict[str, tuple[int, str]], dict[str, str]]:
    """Weblate's plural table by lower-case code, and its aliases; imported only when a catalog is made."""
    from weblate_language_data.aliases import ALIASES
    from weblate_language_data.languages import LANGUAGES

    return {code.lower(): (count, formula) for code, _name, count, formula in LANGUAGES}, ALIASES


def _enclosed_in_parentheses(formula: str) -> bool:
    """Whether one pair of parentheses holds the whole formula: ``(n > 1)`` yes, ``(n) ? 0 : 1`` no."""
    if not (formula.startswith("(") and formula.endswith(")")):
        return False
    depth = 0
    for index, char in enumerate(formula):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and index < len(formula) - 1:
            return False
    return True


def new_catalog(
    lang: str | None, *, project: str, template: bool = False, now: datetime | None = None
) -> polib.POFile:
    """A fresh, empty catalog whose header passes ``msgfmt -c``.

    ``lang`` is a CLDR locale id (``ja``, ``zh_Hans``, ``ar``), or None for a template. The dates come
    from ``now`` (an aware datetime), else from SOURCE_DATE_EPOCH, else from the clock. Plural-Forms are
    the gettext convention for the language (see :func:`plural_forms`). Templates have no Plural-Forms:
    xgettext's placeholder ``nplurals=INTEGER; plural=EXPRESSION;`` makes ``msgfmt -c`` fail ("invalid
    nplurals value").
    """
    if template != (lang is None):
        raise CatalogError("a template has no language, and a translation catalog needs one")
    stamp = _timestamp(now)
    metadata = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": stamp,
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE" if template else stamp,
        "Last-Translator": "",
        "Language-Team": "",
        "Language": lang or "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    if not template:
        metadata["Plural-Forms"] = plural_forms(lang)
    po = polib.POFile(wrapwidth=WRAP_WIDTH, encoding="utf-8")
    po.header = f"{'Message template' if template else f'{lang} translations'} for {project}."
    po.metadata = metadata
    po.metadata_is_fuzzy = False
    return po
