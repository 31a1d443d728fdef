"""The table's stream turned into aggregates, tags, automation and domain events."""
