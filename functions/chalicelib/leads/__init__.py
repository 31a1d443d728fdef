"""Leads: capture from any channel, BANT score, assignment, first contact, conversion."""
