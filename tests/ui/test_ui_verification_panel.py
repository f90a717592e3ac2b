"""The verification wizard, driven from the keyboard over the real verification service and a
real encrypted cache: one question at a time, match / no match, level, lock, affirmation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from csconsole.domain.policy import QuestionKind, VerificationLevel
from csconsole.domain.verification import PROMPTS
from csconsole.domain.verification_answers import AnswerOutcome
from csconsole.ui.tasks import TaskRunner
from csconsole.ui.verification_panel import VerificationPanel
from tests.casework import JANE, JANE_SECRETS, CaseWorld, audit_rows


def make_wizard(
    qtbot: Any, world: CaseWorld, runner: TaskRunner, request: str | None = None
) -> VerificationPanel:
    rep = world.session("rep")
    case = world.console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="caller on the line"
    )
    wizard = VerificationPanel(
        world.console.verification, rep, runner, case.case_id, request=request
    )
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.start()
    qtbot.waitUntil(lambda: wizard.status is not None, timeout=10_000)
    return wizard


def screen_text(wizard: VerificationPanel) -> str:
    labels = [label.text() for label in wizard.findChildren(QLabel)]
    history = [wizard.history.item(i).text() for i in range(wizard.history.count())]
    return "\n".join(labels + history)


def answer(
    qtbot: Any, wizard: VerificationPanel, text: str, *, paste: bool = False
) -> AnswerOutcome:
    before = wizard.last_result
    if paste:  # QTest cannot type characters outside the BMP; a paste is what a rep would do
        wizard.answer_field.insert(text)
    else:
        qtbot.keyClicks(wizard.answer_field, text)
    qtbot.keyClick(wizard.answer_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.last_result is not before and not wizard.is_busy, timeout=10_000)
    assert wizard.last_result is not None
    return wizard.last_result.outcome


def go_to(qtbot: Any, wizard: VerificationPanel, kind: QuestionKind) -> None:
    for _ in range(len(QuestionKind)):
        if wizard.current_question is kind:
            return
        qtbot.keyClick(wizard.answer_field, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert wizard.current_question is kind


def test_a_rep_verifies_the_caller_from_the_keyboard(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner)
    assert wizard.current_question is QuestionKind.EMAIL
    assert wizard.prompt_label.text() == PROMPTS[QuestionKind.EMAIL]
    assert "standard (0 of 2 data points)" in wizard.level_label.text()
    qtbot.waitUntil(wizard.answer_field.hasFocus)
    assert answer(qtbot, wizard, "Jane.Smith@Example.org") is AnswerOutcome.MATCH
    assert wizard.result_label.text() == "Email: Match"
    assert wizard.answer_field.text() == ""
    assert wizard.current_question is QuestionKind.PHONE  # the next question comes up
    go_to(qtbot, wizard, QuestionKind.BILLING_POSTCODE)
    assert answer(qtbot, wizard, "99999") is AnswerOutcome.NO_MATCH
    assert "Billing postcode: No match" in wizard.result_label.text()
    assert "1 of 3" in wizard.lock_label.text()
    for secret in JANE_SECRETS:  # the rep saw no stored answer
        assert secret not in screen_text(wizard)
    with qtbot.waitSignal(wizard.verified, timeout=10_000) as verified:
        go_to(qtbot, wizard, QuestionKind.PHONE)
        assert answer(qtbot, wizard, "(212) 555 4990") is AnswerOutcome.MATCH
    assert verified.args[0].level is VerificationLevel.STANDARD
    assert "VERIFIED" in wizard.level_label.text()
    assert wizard.unmask_button.isEnabled()
    assert [wizard.history.item(i).text() for i in range(wizard.history.count())] == [
        "Email: match",
        "Billing postcode: no match",
        "Phone: match",
    ]


def test_unreadable_answers_get_a_reason_and_the_field_stays(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner)
    go_to(qtbot, wizard, QuestionKind.CARD_LAST4)
    assert answer(qtbot, wizard, "4111 1111 1111 1881") is AnswerOutcome.REJECTED
    assert "last four digits only" in wizard.result_label.text()
    assert wizard.current_question is QuestionKind.CARD_LAST4
    assert wizard.answer_field.selectedText() == "4111 1111 1111 1881"
    go_to(qtbot, wizard, QuestionKind.LAST_ORDER_DATE)
    wizard.answer_field.clear()
    assert answer(qtbot, wizard, "\u202e🙂 last week", paste=True) is AnswerOutcome.REJECTED
    assert "2025-03-01" in wizard.result_label.text()  # the format hint, not the stored date
    assert "0 of 3" in wizard.lock_label.text()


def test_three_wrong_answers_lock_the_wizard(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner)
    for wrong in ["x@example.com", "2125550000", "99999"]:
        assert answer(qtbot, wizard, wrong) is AnswerOutcome.NO_MATCH
    assert "LOCKED" in wizard.lock_label.text()
    assert not wizard.answer_field.isEnabled()
    assert not wizard.unmask_button.isEnabled()


def test_high_level_needs_the_affirmation_checkbox(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner, request="data_copy")
    assert wizard.affirmation_box.isVisible()
    assert "I confirm" in wizard.affirmation_label.text()
    assert wizard.affirmation_label.wordWrap()  # read aloud in full
    assert answer(qtbot, wizard, "jane.smith@example.org") is AnswerOutcome.MATCH
    assert answer(qtbot, wizard, "212-555-4990") is AnswerOutcome.MATCH
    assert answer(qtbot, wizard, "10001") is AnswerOutcome.MATCH
    assert wizard.status is not None and wizard.status.level is VerificationLevel.STANDARD
    assert not wizard.unmask_button.isEnabled() or not wizard.status.passed
    with qtbot.waitSignal(wizard.verified, timeout=10_000):
        wizard.affirmation_box.setFocus()
        qtbot.keyClick(wizard.affirmation_box, Qt.Key.Key_Space)
    assert wizard.status.level is VerificationLevel.HIGH and wizard.status.affirmed
    assert wizard.affirmation_box.isChecked() and not wizard.affirmation_box.isEnabled()


def _pulled_lock(world: CaseWorld, origin: str = "desk-a", lock_id: int = 9) -> None:
    """A lock another desk recorded, as the ledger sync pulls it into the replica table."""
    from csconsole.persistence.ledger.tables import VERIFICATION_LOCK

    replica = VERIFICATION_LOCK.replica
    assert replica is not None
    with world.console.engine.begin() as conn:
        conn.execute(
            replica.insert().values(
                origin=origin,
                id=lock_id,
                customer_id=JANE,
                locked_at=world.clock.now(),  # the column type stores it as naive UTC
                failures=3,
                session_id=4,
                rev=1,
            )
        )
    world.clock.advance(minutes=1)


def make_supervisor_wizard(
    qtbot: Any, world: CaseWorld, runner: TaskRunner, role: str = "supervisor"
) -> VerificationPanel:
    session = world.session(role)
    case = world.console.cases.open_case(
        session, "access", customer_id=JANE, channel="phone", summary="caller on the line"
    )
    wizard = VerificationPanel(world.console.verification, session, runner, case.case_id)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)  # Alt+U (a mnemonic) needs it
    wizard.start()
    return wizard


def test_a_supervisor_unlocks_a_lock_made_on_another_desk_from_the_keyboard(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    _pulled_lock(ui_world)
    wizard = make_supervisor_wizard(qtbot, ui_world, runner)
    # The start is refused; the wizard asks where the lock stands and offers the unlock.
    qtbot.waitUntil(lambda: not wizard.unlock_row.isHidden(), timeout=10_000)
    assert wizard.status is None and not wizard.answer_field.isEnabled()
    assert "LOCKED after 3 wrong answers (locked on desk desk-a)" in wizard.lock_label.text()
    qtbot.waitUntil(wizard.unlock_reason.hasFocus)
    # Alt+U without a reason asks for one and records nothing.
    qtbot.keyClick(wizard.unlock_reason, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: "Type why" in wizard.result_label.text())  # a mnemonic animates
    assert wizard.unlock_reason.hasFocus()
    assert ui_world.console.verification.lock_state(ui_world.session("rep"), JANE).locked
    with qtbot.waitSignal(wizard.unlocked, timeout=10_000) as unlocked:
        qtbot.keyClicks(wizard.unlock_reason, "called back on the number on file")
        qtbot.keyClick(wizard.unlock_reason, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert not unlocked.args[0].locked
    # A new verification starts by itself, and the questions are back.
    qtbot.waitUntil(lambda: wizard.status is not None and not wizard.is_busy, timeout=10_000)
    assert wizard.unlock_row.isHidden()
    assert wizard.status is not None and wizard.status.usable
    assert "0 of 3" in wizard.lock_label.text()
    qtbot.waitUntil(wizard.answer_field.hasFocus)
    assert answer(qtbot, wizard, "jane.smith@example.org") is AnswerOutcome.MATCH
    steps = [r[0] for r in audit_rows(ui_world.console) if r[0].startswith("verification.")]
    assert steps == [
        "verification.refused",  # the start, on a customer locked on desk-a
        "verification.unlocked",
        "verification.started",
        "verification.answer",
    ]


def test_the_unlock_row_is_for_supervisors_and_enter_unlocks_a_lock_made_here(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    rep_wizard = make_wizard(qtbot, ui_world, runner)
    for wrong in ["x@example.com", "2125550000", "99999"]:
        assert answer(qtbot, rep_wizard, wrong) is AnswerOutcome.NO_MATCH
    assert "LOCKED after 3 wrong answers:" in rep_wizard.lock_label.text()
    assert rep_wizard.unlock_row.isHidden()  # a rep cannot unlock
    qtbot.keyClick(rep_wizard.history, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    # A mnemonic that reached the button would hold it down at once (and click it 100 ms later).
    assert not rep_wizard.unlock_button.isDown()
    assert runner.wait(10_000)  # and nothing was asked of the service meanwhile
    assert ui_world.console.verification.lock_state(ui_world.session("rep"), JANE).locked

    wizard = make_supervisor_wizard(qtbot, ui_world, runner)
    qtbot.waitUntil(lambda: not wizard.unlock_row.isHidden(), timeout=10_000)
    assert "(locked on desk" not in wizard.lock_label.text()  # this desk's own lock
    with qtbot.waitSignal(wizard.unlocked, timeout=10_000):
        qtbot.keyClicks(wizard.unlock_reason, "verified in person at the shop")
        qtbot.keyClick(wizard.unlock_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.status is not None and not wizard.is_busy, timeout=10_000)
    assert not ui_world.console.verification.lock_state(ui_world.session("rep"), JANE).locked


def test_a_wizard_that_cannot_start_says_why_instead_of_starting_forever(
    qtbot: Any, ui_world: CaseWorld, runner: TaskRunner
) -> None:
    from csconsole.domain.staff import Role

    console = ui_world.console
    rep = ui_world.session("rep")
    admin = ui_world.session("admin")
    console.auth.create_staff(
        "rep2", "Second Rep", Role.REP, "long-enough-password", created_by=admin
    )
    other = console.auth.sign_in("rep2", "long-enough-password")
    case = console.cases.open_case(
        rep, "access", customer_id=JANE, channel="phone", summary="caller on the line"
    )
    wizard = VerificationPanel(console.verification, other, runner, case.case_id)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.start()
    qtbot.waitUntil(lambda: wizard.level_label.text() != "Starting…", timeout=10_000)
    assert wizard.status is None
    assert wizard.level_label.text() == "Verification not started"
    assert "another rep's queue" in wizard.result_label.text()
    assert not wizard.answer_field.isEnabled()


def test_when_locked_the_panel_says_so_once_and_disables_the_questions(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner)
    for wrong in ["x@example.com", "2125550000", "99999"]:
        assert answer(qtbot, wizard, wrong) is AnswerOutcome.NO_MATCH
    texts = [label.text() for label in wizard.findChildren(QLabel)]
    assert sum("LOCKED" in t or "locked" in t for t in texts) == 1  # once, in the lock line
    assert "LOCKED" in wizard.lock_label.text()
    assert not wizard.answer_field.isEnabled()
    assert not wizard.question_combo.isEnabled() and not wizard.skip_button.isEnabled()
    assert wizard.prompt_label.text() == ""  # no question left on screen to read out


def test_a_wrong_answer_after_the_level_is_reached_does_not_count(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner)
    assert answer(qtbot, wizard, "jane.smith@example.org") is AnswerOutcome.MATCH
    assert answer(qtbot, wizard, "(212) 555 4990") is AnswerOutcome.MATCH
    for kind, wrong in [
        (QuestionKind.BILLING_POSTCODE, "99999"),
        (QuestionKind.CARD_LAST4, "0000"),
        (QuestionKind.LAST_ORDER_NUMBER, "DN999999999"),
    ]:
        assert wizard.choose_question(kind)
        assert answer(qtbot, wizard, wrong) is AnswerOutcome.NO_MATCH_LATE
    assert "not counted towards a lockout" in wizard.result_label.text()
    assert "0 of 3" in wizard.lock_label.text()
    assert "VERIFIED" in wizard.level_label.text()
    assert wizard.unmask_button.isEnabled()


def test_the_rep_chooses_the_next_question_or_takes_the_suggested_one(
    ui_world: CaseWorld, runner: TaskRunner, qtbot: Any
) -> None:
    wizard = make_wizard(qtbot, ui_world, runner)
    combo = wizard.question_combo
    assert combo.itemText(0).endswith("(suggested)")
    assert combo.count() == len(wizard.status.remaining)  # type: ignore[union-attr]
    assert wizard.current_question is QuestionKind.EMAIL
    index = combo.findData(QuestionKind.CARD_LAST4.value)
    combo.setFocus()
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert wizard.current_question is QuestionKind.CARD_LAST4
    assert wizard.prompt_label.text() == PROMPTS[QuestionKind.CARD_LAST4]
