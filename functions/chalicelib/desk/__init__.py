"""Service desk: tickets from every channel, assignment, SLA timers, surveys."""
