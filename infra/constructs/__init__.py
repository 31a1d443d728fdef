"""One construct per concern: key, table, users, layers, api, stream, bus, timers, jobs, ops."""
