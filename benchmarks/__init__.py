"""Benchmarks (``sync_bench.py``); a package so the tests can import their machinery."""
