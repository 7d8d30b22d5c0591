"""Read a source release: YAML front matter + CommonMark body -> :class:`~transpub.source.model.Release`.

Everything a user can get wrong is checked here, with the file and line in the message: the front
matter (required ``date``, known keys), the one title, images that exist inside ``sources/``, every
typed token, and a safe release id.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import yaml

from ..config import Project, release_id_of
from ..errors import FileError, SourceError, TokenError, UsageError
from ..fsutil import read_text_inside
from .inline import (
    InlineImageError,
    inline_tokens_to_text,
    is_plain_text,
    tokens_in,
    tokens_to_inline,
)
from .markdown import parse_blocks
from .model import (
    Block,
    CodeBlock,
    Heading,
    Image,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    RelatedLink,
    Release,
    Rule,
    Table,
    TableCell,
    Text,
)
from .segments import has_words
from .tokens import split_form

FRONT_MATTER_KEYS = {"date", "section", "division", "related"}
MAX_SOURCE_BYTES = 5 * 1024 * 1024


def read_release(path: Path, project: Project) -> Release:
    path = Path(path)
    release_id = release_id_of(path)
    shown = project.shown(path)
    try:  # nothing outside the project's sources/ is read, whatever a symbolic link says
        text = read_text_inside(path, project.sources_dir, limit=MAX_SOURCE_BYTES, what="release", encoding="utf-8-sig")
    except FileError as exc:
        raise SourceError(exc.message, path=shown, line=exc.line) from None
    return parse_release(text, release_id, path, project)


def parse_release(text: str, release_id: str, path: Path, project: Project) -> Release:
    shown = project.shown(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, meta_lines, body, body_offset = _split_front_matter(text, shown)
    builder = _BodyBuilder(shown, body_offset, Path(path).parent, project)
    blocks = builder.build(body)

    if not blocks or not (isinstance(blocks[0], Heading) and blocks[0].level == 1):
        line = _first_line(blocks, body_offset)
        raise SourceError("a release starts with its title as a level-1 heading ('# Title')", path=shown, line=line)
    title = _retitle(blocks[0].text, "title")
    rest = list(blocks[1:])
    subtitle = None
    if rest and isinstance(rest[0], Heading) and rest[0].level == 2:
        subtitle = _retitle(rest.pop(0).text, "subtitle")
    for block in rest:
        if isinstance(block, Heading) and block.level == 1:
            raise SourceError("a release has one title; use '##' or '###' for sections", path=shown, line=block.text.line)

    words: dict[str, bool] = {}  # filled below, once the release lists its texts (Release.words)
    release = Release(
        id=release_id,
        path=Path(path),
        date=_front_matter_date(meta, meta_lines, shown),
        title=title,
        subtitle=subtitle,
        section=_meta_text(meta, meta_lines, "section", "front matter: section (breadcrumb)", shown),
        division=_meta_text(meta, meta_lines, "division", "front matter: division in charge", shown),
        related=_related(meta, meta_lines, shown),
        body=tuple(rest),
        parsed=builder.parsed,
        words=words,
    )
    for text in release.texts():  # every segment, front matter, alt text and captions included
        # a text with markup is read from the nodes the release's parse gave it, not parsed once more
        # (the two parses agree but for contrived markup, and this is the one place that decides both)
        nodes = builder.parsed.get(text.source)
        if text.source not in words:
            words[text.source] = has_words(text.source, nodes)
        try:
            for token in tokens_in(text.source, project.organizations, nodes):
                if getattr(token, "form", None):
                    raise TokenError(f"{token.raw}: grammatical forms belong to translations; write {split_form(token.raw)[0]} here")
        except TokenError as exc:
            raise exc.at(shown, text.line) from None
    return release


# --- front matter --------------------------------------------------------------------------------
def _split_front_matter(text: str, shown: str) -> tuple[dict, dict[str, int], str, int]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError("missing front matter: a release starts with '---', then 'date: YYYY-MM-DD', then '---'", path=shown, line=1)
    for end, line in enumerate(lines[1:], 1):
        if line.strip() in ("---", "..."):
            break
    else:
        raise SourceError("front matter is not closed with '---'", path=shown, line=1)
    yaml_text = "\n".join(lines[1:end])
    try:
        node, meta = _load_yaml(yaml_text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        detail = exc.problem or str(exc)
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            detail += f" ({exc.context} started on line {exc.context_mark.line + 2})"
        raise SourceError(f"front matter is not valid YAML: {detail}", path=shown, line=line) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"front matter is not valid YAML: {exc}", path=shown, line=1) from None
    except RecursionError:  # PyYAML composes nested [[[… recursively
        raise SourceError("front matter is nested too deeply to be release settings", path=shown, line=2) from None
    except ValueError as exc:  # PyYAML raises ValueError for a timestamp such as 2023-02-30
        raise SourceError(f"front matter has an impossible date ({exc})", path=shown, line=_date_line(lines, end)) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceError("front matter must be a mapping of keys (date:, section:, …)", path=shown, line=2)
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key_lines[str(key_node.value)] = key_node.start_mark.line + 2
            if isinstance(value_node, yaml.SequenceNode):  # each related link gets its own line
                for index, item in enumerate(value_node.value):
                    key_lines[f"{key_node.value}[{index}]"] = item.start_mark.line + 2
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            raise SourceError(
                f"unknown front matter key {key!r} (known: {', '.join(sorted(FRONT_MATTER_KEYS))})",
                path=shown,
                line=key_lines.get(str(key), 2),
            )
    return meta, key_lines, "\n".join(lines[end + 1 :]), end + 1


# libyaml's safe loader when PyYAML was built with it (much faster), else the pure-Python one; both safe.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str):
    """Parse once: the node tree (for line numbers) and the plain values built from it, safe tags only."""
    loader = _SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _date_line(lines: list[str], end: int) -> int:
    for number, line in enumerate(lines[1:end], 2):
        if re.match(r"\s*date\s*:", line):
            return number
    return 2


def _front_matter_date(meta: dict, lines: dict[str, int], shown: str) -> dt.date:
    if "date" not in meta:
        raise SourceError("front matter needs 'date: YYYY-MM-DD' (the publication date)", path=shown, line=1)
    value = meta["date"]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise SourceError(f"date: no such date ({exc})", path=shown, line=lines.get("date")) from None
    raise SourceError(f"date must be written YYYY-MM-DD, not {value!r}", path=shown, line=lines.get("date"))


def _meta_text(meta: dict, lines: dict[str, int], key: str, kind: str, shown: str) -> Text | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SourceError(f"{key} must be a non-empty line of text", path=shown, line=lines.get(key))
    return Text(_normalize_meta(value), kind, lines.get(key, 1))


def _related(meta: dict, lines: dict[str, int], shown: str) -> tuple[RelatedLink, ...]:
    value = meta.get("related")
    if value is None:
        return ()
    line = lines.get("related", 1)
    if not isinstance(value, list):
        raise SourceError("related must be a list of '- title: …' / '  url: https://…' items", path=shown, line=line)
    links = []
    for index, item in enumerate(value):
        line = lines.get(f"related[{index}]", lines.get("related", 1))
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise SourceError(f"related item {index + 1} needs exactly 'title' and 'url'", path=shown, line=line)
        title, url = item["title"], item["url"]
        if not isinstance(title, str) or not title.strip():
            raise SourceError(f"related item {index + 1}: title must be text", path=shown, line=line)
        if not isinstance(url, str) or not re.match(r"https?://[^\s]+$", url):
            raise SourceError(f"related item {index + 1}: url must be an http(s) URL", path=shown, line=line)
        links.append(RelatedLink(Text(_normalize_meta(title), "front matter: related website title", line), url))
    return tuple(links)


def _normalize_meta(value: str) -> str:
    # Front matter values are plain text, not Markdown: escape them into the same inline form as the body.
    from .inline import escape_text

    return escape_text(" ".join(value.split()))


# --- body ------------------------------------------------------------------------------------------
class _BodyBuilder:
    """Turns the parser's flat token stream (markdown-it-py's form) into the block tree, with source lines."""

    def __init__(self, shown: str, offset: int, folder: Path, project: Project):
        self.shown, self.offset, self.folder, self.project = shown, offset, folder, project
        self.list_depth = 0  # how many list items / block quotes enclose the current token
        self.quote_depth = 0
        self.parsed: dict[str, tuple] = {}  # msgid -> inline nodes, for texts with markup (Release.parsed)

    def build(self, body: str) -> list[Block]:
        self.tokens = parse_blocks(body)
        self.pos = 0
        return self._blocks(until=None)

    def _line(self, token) -> int:
        return (token.map[0] if token.map else 0) + self.offset + 1

    def _blocks(self, until: str | None) -> list[Block]:
        blocks: list[Block] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if until and token.type == until:
                self.pos += 1
                return blocks
            block = self._block(token)
            if block is not None:
                blocks.append(block)
        return blocks

    def _block(self, token) -> Block | None:
        kind = token.type
        if kind == "heading_open":
            inline = self.tokens[self.pos + 1]
            self.pos += 3
            return Heading(int(token.tag[1]), self._text(inline, f"heading (level {token.tag[1]})", token))
        if kind == "paragraph_open":
            inline = self.tokens[self.pos + 1]
            self.pos += 3
            return self._paragraph(inline, token)
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.pos += 1
            items = []
            close = kind.replace("_open", "_close")
            self.list_depth += 1
            while self.tokens[self.pos].type != close:
                assert self.tokens[self.pos].type == "list_item_open"
                self.pos += 1
                items.append(ListItem(tuple(self._blocks(until="list_item_close"))))
            self.list_depth -= 1
            self.pos += 1
            start = int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else 1
            return ListBlock(kind == "ordered_list_open", start, tuple(items))
        if kind == "blockquote_open":
            self.pos += 1
            self.quote_depth += 1
            blocks = tuple(self._blocks(until="blockquote_close"))
            self.quote_depth -= 1
            return Quote(blocks)
        if kind == "table_open":
            return self._table()
        if kind in ("fence", "code_block"):
            self.pos += 1
            return CodeBlock(token.content, token.info.strip())
        if kind == "hr":
            self.pos += 1
            return Rule()
        if kind == "html_block":  # impossible with html off, but never let raw HTML through
            self.pos += 1
            return Paragraph(Text(token.content.strip(), "paragraph", self._line(token)))
        raise SourceError(f"unexpected Markdown element {kind!r}", path=self.shown, line=self._line(token))

    def _paragraph(self, inline, opener) -> Block:
        children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip()) and c.type != "softbreak"]
        if len(children) == 1 and children[0].type == "image":
            return self._image(children[0], opener)
        kind = "list item" if self.list_depth else "block quote" if self.quote_depth else "paragraph"
        return Paragraph(self._text(inline, kind, opener))

    def _image(self, token, opener) -> Image:
        line = self._line(opener)
        src = self._check_image(str(token.attrs.get("src", "")), line)
        try:
            alt = inline_tokens_to_text(token.children or [])
        except InlineImageError:  # ![![inner](a.png)](b.png)
            raise SourceError("an image inside an image's alt text", path=self.shown, line=line) from None
        caption = _normalize_meta(str(token.attrs.get("title") or ""))
        return Image(
            src=src,
            alt=Text(alt, "image alt text", line) if alt else None,
            caption=Text(caption, "image caption", line) if caption else None,
            line=line,
        )

    def _check_image(self, src: str, line: int) -> str:
        """The image's file path relative to the release, checked; markdown-it hands it over %-encoded."""
        if not src or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith(("/", "\\")):
            raise SourceError(f"image {src!r}: give a path relative to the release, e.g. images/photo.png", path=self.shown, line=line)
        src = unquote(src)  # "images/%E5%86%99%E7%9C%9F.png" is the file images/写真.png
        if src.startswith(("/", "\\")) or ".." in PurePosixPath(src).parts or "\0" in src:
            # build copies the image to outputs/<lang>/<src>: a ".." could land it outside outputs/
            raise SourceError(f"image {src!r}: no '..' in image paths, so nothing can lead outside the sources/ folder", path=self.shown, line=line)
        sources = self.project.sources_dir.resolve()
        target = (self.folder / src).resolve()
        if not target.is_relative_to(sources):
            raise SourceError(f"image {src!r} is outside the sources/ folder", path=self.shown, line=line)
        if not target.is_file():
            raise SourceError(f"image {src!r} not found", path=self.shown, line=line)
        return src

    def _table(self) -> Table:
        header: list[TableCell] = []
        rows: list[tuple[TableCell, ...]] = []
        row: list[TableCell] = []
        row_opener = self.tokens[self.pos]
        in_head = False
        while True:
            token = self.tokens[self.pos]
            self.pos += 1
            if token.type == "table_close":
                break
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                row, row_opener = [], token  # cells have no line of their own; their row has
            elif token.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append(tuple(row))
            elif token.type in ("th_open", "td_open"):
                inline = self.tokens[self.pos]
                self.pos += 2
                style = str(token.attrs.get("style", ""))
                align = style.split(":", 1)[1] if style.startswith("text-align:") else None
                kind = "table header cell" if token.type == "th_open" else "table cell"
                text = self._text(inline, kind, row_opener, allow_empty=True)
                row.append(TableCell(text, align))
        return Table(tuple(header), tuple(rows))

    def _text(self, inline, kind: str, opener, *, allow_empty: bool = False) -> Text | None:
        line = self._line(opener)
        children = inline.children or []
        try:
            source = inline_tokens_to_text(children)
        except InlineImageError as exc:
            raise SourceError(str(exc), path=self.shown, line=line) from None
        if not source:
            # An empty msgid is the PO header's: such a segment would make a catalog no tool can read.
            if allow_empty:
                return None
            raise SourceError(f"empty {kind}: write its text or remove the line", path=self.shown, line=line)
        if source not in self.parsed and not is_plain_text(source):
            self.parsed[source] = tokens_to_inline(children)
        return Text(source, kind, line)


def _retitle(text: Text, kind: str) -> Text:
    return Text(text.source, kind, text.line)


def _first_line(blocks: list[Block], offset: int) -> int:
    return offset + 1




# --- every release of a project ------------------------------------------------------------------
def read_releases(project: Project, release_id: str | None = None) -> list[Release]:
    """All releases (or one), parsed and validated; the first bad one raises SourceError."""
    paths = project.release_paths()
    if release_id is not None:
        paths = [p for p in paths if p.stem == release_id]
        if not paths:
            raise UsageError(f"no release {release_id!r} in {project.sources_dir.name}/")
    return [read_release(path, project) for path in paths]


def source_ref(project: Project, release: Release) -> str:
    return project.shown(release.path)

