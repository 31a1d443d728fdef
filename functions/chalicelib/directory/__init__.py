"""The tenant directory: users and teams, who manages whom, who can take which work."""
