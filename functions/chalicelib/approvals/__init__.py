"""Approvals: routes of approvers chosen by tenant rules, requests bound to a snapshot, decisions."""
