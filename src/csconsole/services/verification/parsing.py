"""The service's inputs as typed values: a question kind, a request type, the fields to correct,
an unlock reason. A bad value raises ``ValueError`` quoting at most 40 characters of it."""

from __future__ import annotations

from collections.abc import Iterable

from csconsole.domain.policy import CorrectableField, PolicyProfile, QuestionKind, RequestType

MAX_UNLOCK_REASON = 500


def question_kind(value: QuestionKind | str) -> QuestionKind:
    try:
        return QuestionKind(value)
    except ValueError:
        choices = ", ".join(k.value for k in QuestionKind)
        raise ValueError(f"question: {str(value)[:40]!r} is not one of {choices}") from None


def request_type(value: RequestType | str) -> RequestType:
    try:
        return RequestType(value)
    except ValueError:
        choices = ", ".join(r.value for r in RequestType)
        raise ValueError(f"request: {str(value)[:40]!r} is not one of {choices}") from None


def corrected_fields(
    values: Iterable[CorrectableField | str], profile: PolicyProfile
) -> tuple[CorrectableField, ...]:
    """The fields to correct, each once, in the order given; only those the profile corrects."""
    out: list[CorrectableField] = []
    for value in values:
        try:
            field = CorrectableField(value)
        except ValueError:
            choices = ", ".join(f.value for f in profile.corrections.fields)
            raise ValueError(f"field: {str(value)[:40]!r} is not one of {choices}") from None
        if field not in profile.corrections.fields:
            raise ValueError(f"field: the {profile.id} profile does not correct {field.value}")
        if field not in out:
            out.append(field)
    return tuple(out)


def unlock_reason(reason: str) -> str:
    """The reason a supervisor gives for an unlock, on one line and at most 500 characters."""
    text = " ".join(reason.split())[:MAX_UNLOCK_REASON]
    if not text:
        raise ValueError("reason: say why verification may go on (e.g. how you checked)")
    return text
