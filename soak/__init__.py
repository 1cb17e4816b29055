"""`make soak`: a bounded, loopback-only reliability soak of `make serve` on PostgreSQL.

50 readers hammer the public article pages for 60 s while an editor and a reviewer approve an
update every second; a second phase restarts PostgreSQL halfway. Every response is checked to be
one whole publication, and RELIABILITY.md is written from the results (``soak/report.py``).
This package imports nothing heavy at import time: the reader processes are spawned from it.
"""
