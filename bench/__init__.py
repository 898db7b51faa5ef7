"""Benchmarks: run with `make bench`, never in CI."""
