"""Korean line breaking for WeasyPrint and small text helpers.

WeasyPrint ignores ``word-break: keep-all``, so Korean words (어절) would break between any two syllables.
``keep_words`` inserts U+2060 WORD JOINER between a Hangul character and an adjacent non-space character in
the text nodes of an HTML string (not inside <pre>, <code>, <svg>, <script>, <style> or tag markup).
"""

from __future__ import annotations

import re

WJ = "\u2060"
_HANGUL = "\u1100-\u11ff\u3131-\u318e\uac00-\ud7a3"
# a Hangul char followed by a non-space char, or a non-space char followed by Hangul
_PAIR = re.compile(rf"(?<=[{_HANGUL}])(?=[^\s{WJ}<])|(?<=[^\s{WJ}>])(?=[{_HANGUL}])")
_TOKEN = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_SKIP = {"pre", "code", "svg", "script", "style", "textarea", "math"}
_TAG = re.compile(r"^</?\s*([a-zA-Z0-9]+)")


def keep_words(markup: str) -> str:
    """Join the characters of every Korean word in the text nodes of ``markup`` with WORD JOINERs."""
    parts = _TOKEN.split(markup)
    skip_depth = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag or comment
            match = _TAG.match(part)
            if match and match.group(1).lower() in _SKIP and not part.endswith("/>"):
                skip_depth += -1 if part.startswith("</") else 1
                skip_depth = max(skip_depth, 0)
            continue
        if skip_depth == 0 and part:
            parts[index] = _join(part)
    return "".join(parts)


def _join(text: str) -> str:
    # entities such as &amp; contain no Hangul, so a joiner never lands inside one
    return _PAIR.sub(WJ, text)


def strip_joiners(text: str) -> str:
    return text.replace(WJ, "")
