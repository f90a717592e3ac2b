"""The sign-in dialog, driven by keyboard through the real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt

from csconsole.ui.sign_in_dialog import SignInDialog
from tests.ui.ui_fakes import FakeAuth


def make_dialog(qtbot, runner, auth: FakeAuth, username: str = "") -> SignInDialog:
    dialog = SignInDialog(runner, lambda: auth, username=username)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_and_enter(qtbot, dialog: SignInDialog, user: str | None, password: str) -> None:
    if user is not None:
        dialog.user_field.clear()
        qtbot.keyClicks(dialog.user_field, user)
    qtbot.keyClicks(dialog.password_field, password)
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)


def test_right_password_signs_in_with_enter(qtbot, runner):
    auth = FakeAuth()
    dialog = make_dialog(qtbot, runner, auth)
    with qtbot.waitSignal(dialog.signed_in) as blocker:
        type_and_enter(qtbot, dialog, "rep", "rep-password-1")
    session = blocker.args[0]
    assert session.staff.username == "rep"
    assert session.staff.display_name == "Rita Rep"
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert dialog.password_field.text() == ""  # the password does not linger in the widget


def test_wrong_password_shows_the_service_message_and_stays_open(qtbot, runner):
    auth = FakeAuth()
    dialog = make_dialog(qtbot, runner, auth)
    signed: list[object] = []
    dialog.signed_in.connect(signed.append)
    type_and_enter(qtbot, dialog, "rep", "not-my-password")
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert dialog.error_label.text() == "Unknown user name or wrong password."
    assert dialog.isVisible()
    assert signed == []
    assert dialog.password_field.text() == ""
    assert dialog.password_field.isEnabled()
    assert dialog.password_field.hasFocus()
    # And then the right one works from the same dialog.
    with qtbot.waitSignal(dialog.signed_in):
        type_and_enter(qtbot, dialog, None, "rep-password-1")


def test_lockout_message_is_shown(qtbot, runner):
    auth = FakeAuth(max_failures=3)
    dialog = make_dialog(qtbot, runner, auth, username="rep")
    for attempt in range(1, 4):
        type_and_enter(qtbot, dialog, None, f"wrong-{attempt}")
        qtbot.waitUntil(lambda a=attempt: len(auth.attempts) == a and not dialog.is_checking)
    type_and_enter(qtbot, dialog, None, "rep-password-1")
    qtbot.waitUntil(lambda: "locked" in dialog.error_label.text())
    assert "Account locked after 3 failed sign-ins" in dialog.error_label.text()
    assert dialog.isVisible()


def test_progress_shows_while_checking_and_fields_are_disabled(qtbot, runner):
    auth = FakeAuth()
    auth.gate.clear()  # the check takes until the test lets it finish
    dialog = make_dialog(qtbot, runner, auth, username="rep")
    assert not dialog.progress.isVisible()
    type_and_enter(qtbot, dialog, None, "rep-password-1")
    assert dialog.progress.isVisible()
    assert not dialog.sign_in_button.isEnabled()
    assert not dialog.password_field.isEnabled()
    with qtbot.waitSignal(dialog.signed_in):
        auth.gate.set()
    assert not dialog.progress.isVisible()
    assert auth.threads and "MainThread" not in auth.threads


def test_prefilled_user_puts_the_cursor_in_the_password(qtbot, runner):
    dialog = make_dialog(qtbot, runner, FakeAuth(), username="rep")
    qtbot.waitUntil(dialog.password_field.hasFocus)
    assert dialog.user_field.text() == "rep"


def test_empty_user_name_is_refused_without_asking_the_service(qtbot, runner):
    auth = FakeAuth()
    dialog = make_dialog(qtbot, runner, auth)
    type_and_enter(qtbot, dialog, "", "whatever")
    assert dialog.error_label.text() == "Enter your user name."
    assert auth.attempts == []


def test_escape_cancels(qtbot, runner):
    dialog = make_dialog(qtbot, runner, FakeAuth())
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.user_field, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
