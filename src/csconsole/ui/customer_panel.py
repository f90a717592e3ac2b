"""The opened customer, masked: what a rep may see before the caller is verified."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QVBoxLayout, QWidget

from csconsole.domain.customers import CustomerSummary

UNVERIFIED_NOTICE = "Unverified caller: contact data masked"
EMPTY_TEXT = "No customer open. Find one with the search (Ctrl+K), then press Enter on a result."

# (key, form label) in display order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("customer_no", "Customer no."),
    ("email", "Email"),
    ("phone", "Phone"),
    ("postcode", "Postcode"),
    ("city", "City"),
    ("country", "Country"),
    ("since", "Customer since"),
    ("orders", "Orders"),
    ("email_marketing", "Email marketing"),
    ("catalog", "Catalog mail"),
    ("misuse", "Account misuse"),
)


def _subscription(subscribed: bool) -> str:
    return "subscribed" if subscribed else "not subscribed"


def summary_values(summary: CustomerSummary) -> dict[str, str]:
    """The text of each field; only the summary's masked values, never raw contact data."""
    return {
        "customer_no": str(summary.customer_id),
        "email": summary.email_masked or "none on file",
        "phone": summary.phone_masked or "none on file",
        "postcode": summary.postcode_masked or "none on file",
        "city": summary.city or "—",
        "country": summary.country or "—",
        "since": summary.customer_since or "—",
        "orders": str(summary.order_count),
        "email_marketing": _subscription(summary.email_subscribed),
        "catalog": _subscription(summary.catalog_subscribed),
        "misuse": "REPORTED: treat requests with care" if summary.flagged_misuse else "none",
    }


class CustomerPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerPanel")
        self.setAccessibleName("Customer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(320)
        self._summary: CustomerSummary | None = None

        self.title = QLabel()
        self.title.setObjectName("customerTitle")
        self.title.setAccessibleName("Customer name")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.notice = QLabel(UNVERIFIED_NOTICE)
        self.notice.setObjectName("unverifiedNotice")
        self.notice.setAccessibleName("Verification status")
        self.notice.setToolTip(
            "The caller has not been verified. Contact data stays masked until they are."
        )
        self.notice.setStyleSheet(
            "QLabel#unverifiedNotice { background: #fff4ce; color: #5c4400;"
            " border: 1px solid #e0c060; border-radius: 3px; padding: 4px 8px; }"
        )

        self.message = QLabel(EMPTY_TEXT)
        self.message.setObjectName("customerMessage")
        self.message.setWordWrap(True)

        form_box = QWidget()
        self.form = QFormLayout(form_box)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.values: dict[str, QLabel] = {}
        for key, label in FIELDS:
            value = QLabel()
            value.setObjectName(f"customer_{key}")
            value.setAccessibleName(label)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.values[key] = value
            self.form.addRow(f"{label}:", value)
        self._form_box = form_box

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.notice)
        layout.addWidget(self.message)
        layout.addWidget(form_box)
        layout.addStretch(1)
        self.clear()

    @property
    def summary(self) -> CustomerSummary | None:
        return self._summary

    def clear(self, message: str = EMPTY_TEXT) -> None:
        self._summary = None
        self.title.setText("Customer")
        self.notice.hide()
        self._form_box.hide()
        for value in self.values.values():
            value.clear()
        self.message.setText(message)
        self.message.show()

    def show_loading(self, name: str) -> None:
        self.clear(f"Opening {name}…")

    def show_error(self, message: str) -> None:
        self.clear(message)

    def show_summary(self, summary: CustomerSummary) -> None:
        self._summary = summary
        self.title.setText(summary.name)
        for key, text in summary_values(summary).items():
            self.values[key].setText(text)
        misuse = self.values["misuse"]
        misuse.setStyleSheet("color: #a4262c; font-weight: bold;" if summary.flagged_misuse else "")
        self.message.hide()
        self.notice.show()
        self._form_box.show()
