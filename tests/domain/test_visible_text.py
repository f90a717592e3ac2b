"""Output is data, never control: what a terminal or a label is given (issue 10, item 6)."""

from __future__ import annotations

from csconsole.domain.cases import clean_text
from csconsole.domain.text import fold, visible

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji: man ZWJ woman ZWJ girl
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "mi-khaham", ZWNJ inside


def test_escape_sequences_and_newlines_are_shown_not_run() -> None:
    shown = visible("eve\x1b[2J\x1b]0;title\x07\nfake line\r\t\x9b1m\x7f")
    assert shown == "eve\\x1b[2J\\x1b]0;title\\x07\\nfake line\\r\\t\\x9b1m\\x7f"
    assert shown.isprintable()


def test_bidi_overrides_and_isolates_are_shown_by_code_point() -> None:
    assert visible("invoice \u202egnp.exe") == "invoice \u27e8U+202E\u27e9gnp.exe"
    for ch in "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c\ufeff\u200b":
        assert visible(f"a{ch}b") == f"a\u27e8U+{ord(ch):04X}\u27e9b"


def test_joiners_inside_words_are_kept_and_stray_ones_shown() -> None:
    assert visible(FAMILY) == FAMILY
    assert visible(PERSIAN) == PERSIAN
    assert visible("\u200dstart end\u200d") == "\u27e8U+200D\u27e9start end\u27e8U+200D\u27e9"
    assert visible("a \u200c b") == "a \u27e8U+200C\u27e9 b"
    assert visible("two\nlines", multiline=True) == "two\nlines"
    assert visible("plain ascii") == "plain ascii"


def test_notes_keep_joiners_inside_words_and_lose_controls() -> None:
    """Finding 8: zero-width joiners were stripped from notes."""
    note = f"caller sent {FAMILY} and wrote {PERSIAN}\n\u202eevil\x1b[31m \u200d"
    assert clean_text(note) == f"caller sent {FAMILY} and wrote {PERSIAN}\nevil[31m"


def test_name_folding_still_drops_joiners() -> None:
    assert fold("Ma\u200drie") == "marie"
