"""Study groups: groups, sessions in every member's local time, and the announcement outbox."""
