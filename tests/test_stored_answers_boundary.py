"""The stored answers to verification questions are read in one place only: the verification
service's questioning. Anything else that reached for them could show them to a rep."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src/csconsole"
ALLOWED = {
    "services/verification/questioning.py",  # the only reader
    "services/case_ports.py",  # the port's declaration
    "persistence/repositories/customer_records.py",  # the implementation
}


def test_only_the_verification_service_reads_the_facts_on_file() -> None:
    readers = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "facts_on_file" in path.read_text(encoding="utf-8")
    }
    assert readers == ALLOWED


def test_the_verification_service_does_not_log() -> None:
    modules = sorted((SRC / "services/verification").glob("*.py"))
    assert len(modules) >= 6  # the package, not a path that no longer exists
    for module in modules:
        text = module.read_text(encoding="utf-8")
        assert "logging" not in text and "print(" not in text, module.name
