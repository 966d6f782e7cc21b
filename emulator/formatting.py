"""Telegram's text formatting, as the emulator applies it: parse modes to visible text and
entities, with Telegram's "can't parse entities" errors for markup it would refuse."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Generic, NamedTuple, TypeVar

JSONDict = dict[str, Any]


class FormattedText(NamedTuple):
    """Text as the user sees it, plus the Bot API entities produced by parsing its markup."""

    text: str
    entities: list[JSONDict]


class EntityParseError(ValueError):
    """Markup that Telegram would reject with "can't parse entities"."""


# --------------------------------------------------------------------------------------------
# Text formatting (parse_mode) — visible text and entities, Telegram's parse errors
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    # Entity offsets and lengths are counted in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


class _TextBuilder:
    """Visible text under construction, with its length in UTF-16 code units."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.pos = 0

    def add(self, text: str) -> None:
        if text:
            self._parts.append(text)
            self.pos += utf16_len(text)

    def text(self) -> str:
        return "".join(self._parts)


def _sorted_entities(entities: Iterable[JSONDict]) -> list[JSONDict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


_HTML_TAGS: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE: Final = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]+));")
_HTML_TEXT_RUN_RE: Final = re.compile(r"[^<&]+")
_HTML_NAME_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9.\-]*")


def _decode_html_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _HTML_NAMED_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


@dataclass
class _OpenTag:
    tag: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


_Open = TypeVar("_Open")


class _Parser(Generic[_Open]):
    """What both markup parsers keep: the source and a cursor, the text so far, open markup."""

    def __init__(self, source: str) -> None:
        self._src = source
        self._i = 0
        self._out = _TextBuilder()
        self._stack: list[_Open] = []
        self._entities: list[JSONDict] = []

    def _offset(self, index: int) -> int:
        # Telegram reports positions as UTF-8 byte offsets.
        return len(self._src[:index].encode("utf-8"))

    def _result(self) -> FormattedText:
        return FormattedText(self._out.text(), _sorted_entities(self._entities))


class _HtmlParser(_Parser[_OpenTag]):
    """Telegram's HTML dialect (modelled on tdlib's parse_html, but stricter about "&")."""

    def parse(self) -> FormattedText:
        src = self._src
        while self._i < len(src):
            run = _HTML_TEXT_RUN_RE.match(src, self._i)
            if run:
                self._out.add(run.group())
                self._i = run.end()
            elif src[self._i] == "&":
                self._entity()
            elif src.startswith("</", self._i):
                self._end_tag()
            else:
                self._start_tag()
        if self._stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._stack[-1].tag}"'
            )
        return self._result()

    def _entity(self) -> None:
        match = _HTML_ENTITY_RE.match(self._src, self._i)
        decoded = _decode_html_entity(match) if match else None
        if match is None or decoded is None:
            # Real Telegram passes an unknown "&…" through literally; the Bot API docs require
            # escaping it, and being strict here catches unescaped user input early.
            raise EntityParseError(
                f"Unsupported HTML entity at byte offset {self._offset(self._i)}: "
                'a bare "&" must be escaped as "&amp;"'
            )
        self._out.add(decoded)
        self._i = match.end()

    def _skip_spaces(self, j: int) -> int:
        while j < len(self._src) and self._src[j].isspace():
            j += 1
        return j

    def _start_tag(self) -> None:
        src, begin = self._src, self._i
        j = begin + 1
        while j < len(src) and not src[j].isspace() and src[j] != ">":
            j += 1
        if j >= len(src):
            raise EntityParseError(f"Unclosed start tag at byte offset {self._offset(begin)}")
        tag = src[begin + 1 : j].lower()
        if tag not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._offset(begin)}'
            )
        attrs, j = self._attributes(tag, begin, j)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._offset(begin)}'
            )
        self._stack.append(_OpenTag(tag, self._out.pos, attrs))
        self._i = j + 1

    def _attributes(self, tag: str, begin: int, j: int) -> tuple[dict[str, str], int]:
        src = self._src
        attrs: dict[str, str] = {}
        unclosed = EntityParseError(f"Unclosed start tag at byte offset {self._offset(begin)}")
        while True:
            j = self._skip_spaces(j)
            if j >= len(src):
                raise unclosed
            if src[j] == ">":
                return attrs, j
            name_start = j
            while j < len(src) and not src[j].isspace() and src[j] not in "=>":
                j += 1
            name = src[name_start:j].lower()
            if not name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self._offset(begin)}'
                )
            j = self._skip_spaces(j)
            if name == "expandable" and (j >= len(src) or src[j] != "="):
                attrs[name] = ""  # <blockquote expandable> has no value
                continue
            if j >= len(src) or src[j] != "=":
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self._offset(begin)}"
                )
            j = self._skip_spaces(j + 1)
            if j >= len(src):
                raise unclosed
            if src[j] in "'\"":
                end = src.find(src[j], j + 1)
                if end == -1:
                    raise unclosed
                raw_value = src[j + 1 : end]
                attrs[name] = _HTML_ENTITY_RE.sub(
                    lambda m: _decode_html_entity(m) or m[0], raw_value
                )
                j = end + 1
            else:
                token = _HTML_NAME_TOKEN_RE.match(src, j)
                assert token is not None  # the pattern also matches the empty string
                attrs[name] = token.group().lower()
                j = token.end()
                if j < len(src) and not src[j].isspace() and src[j] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {self._offset(token.start())}"
                    )

    def _end_tag(self) -> None:
        src, begin = self._src, self._i
        if not self._stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self._offset(begin)}")
        j = begin + 2
        while j < len(src) and not src[j].isspace() and src[j] != ">":
            j += 1
        name = src[begin + 2 : j].lower()
        j = self._skip_spaces(j)
        if j >= len(src) or src[j] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self._offset(begin)}")
        open_tag = self._stack[-1]
        if name and name != open_tag.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self._offset(begin)}, "
                f'expected "</{open_tag.tag}>", found "</{name}>"'
            )
        self._stack.pop()
        self._close(open_tag)
        self._i = j + 1

    def _close(self, open_tag: _OpenTag) -> None:
        kind = _HTML_TAGS[open_tag.tag]
        language = open_tag.attrs.get("class", "")
        parent = self._stack[-1] if self._stack else None
        if (
            kind == "code"
            and language.startswith("language-")
            and parent is not None
            and parent.tag == "pre"
            and parent.start == open_tag.start
        ):
            # <pre><code class="language-x"> becomes a single pre entity with a language.
            parent.language = language.removeprefix("language-")
            return
        length = self._out.pos - open_tag.start
        if length == 0:
            return
        entity: JSONDict = {"type": kind, "offset": open_tag.start, "length": length}
        if kind == "text_link":
            href = open_tag.attrs.get("href", "")
            if not href:
                return
            entity["url"] = href
        elif kind == "pre" and open_tag.language:
            entity["language"] = open_tag.language
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = open_tag.attrs.get("emoji-id", "")
        elif kind == "blockquote" and "expandable" in open_tag.attrs:
            entity["type"] = "expandable_blockquote"
        self._entities.append(entity)


