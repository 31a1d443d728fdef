"""Contracts: drafts from won deals, approval, signature, payment plans, renewal."""
