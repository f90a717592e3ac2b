from __future__ import annotations

from csconsole.domain.masking import mask_card, mask_email, mask_phone, mask_postcode
from csconsole.domain.text import digits_only, fold, name_index_text, normalise_postcode


def test_fold_removes_accents_and_case() -> None:
    assert fold("Ångström Müller") == "angstrom muller"
    assert fold("ΆΝΝΑ") == "αννα"


def test_digits_only_maps_other_unicode_digits() -> None:
    assert digits_only("٠١٢ 34-5") == "012345"


def test_postcode_normalisation() -> None:
    assert normalise_postcode(" sw1a 1aa ") == "SW1A1AA"
    assert normalise_postcode("104 31") == "10431"


def test_cjk_names_are_indexed_in_both_run_together_orders() -> None:
    text = name_index_text("伟", "王")
    assert "王伟" in text.split() and "伟王" in text.split()
    assert name_index_text("Anna", "Smith") == "anna smith"


def test_masks_hide_everything_but_a_hint() -> None:
    assert mask_email("jane@example.com") == "j•••@example.com"
    assert mask_phone("+1 212-555-4990") == "ending 4990"
    assert mask_phone("12") == ""
    assert mask_postcode("SW1A 1AA") == "S•••"
    assert mask_card("1234") == "•••• 1234"
    assert mask_email(None) == "" and mask_email("no-at-sign") == "•••"
