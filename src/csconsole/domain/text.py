"""Text folding shared by indexing and searching, so both sides agree byte for byte."""

from __future__ import annotations

import functools
import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


# Joiners: U+200C (ZWNJ, Persian words) and U+200D (ZWJ, emoji sequences) mean something
# between two visible characters, and nothing (or a hiding place) anywhere else.
_JOINERS = "\u200c\u200d"
UNSAFE_CHARS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u2069\ufeff]"
)
_C_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def strip_controls(text: str) -> str:
    """Remove control, zero-width and bidi override characters (they never carry meaning in a
    search key or an answer compared; stored text keeps its joiners: ``clean_free_text``)."""
    return _CONTROL.sub("", text)


def _inside_word(text: str, i: int) -> bool:
    if i == 0 or i == len(text) - 1:
        return False
    before, after = text[i - 1], text[i + 1]
    return not (
        before.isspace()
        or after.isspace()
        or before in _JOINERS
        or after in _JOINERS
        or UNSAFE_CHARS.match(before) is not None
        or UNSAFE_CHARS.match(after) is not None
    )


def clean_free_text(text: str) -> str:
    """Free text as stored: controls, bidi overrides and stray zero-width characters removed;
    a joiner between two visible characters (emoji sequence, Persian word) is kept."""
    if text.isascii() and text.isprintable():
        return text
    kept = UNSAFE_CHARS.sub("", text)
    return "".join(ch for i, ch in enumerate(kept) if ch not in _JOINERS or _inside_word(kept, i))


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch in _C_ESCAPES:
        return _C_ESCAPES[ch]
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    return f"\u27e8U+{code:04X}\u27e9"


def visible(text: str, *, multiline: bool = False) -> str:
    """Text to show on a terminal or in a label: data, never control. Control characters (ESC
    and so every escape sequence, newlines unless ``multiline``), bidi overrides and isolates,
    and zero-width characters outside words are shown as visible escapes (``\\x1b``,
    ``\u27e8U+202E\u27e9``); joiners inside words are kept."""
    if text.isascii() and text.isprintable():
        return text  # the common case
    out = []
    for i, ch in enumerate(text):
        if multiline and ch == "\n":
            out.append(ch)
        elif UNSAFE_CHARS.match(ch) or (ch in _JOINERS and not _inside_word(text, i)):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


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
