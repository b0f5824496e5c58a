"""`make bench`: the service under load against its own ceiling (see docs/readme-bench.md)."""
