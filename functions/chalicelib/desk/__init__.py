"""The service desk: tickets from every channel, their threads, priorities, SLA, assignment."""
