"""`make bench`: the service under load against its own ceiling (docs/performance.md)."""
