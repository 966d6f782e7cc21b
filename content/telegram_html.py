"""Check text against the HTML subset Telegram accepts with ``parse_mode=HTML``.

Telegram rejects a whole message when its markup does not parse, so content is
checked once at start-up instead of failing in front of a patient.  The rules
follow the Bot API "HTML style" section: a fixed set of tags, ``<``, ``>`` and
``&`` escaped unless they start a tag or entity, and only ``&lt;``, ``&gt;``,
``&amp;``, ``&quot;`` and numeric entities.  We are a little stricter than the
server (a bare ``&`` is an error here) so that content never relies on leniency.
"""

from __future__ import annotations

import html
import re

__all__ = ["telegram_html_error", "visible_length", "visible_text"]

_NAMED_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|([a-zA-Z][a-zA-Z0-9]*));")
_OPEN_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)"
    r"\s*>"
)
_ATTRIBUTE = re.compile(
    r"([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?"
)
_CLOSE_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>")

# Tag name -> attributes it may carry.
_ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "tg-spoiler": frozenset(),
    "span": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
_REQUIRED_ATTRIBUTE = {"a": "href", "span": "class", "tg-emoji": "emoji-id"}
# Inside these, Telegram allows no further formatting (except <code> in <pre>).
_VERBATIM = frozenset({"code", "pre"})


def _attributes(raw: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(raw):
        name = match.group(1).lower()
        value = next((g for g in match.group(2, 3, 4) if g is not None), "")
        found[name] = value
    return found


def _open_tag_error(name: str, attrs: dict[str, str], stack: list[str]) -> str | None:
    if name not in _ALLOWED_TAGS:
        return f"unsupported tag <{name}>"
    extra = sorted(set(attrs) - _ALLOWED_TAGS[name])
    if extra:
        return f"<{name}> may not have attribute {extra[0]!r}"
    required = _REQUIRED_ATTRIBUTE.get(name)
    if required is not None and not attrs.get(required):
        return f"<{name}> needs a {required} attribute"
    if name == "span" and attrs["class"] != "tg-spoiler":
        return '<span> is only allowed as <span class="tg-spoiler">'
    if stack and stack[-1] in _VERBATIM and not (stack[-1] == "pre" and name == "code"):
        return f"<{name}> cannot be nested inside <{stack[-1]}>"
    if name == "blockquote" and "blockquote" in stack:
        return "<blockquote> cannot be nested"
    return None


def telegram_html_error(text: str) -> str | None:
    """Return why Telegram would refuse ``text`` as HTML, or None if it parses."""
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            close = _CLOSE_TAG.match(text, position)
            if close is not None:
                name = close.group(1).lower()
                if not stack:
                    return f"closing </{name}> at position {position} has no opening tag"
                if stack[-1] != name:
                    return (
                        f"closing </{name}> at position {position} "
                        f"does not match open <{stack[-1]}>"
                    )
                stack.pop()
                position = close.end()
                continue
            opening = _OPEN_TAG.match(text, position)
            if opening is None:
                return f"bare '<' at position {position} (write &lt;)"
            name = opening.group(1).lower()
            error = _open_tag_error(name, _attributes(opening.group(2)), stack)
            if error is not None:
                return f"{error} at position {position}"
            stack.append(name)
            position = opening.end()
        elif char == "&":
            entity = _ENTITY.match(text, position)
            if entity is None or (
                entity.group(1) is not None and entity.group(1) not in _NAMED_ENTITIES
            ):
                return f"bare '&' at position {position} (write &amp;)"
            position = entity.end()
        else:
            position += 1
    if stack:
        return f"unclosed <{stack[-1]}>"
    return None


def visible_text(text: str) -> str:
    """What Telegram shows of ``text``: tags removed, entities decoded."""
    return html.unescape(_ANY_TAG.sub("", text))


def visible_length(text: str) -> int:
    """Length Telegram counts against its limits: tags removed, entities decoded.

    Counted in UTF-16 code units, as Telegram measures text; this is never less
    than the number of Python characters, so it errs on the safe side.
    """
    return len(visible_text(text).encode("utf-16-le")) // 2
