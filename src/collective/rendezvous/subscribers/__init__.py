"""Event subscribers: keep slots, local roles and states in sync with the content."""
