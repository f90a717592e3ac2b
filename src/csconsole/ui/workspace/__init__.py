"""The rep's call workspace: the call context (one customer, their case, its verification),
the header that shows it, and the case pane beside the customer."""