_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}
_MDV2_MARKERS: Final = {"*": "bold", "~": "strikethrough", "||": "spoiler"}


@dataclass
class _OpenMarker:
    kind: str
    start: int
    byte_offset: int
    language: str | None = None


class _MarkdownV2Parser(_Parser[_OpenMarker]):
    """Telegram's MarkdownV2 (escapes, nesting, links, code/pre, line blockquotes)."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self._quote_start: int | None = None

    def parse(self) -> FormattedText:
        src = self._src
        while self._i < len(src):
            char = src[self._i]
            if char == "\\" and self._i + 1 < len(src) and 0 < ord(src[self._i + 1]) <= 126:
                self._out.add(src[self._i + 1])
                self._i += 2
            elif self._stack and self._stack[-1].kind in ("code", "pre"):
                self._in_code(char)
            elif char == "\n":
                self._newline()
            elif char == ">" and (self._i == 0 or src[self._i - 1] == "\n"):
                if self._quote_start is None:
                    self._quote_start = self._out.pos
                self._i += 1
            elif char in _MDV2_RESERVED:
                self._marker(char)
            else:
                self._out.add(char)
                self._i += 1
        self._close_quote()
        if self._stack:
            top = self._stack[-1]
            raise EntityParseError(
                f"Can't find end of {_MDV2_NAMES[top.kind]} entity at byte offset {top.byte_offset}"
            )
        return self._result()

    def _newline(self) -> None:
        if self._quote_start is not None and not self._src.startswith(">", self._i + 1):
            self._close_quote()
        self._out.add("\n")
        self._i += 1

    def _close_quote(self) -> None:
        if self._quote_start is not None and self._out.pos > self._quote_start:
            self._entities.append(
                {
                    "type": "blockquote",
                    "offset": self._quote_start,
                    "length": self._out.pos - self._quote_start,
                }
            )
        self._quote_start = None

    def _in_code(self, char: str) -> None:
        top = self._stack[-1]
        closing = "```" if top.kind == "pre" else "`"
        if self._src.startswith(closing, self._i):
            self._stack.pop()
            self._emit(top)
            self._i += len(closing)
        else:
            self._out.add(char)
            self._i += 1

    def _emit(self, marker: _OpenMarker, **extra: Any) -> None:
        length = self._out.pos - marker.start
        if length > 0:
            entity: JSONDict = {"type": marker.kind, "offset": marker.start, "length": length}
            if marker.language:
                entity["language"] = marker.language
            entity.update(extra)
            self._entities.append(entity)

    def _toggle(self, kind: str, width: int) -> None:
        if self._stack and self._stack[-1].kind == kind:
            self._emit(self._stack.pop())
        else:
            self._stack.append(_OpenMarker(kind, self._out.pos, self._offset(self._i)))
        self._i += width

    def _marker(self, char: str) -> None:
        src, i = self._src, self._i
        top = self._stack[-1].kind if self._stack else None
        if char == "_":
            if src.startswith("__", i) and top != "italic":
                self._toggle("underline", 2)
            else:
                self._toggle("italic", 1)
        elif char in "*~":
            self._toggle(_MDV2_MARKERS[char], 1)
        elif char == "|" and src.startswith("||", i):
            self._toggle("spoiler", 2)
        elif char == "`":
            self._open_code()
        elif char == "[":
            self._stack.append(_OpenMarker("text_link", self._out.pos, self._offset(i)))
            self._i += 1
        elif char == "]" and top == "text_link":
            self._close_link()
        else:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )

    def _open_code(self) -> None:
        src, i = self._src, self._i
        marker = _OpenMarker("code", self._out.pos, self._offset(i))
        if src.startswith("```", i):
            marker.kind = "pre"
            newline = src.find("\n", i + 3)
            first_line = src[i + 3 : newline] if newline != -1 else ""
            if newline != -1 and first_line and not any(c.isspace() for c in first_line):
                marker.language = first_line
                self._i = newline + 1
            else:
                self._i = i + 3
        else:
            self._i = i + 1
        self._stack.append(marker)

    def _close_link(self) -> None:
        marker = self._stack.pop()
        src = self._src
        self._i += 1
        if not src.startswith("(", self._i):
            # "[text]" without "(url)" is just text (no entity).
            return
        url: list[str] = []
        j = self._i + 1
        while j < len(src) and src[j] != ")":
            if src[j] == "\\" and j + 1 < len(src):
                j += 1
            url.append(src[j])
            j += 1
        if j >= len(src):
            raise EntityParseError(
                f"Can't find end of a URL at byte offset {self._offset(self._i)}"
            )
        self._i = j + 1
        self._emit(marker, url="".join(url))


def _parse_markdown_v1(source: str) -> FormattedText:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _TextBuilder()
    entities: list[JSONDict] = []
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source) and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        unclosed = EntityParseError(
            "Can't find end of the entity starting at byte offset "
            f"{len(source[:i].encode('utf-8'))}"
        )
        start = out.pos
        if source.startswith("```", i):
            end = source.find("```", i + 3)
            if end == -1:
                raise unclosed
            out.add(source[i + 3 : end])
            entity: JSONDict = {"type": "pre"}
            i = end + 3
        elif char == "[":
            close = source.find("]", i + 1)
            if close == -1:
                raise unclosed
            out.add(source[i + 1 : close])
            entity = {"type": "text_link"}
            url_end = source.find(")", close + 2) if source.startswith("(", close + 1) else -1
            if url_end == -1:
                i = close + 1
                continue
            entity["url"] = source[close + 2 : url_end]
            i = url_end + 1
        else:
            end = source.find(char, i + 1)
            if end == -1:
                raise unclosed
            out.add(source[i + 1 : end])
            entity = {"type": kinds[char]}
            i = end + 1
        if out.pos > start:
            entities.append({**entity, "offset": start, "length": out.pos - start})
    return FormattedText(out.text(), _sorted_entities(entities))


PARSE_MODES: Final = {"html": "HTML", "markdownv2": "MarkdownV2", "markdown": "Markdown"}


def strip_formatted(formatted: FormattedText) -> FormattedText:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    text = formatted.text.strip()
    if text == formatted.text:
        return formatted
    start = utf16_len(formatted.text[: len(formatted.text) - len(formatted.text.lstrip())])
    end = start + utf16_len(text)
    entities: list[JSONDict] = []
    for entity in formatted.entities:
        offset = max(entity["offset"], start)
        length = min(entity["offset"] + entity["length"], end) - offset
        if length > 0:
            entities.append({**entity, "offset": offset - start, "length": length})
    return FormattedText(text, entities)


def parse_formatted_text(text: str, parse_mode: str | None) -> FormattedText:
    """Parse ``text`` the way Telegram does for ``parse_mode`` (None: plain text).

    Results are cached: a reminder wave sends the same few texts thousands of times, and the
    emulator's parsing stands in for work Telegram does on its own servers, which a benchmark
    of the bot should not pay for. Each caller gets its own copy of the entities.

    Raises:
        EntityParseError: with Telegram's explanation (the part after "can't parse entities:").
        ValueError: for an unsupported ``parse_mode``.
    """
    parsed = _parse_cached(text, parse_mode)
    return FormattedText(parsed.text, [dict(entity) for entity in parsed.entities])


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str, parse_mode: str | None) -> FormattedText:
    if not parse_mode:
        return FormattedText(text, [])
    mode = PARSE_MODES.get(parse_mode.lower())
    if mode == "HTML":
        return _HtmlParser(text).parse()
    if mode == "MarkdownV2":
        return _MarkdownV2Parser(text).parse()
    if mode == "Markdown":
        return _parse_markdown_v1(text)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")
