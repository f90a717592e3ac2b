"""Loading policy profiles from files: by name, by path, and the errors a person would see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csconsole.adapters.policy_files import (
    available_profiles,
    load_profile,
    policies_dir,
    resources_dir,
)
from csconsole.domain.policy import PolicyProfileError, RecipientCategory

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "policies"
NDO_SOURCE = "003_7701b70a64036384.txt"


def test_resources_dir_is_the_source_tree_in_an_editable_checkout() -> None:
    assert Path(str(resources_dir())) == SHIPPED.parent
    assert (policies_dir() / "diamond-nexus.toml").is_file()


def test_available_profiles() -> None:
    assert available_profiles() == ["diamond-nexus", "national-diamond-outlet"]


@pytest.mark.parametrize(
    ("name", "shop"),
    [("diamond-nexus", "Diamond Nexus"), ("national-diamond-outlet", "National Diamond Outlet")],
)
def test_load_by_name(name: str, shop: str) -> None:
    profile = load_profile(name)
    assert profile.id == name
    assert profile.shop_name == shop
    assert len(profile.disclosures.recipients) == len(RecipientCategory)


def test_load_by_path_equals_load_by_name() -> None:
    by_path = load_profile(str(SHIPPED / "national-diamond-outlet.toml"))
    assert by_path == load_profile("national-diamond-outlet")


def test_a_copied_profile_finds_the_packaged_policy_text(tmp_path: Path) -> None:
    copy = tmp_path / "my-shop.toml"
    shutil.copyfile(SHIPPED / "diamond-nexus.toml", copy)
    assert load_profile(str(copy)).id == "diamond-nexus"


def test_a_custom_profile_uses_the_sources_next_to_it(tmp_path: Path) -> None:
    text = (SHIPPED / "national-diamond-outlet.toml").read_text(encoding="utf-8")
    custom = tmp_path / "custom.toml"
    custom.write_text(text.replace(NDO_SOURCE, "900_custom.txt"), encoding="utf-8")

    with pytest.raises(PolicyProfileError) as info:
        load_profile(str(custom))
    assert str(info.value).startswith("custom.toml: profile.policy_source: policy text")

    (tmp_path / "sources").mkdir()
    shutil.copyfile(SHIPPED / "sources" / NDO_SOURCE, tmp_path / "sources" / "900_custom.txt")
    assert load_profile(str(custom)).policy_source == "900_custom.txt"


def test_a_clause_that_is_not_verbatim_fails_to_load(tmp_path: Path) -> None:
    text = (SHIPPED / "national-diamond-outlet.toml").read_text(encoding="utf-8")
    quote = "We will NOT share, sell, or trade any data we collect from customers."
    assert quote in text
    edited = tmp_path / "edited.toml"
    edited.write_text(text.replace(quote, "We never share any data."), encoding="utf-8")
    with pytest.raises(PolicyProfileError) as info:
        load_profile(str(edited))
    assert info.value.key == "disclosures.clause"
    assert str(info.value).startswith(
        f"edited.toml: disclosures.clause: not found verbatim in {NDO_SOURCE}"
    )


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\n[profile]\nid "diamond-nexus"\n', encoding="utf-8")
    with pytest.raises(PolicyProfileError) as info:
        load_profile(str(bad))
    message = str(info.value)
    assert message.startswith("bad.toml: line 3, column 4: invalid TOML: "), message
    assert info.value.line == 3
    assert info.value.source_name == "bad.toml"


def test_malformed_profile_file_names_file_and_key(tmp_path: Path) -> None:
    text = (SHIPPED / "national-diamond-outlet.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace("data_points = 3", 'data_points = "three"'), encoding="utf-8")
    with pytest.raises(PolicyProfileError) as info:
        load_profile(str(broken))
    assert str(info.value) == (
        "broken.toml: verification.high.data_points: expected a positive integer, got 'three'"
    )


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("name = 'caf\u00e9'\n".encode("latin-1"))
    with pytest.raises(PolicyProfileError, match=r"^latin1\.toml: not UTF-8 text$"):
        load_profile(str(bad))


def test_unknown_name_lists_the_available_profiles() -> None:
    with pytest.raises(PolicyProfileError) as info:
        load_profile("tiffany")
    assert str(info.value) == (
        "unknown policy profile 'tiffany' (available: diamond-nexus, national-diamond-outlet)"
    )


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(PolicyProfileError) as info:
        load_profile(str(missing))
    assert str(info.value) == f"{missing}: no such profile file"
