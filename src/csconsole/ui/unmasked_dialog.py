"""The customer's data after verification, as far as the level reached allows (each opening is
an audit event, recorded by the service)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from csconsole.domain.unmasking import UnmaskedCustomer
from csconsole.ui.plain_text import shown


def unmasked_html(view: UnmaskedCustomer) -> str:
    """The view as simple HTML; every value escaped."""
    rows = [
        ("Verified at", f"{view.level.value} level"),
        ("Name", view.name),
        ("Email", view.email),
        *(("Phone", phone) for phone in view.phones),
    ]
    for a in view.addresses:
        street = ", ".join(a.street.splitlines())
        rows.append(
            (f"{a.kind.title()} address", f"{street}, {a.city} {a.postcode or ''} {a.country}")
        )
    if view.date_of_birth:
        rows.append(("Date of birth", view.date_of_birth.isoformat()))
    for o in view.orders:
        items = "; ".join(f"{line.quantity} × {line.name}" for line in o.lines)
        rows.append(
            (
                f"Order {o.number}",
                f"{o.placed_at:%Y-%m-%d}, {o.total_cents / 100:.2f} {o.currency}, {o.status}, "
                f"{o.card_shown or o.payment_method}; {items}",
            )
        )
    for s in view.subscriptions:
        rows.append(
            (f"{s.channel.title()} mailing", f"{s.event} ({s.source}) {s.occurred_at:%Y-%m-%d}")
        )
    if view.flagged_misuse:
        rows.append(("Account misuse", "REPORTED"))
    body = "".join(
        f"<tr><th align=left>{escape(k)}</th><td>{escape(shown(v))}</td></tr>" for k, v in rows
    )
    return f"<table cellspacing=4>{body}</table>"


class UnmaskedCustomerDialog(QDialog):
    def __init__(self, view: UnmaskedCustomer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setObjectName("unmaskedDialog")
        self.setWindowTitle(shown(f"{view.name} — verified ({view.level.value})"))
        self.resize(560, 480)
        self.browser = QTextBrowser()
        self.browser.setObjectName("unmaskedText")
        self.browser.setHtml(unmasked_html(view))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
