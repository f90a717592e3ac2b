"""Policy profile files: find, read and validate ``resources/policies/*.toml``.

A profile is named by its file stem (``"diamond-nexus"``) or given as a path to a ``.toml``. The
policy text its clauses quote is looked up as ``sources/<policy_source>`` next to the profile, then
in the packaged ``policies/sources``; every non-empty clause must occur in it verbatim.
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from importlib.resources.abc import Traversable
from pathlib import Path

from csconsole.adapters.holiday_calendar import holiday_predicate
from csconsole.domain.policy import PolicyProfile, PolicyProfileError, parse_profile, verify_clauses

PROFILE_SUFFIX = ".toml"
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def resources_dir() -> Traversable:
    """The ``resources`` directory: the source tree's (editable install) or the packaged one."""
    in_tree = Path(__file__).resolve().parents[3] / "resources"
    if in_tree.is_dir():
        return in_tree
    return importlib.resources.files("csconsole") / "resources"


def policies_dir() -> Traversable:
    return resources_dir() / "policies"


def available_profiles() -> list[str]:
    """Names of the shipped profiles, sorted: ``["diamond-nexus", "national-diamond-outlet"]``."""
    directory = policies_dir()
    if not directory.is_dir():
        return []
    return sorted(
        entry.name.removesuffix(PROFILE_SUFFIX)
        for entry in directory.iterdir()
        if entry.is_file() and entry.name.endswith(PROFILE_SUFFIX)
    )


def load_profile(name_or_path: str) -> PolicyProfile:
    """Load and validate a profile by name (a shipped one) or by path to a ``.toml`` file.

    Raises :class:`PolicyProfileError` for an unknown name, a missing or unreadable file, a TOML
    syntax error (with file and line), a malformed profile (with the dotted key), or a clause that
    is not verbatim in the policy text.
    """
    if name_or_path.endswith(PROFILE_SUFFIX) or "/" in name_or_path or "\\" in name_or_path:
        path = Path(name_or_path)
        if not path.is_file():
            raise PolicyProfileError(name_or_path, "", "no such profile file")
        return _load(path, path.name, local_sources=path.parent / "sources")
    names = available_profiles()
    if name_or_path not in names:
        choices = ", ".join(names) or "none"
        raise PolicyProfileError(
            "", "", f"unknown policy profile {name_or_path!r} (available: {choices})"
        )
    return _load(policies_dir() / f"{name_or_path}{PROFILE_SUFFIX}", f"{name_or_path}.toml")


def _load(file: Traversable, file_name: str, *, local_sources: Path | None = None) -> PolicyProfile:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise PolicyProfileError(file_name, "", f"cannot read: {exc.strerror or exc}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyProfileError(file_name, "", "not UTF-8 text") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(file_name, exc) from exc
    profile = parse_profile(data, source_name=file_name)
    policy_text = _policy_text(profile, file_name, local_sources)
    verify_clauses(profile, policy_text, source_name=file_name)
    holiday_predicate(profile.holiday_calendar, source=file_name)  # an unknown code fails here
    return profile


def _syntax_error(file_name: str, exc: tomllib.TOMLDecodeError) -> PolicyProfileError:
    message = str(exc)
    match = _TOML_POSITION.search(message)
    if match is None:
        return PolicyProfileError(file_name, "", f"invalid TOML: {message}")
    line, column = int(match.group(1)), int(match.group(2))
    reason = message[: match.start()]
    return PolicyProfileError(
        file_name, "", f"line {line}, column {column}: invalid TOML: {reason}", line=line
    )


def _policy_text(profile: PolicyProfile, file_name: str, local_sources: Path | None) -> str:
    candidates: list[Traversable] = []
    if local_sources is not None:
        candidates.append(local_sources / profile.policy_source)
    candidates.append(policies_dir() / "sources" / profile.policy_source)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise PolicyProfileError(
        file_name,
        "profile.policy_source",
        f"policy text {profile.policy_source!r} not found in a 'sources' directory "
        "next to the profile or among the packaged policies",
    )
