"""Pure: the plain text of an objective's or key result's HTML description (descriptionText).

Anyone who can edit a description decides what this reads, so its cost must grow with the
markup's length and nothing else. html.parser rescans unfinished constructs (10 s for
'<a' * 80000, the CVE-2025-6069 class), and parsers that build a tree pay for the depth of
every element (lexbor: 11 s for '<div>' * 40000), so text is taken by one forward pass over
the tags instead: each construct is found with str.find or a possessive pattern that never
backtracks, and one that the markup leaves open swallows the rest (as HTML's own tokenizer
does), so nothing is ever scanned twice. Only the first MAX_MARKUP characters are read.
Character references are decoded once.

Conversions are cached: descriptions rarely change between cycles, and a reconcile converts
every one. The cache is bounded by the memory its entries take, not by their number.
"""

from __future__ import annotations

import html
import re
import sys
import threading

from cachetools import LRUCache, cached

# Characters of markup read: a description is a few KB; the rest of a giant one is dropped.
MAX_MARKUP = 256 * 1024
# Bytes of markup and text the cache keeps (both counted as Python holds them).
CACHE_BYTES = 32 * 1024 * 1024
# A block's start and end tags start a line.
BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "pre"})
# What they hold is code, not text; it ends at their end tag only.
RAW = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in ("script", "style")}
# A start or end tag: its name, then attributes (quoted values may hold '>'), then '>'.
# Possessive throughout: a tag the markup never closes fails in one pass.
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*+)(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Where markup may start; any other '<' is text.
_MARKUP_START = re.compile(r"<[A-Za-z!?/]")


def _cost(entry: tuple[str | None, int]) -> int:
    return entry[1]


_CACHE: LRUCache[object, tuple[str | None, int]] = LRUCache(CACHE_BYTES, getsizeof=_cost)


@cached(_CACHE, lock=threading.Lock())
def _converted(markup: str) -> tuple[str | None, int]:
    """The text, and what keeping it with its markup costs in bytes."""
    text = _text_of(markup[:MAX_MARKUP])
    return text, sys.getsizeof(markup) + sys.getsizeof(text)


def _text_of(markup: str) -> str | None:
    text = "".join(_pieces(markup))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line) or None


def _pieces(markup: str) -> list[str]:
    """The text between the tags, entities decoded, and a newline at every block tag."""
    out: list[str] = []
    pos = 0
    while start := _MARKUP_START.search(markup, pos):
        lt = start.start()
        out.append(html.unescape(markup[pos:lt]))
        pos = _after_markup(markup, lt, out)
        if pos < 0:  # a construct left open takes the rest of the markup with it
            return out
    out.append(html.unescape(markup[pos:]))
    return out


def _after_markup(markup: str, lt: int, out: list[str]) -> int:
    """Where the text resumes after the '<' at `lt` (-1: nowhere)."""
    if markup.startswith("<!--", lt):
        end = markup.find("-->", lt + 4)
        return -1 if end < 0 else end + 3
    after = markup[lt + 1 : lt + 3]
    opens_tag = after[:1].isascii() and after[:1].isalpha()
    closes_tag = after[:1] == "/" and after[1:].isascii() and after[1:].isalpha()
    if not (opens_tag or closes_tag):  # a declaration or a broken end tag: skipped to '>'
        end = markup.find(">", lt + 2)
        return -1 if end < 0 else end + 1
    tag = _TAG.match(markup, lt)
    if tag is None:
        return -1
    name = tag.group(2).lower()
    if name in BLOCKS:
        out.append("\n")
    if not tag.group(1) and name in RAW:
        raw_end = RAW[name].search(markup, tag.end())
        return -1 if raw_end is None else raw_end.start()
    return tag.end()


def html_to_text(markup: str | None) -> str | None:
    """The plain-text form of an HTML description, for display; None when nothing is left."""
    return None if markup is None else _converted(markup)[0]


def cache_bytes() -> int:
    """What the conversion cache holds now, in bytes (its bound is CACHE_BYTES)."""
    return int(_CACHE.currsize)
