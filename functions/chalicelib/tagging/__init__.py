"""Dynamic tags: user-defined tag rules, re-evaluated as a customer's data changes."""
