"""descriptionText: linear in the markup whatever it is, decoded once, cached within a bound."""

from __future__ import annotations

import time

import pytest

from okrsync import text
from okrsync.transform import html_to_text

PATHOLOGICAL = {
    "unfinished tags": "<a" * 80000,
    "unfinished comments": "<!--" * 40000,
    "unfinished quoted attributes": '<a b="' * 30000,
    "nested blocks": "<div>" * 40000,
    "nested lists": "<ul>" * 40000,
    "bare angle brackets": "<" * 160000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_markup_converts_in_linear_time(name: str) -> None:
    """160-200 KB of markup built to make a parser rescan or nest (html.parser: 10 s for
    '<a' * 80000; a tree-building parser: 11 s for 40000 nested divs) converts in well under
    a second."""
    markup = PATHOLOGICAL[name]
    started = time.perf_counter()
    text._text_of(markup)
    assert time.perf_counter() - started < 0.5


def test_only_the_first_max_markup_characters_are_read() -> None:
    """A description past MAX_MARKUP characters: the text stops there."""
    markup = "<p>" + "word " * (text.MAX_MARKUP // 5) + "</p><p>TAIL</p>"
    converted = html_to_text(markup)
    assert converted is not None and "TAIL" not in converted
    assert converted.startswith("word word")


def test_entities_are_decoded_once() -> None:
    """'&amp;lt;b&amp;gt;' is the text '&lt;b&gt;', not the tag '<b>'."""
    assert html_to_text("<p>&amp;lt;b&amp;gt; &amp;amp; &lt;i&gt;</p>") == "&lt;b&gt; &amp; <i>"


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>Grow <b>revenue</b> &amp; margin</p><script>x()</script>", "Grow revenue & margin"),
        ("<p>a &lt; b</p><p></p><ul><li>x</li><li>y</li></ul>", "a < b\nx\ny"),
        ("<h1>T</h1><STYLE>p{}</STYLE><div>b<br/>c</div>", "T\nb\nc"),
        ("<a href=\"x>y\" title='q'>link</a> 1 < 2 <!-- note --> end", "link 1 < 2 end"),
        ("<pre>a\n  b</pre>&nbsp;&#x41;", "a\nb\nA"),
        ("<p>unfinished <script>never closed", "unfinished"),
        ("<p></p>", None),
    ],
)
def test_text_as_before(markup: str, expected: str | None) -> None:
    """Blocks start lines, scripts and styles are dropped, inline tags vanish."""
    assert html_to_text(markup) == expected


def test_the_cache_is_bounded_by_bytes() -> None:
    """65,536 distinct 4 KB descriptions (~520 MB if all kept) leave the cache within
    CACHE_BYTES."""
    body = "x" * 4000
    for i in range(65536):
        html_to_text(f"<p>{i} {body}</p>")
    assert text.CACHE_BYTES - 10_000 < text.cache_bytes() <= text.CACHE_BYTES
