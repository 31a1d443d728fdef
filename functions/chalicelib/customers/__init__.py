"""Customers and their identities, contacts, interactions and orders (the 360 view)."""
