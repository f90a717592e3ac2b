"""Text folding shared by indexing and searching, so both sides agree byte for byte."""

from __future__ import annotations

import functools
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def strip_controls(text: str) -> str:
    """Remove control, zero-width and bidi override characters (they never carry meaning here)."""
    return _CONTROL.sub("", text)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, drop combining marks, casefold.

    rapidfuzz's default processor keeps accents, so names are folded here for both the index
    and the query.
    """
    if text.isascii() and text.isprintable():
        return text.lower()  # the common case, 10x cheaper than NFKD
    decomposed = unicodedata.normalize("NFKD", strip_controls(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.casefold())


def name_tokens(text: str) -> list[str]:
    """Folded word tokens of a name, in order, without punctuation."""
    return [tok for tok in _NON_WORD.split(fold(text)) if tok and not tok.startswith("_")]


def digits_only(text: str) -> str:
    """ASCII digits of the text; other Unicode digits (e.g. Arabic-Indic) are mapped first."""
    out = []
    for ch in text:
        if ch.isdigit():
            try:
                out.append(str(unicodedata.digit(ch)))
            except ValueError:
                continue
    return "".join(out)


def normalise_postcode(text: str) -> str:
    """Postcode key for lookup: upper case, letters and digits only."""
    if text.isascii():
        return "".join(ch for ch in text.upper() if ch.isalnum())
    return "".join(ch for ch in fold(text).upper() if ch.isalnum())


def _has_unspaced_script(text: str) -> bool:
    """CJK names are written without a space between family and given name."""
    return any(
        "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"
        for ch in text
    )


@functools.lru_cache(maxsize=65536)
def _part_tokens(part: str) -> tuple[tuple[str, ...], bool]:
    # Names repeat a lot (first names especially), so caching per part pays off in bulk loads.
    return tuple(name_tokens(part)), not part.isascii() and _has_unspaced_script(part)


def name_index_text(first_name: str, last_name: str) -> str:
    """What the name index holds for one customer: folded tokens, plus for CJK names both
    run-together orders, so "王伟" finds given name 伟, family name 王."""
    (first, first_cjk), (last, last_cjk) = _part_tokens(first_name), _part_tokens(last_name)
    tokens = [*first, *last]
    if first_cjk or last_cjk:
        tokens += ["".join(last) + "".join(first), "".join(first) + "".join(last)]
    return " ".join(tokens)
