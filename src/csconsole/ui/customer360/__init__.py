"""The customer on screen, in tabs (``view.Customer360View``)."""

from csconsole.ui.customer360.view import EMPTY_TEXT, UNVERIFIED_NOTICE, Customer360View

__all__ = ["EMPTY_TEXT", "UNVERIFIED_NOTICE", "Customer360View"]
