"""The 360 view's tab widgets and the text of their rows, from plain data (never ORM objects).

Every piece of customer data goes into a plain-text label or a tree item: a name or a note
holding HTML is shown as typed, never rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from csconsole.domain.masking import BULLET, mask_card
from csconsole.domain.unmasking import OrderDetails
from csconsole.services.customer_view import (
    ActivityView,
    AddressView,
    CaseView,
    OrderView,
    SubscriptionView,
)

MASKED = BULLET * 3
NONE = "—"


def plain_label(text: str = "", *, name: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    label.setText(text)
    return label


def when(value: datetime | None) -> str:
    if value is None:
        return NONE
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(value: date | None) -> str:
    return value.isoformat() if value is not None else NONE


def words(code: str) -> str:
    """``mailing_opt_out`` -> ``mailing opt out``."""
    return code.replace("_", " ")


def money(cents: int, currency: str) -> str:
    return f"{cents / 100:,.2f} {currency}"


class OverviewTab(QWidget):
    """The customer's contact data and standing, one plain-text label per field."""

    FIELDS: tuple[tuple[str, str], ...] = (
        ("customer_no", "Customer no."),
        ("email", "Email"),
        ("phone", "Phone"),
        ("postcode", "Postcode"),
        ("city", "City"),
        ("billing_region", "Billing region/state"),
        ("country", "Country"),
        ("date_of_birth", "Date of birth"),
        ("since", "Customer since"),
        ("orders", "Orders"),
        ("email_marketing", "Email marketing"),
        ("catalog", "Catalog mail"),
        ("misuse", "Account misuse"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewTab")
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.values: dict[str, QLabel] = {}
        for key, label in self.FIELDS:
            value = plain_label(name=f"customer_{key}")
            value.setAccessibleName(label)
            self.values[key] = value
            self.form.addRow(f"{label}:", value)

    def show_values(self, values: dict[str, str]) -> None:
        for key, value in self.values.items():
            value.setText(values.get(key, NONE))
        misuse = self.values["misuse"]
        reported = values.get("misuse", "").startswith("REPORTED")
        misuse.setStyleSheet("color: #a4262c; font-weight: bold;" if reported else "")

    def clear(self) -> None:
        for value in self.values.values():
            value.clear()


class ListTab(QWidget):
    """A tree of rows under a status line ("Loading…", "No orders", a refusal)."""

    def __init__(
        self, name: str, headers: Sequence[str], empty: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Tab")
        self.empty_text = empty
        self.status = plain_label(name=f"{name}Status")
        self.status.setAccessibleName(f"{name.capitalize()} status")
        self.tree = QTreeWidget()
        self.tree.setObjectName(f"{name}Tree")
        self.tree.setAccessibleName(name.capitalize())
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(list(headers))
        self._headers = tuple(headers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)

    def show_message(self, text: str) -> None:
        self.tree.clear()
        self.status.setText(text)
        self.status.show()

    def show_rows(
        self,
        rows: Sequence[Sequence[str]],
        *,
        headers: Sequence[str] | None = None,
        children: Sequence[Sequence[Sequence[str]]] | None = None,
        note: str = "",
    ) -> None:
        self.tree.clear()
        if headers is not None and tuple(headers) != self._headers:
            self._headers = tuple(headers)
            self.tree.setHeaderLabels(list(headers))
        items = []
        for n, row in enumerate(rows):
            item = QTreeWidgetItem(list(row))
            for line in children[n] if children is not None else ():
                item.addChild(QTreeWidgetItem(list(line)))
            items.append(item)
        self.tree.setRootIsDecorated(children is not None and any(children))
        self.tree.addTopLevelItems(items)
        self.tree.expandAll()
        text = note if rows else (note or self.empty_text)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def cell_texts(self) -> list[list[str]]:
        """Every row's texts, children after their parent (tests and the benchmark)."""
        out: list[list[str]] = []
        root = self.tree.invisibleRootItem()
        items = [root.child(i) for i in range(root.childCount())]
        for item in filter(None, items):
            out.append([item.text(c) for c in range(item.columnCount())])
            for child in filter(None, (item.child(j) for j in range(item.childCount()))):
                out.append([child.text(c) for c in range(child.columnCount())])
        return out


ADDRESS_HEADERS = ("Kind", "Street", "City", "Region/state", "Postcode", "Country", "Phone")


def address_rows_masked(addresses: Sequence[AddressView]) -> list[list[str]]:
    return [
        [
            a.kind,
            a.street_masked or NONE,
            a.city or NONE,
            a.region or NONE,
            a.postcode_masked or NONE,
            a.country or NONE,
            a.phone_masked or NONE,
        ]
        for a in addresses
    ]


MASKED_ORDER_HEADERS = ("#", "Status", "Items", "Card")
ORDER_HEADERS = ("Order", "Placed", "Status", "Total", "Card", "Items")


def order_rows_masked(orders: Sequence[OrderView]) -> list[list[str]]:
    return [
        [str(o.position), o.status, str(o.item_count), f"{o.card_brand} {MASKED}".strip()]
        for o in orders
    ]


def card_text(order: OrderDetails) -> str:
    """Brand and last four digits only: the cache never holds more (PCI DSS 3.4.1)."""
    if order.payment_method and order.payment_method != "card":
        return words(order.payment_method)
    shown = mask_card(order.card_last4)
    return f"{order.card_brand or ''} {shown}".strip() or NONE


def order_rows(orders: Sequence[OrderDetails]) -> tuple[list[list[str]], list[list[list[str]]]]:
    rows, children = [], []
    for o in orders:
        rows.append(
            [
                o.number,
                when(o.placed_at),
                o.status,
                money(o.total_cents, o.currency),
                card_text(o),
                str(sum(line.quantity for line in o.lines)),
            ]
        )
        children.append(
            [
                [
                    f"{line.quantity} × {line.name}",
                    line.sku,
                    "",
                    money(line.price_cents, o.currency),
                    "",
                    "",
                ]
                for line in o.lines
            ]
        )
    return rows, children


MAILING_HEADERS = ("Channel", "Event", "Source", "When")


def mailing_rows(events: Sequence[SubscriptionView]) -> list[list[str]]:
    return [[e.channel, e.event, words(e.source), when(e.occurred_at)] for e in events]


CASE_HEADERS = ("Case", "Type", "Status", "Opened", "Due", "Summary")


def case_rows(cases: Sequence[CaseView]) -> list[list[str]]:
    return [
        [
            f"{c.case_id} ({c.desk})" if c.desk else str(c.case_id),
            words(c.case_type),
            words(c.status),
            when(c.opened_at),
            "closed " + day(c.closed_at.date()) if c.closed_at is not None else day(c.due_on),
            c.summary.replace("\n", " "),
        ]
        for c in cases
    ]


ACTIVITY_HEADERS = ("When", "Who", "What", "Case", "Details")


def activity_rows(events: Sequence[ActivityView]) -> list[list[str]]:
    return [
        [
            when(e.at),
            f"{e.actor} ({e.role}, {e.workstation})",
            e.label,
            str(e.case_id) if e.case_id is not None else NONE,
            e.details_text(),
        ]
        for e in events
    ]
