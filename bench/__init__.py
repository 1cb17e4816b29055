"""Benchmarks (``make bench``): not tests. See BENCHMARKS.md."""
