"""Pausing Python's cyclic garbage collector around one bounded, allocation-heavy computation.

The battery what-if (``meters.selectors.battery.battery_whatif``) holds a year of quarter-hours
as about 730 lists of 96 integers while it simulates. Every 2,000 new containers the cyclic
collector walks all young objects, those lists included, element by element, to look for
reference cycles that this code never makes (reference counting frees its objects as soon as
they are dropped, with or without the collector). benchmarks/battery.py measured that walk at
about 1.2 ms of the page's CPU; the collections that are due simply run after the computation.

Only for code that does not create reference cycles, and only for a bounded time (one request).
The web workers are synchronous (one request per process at a time); if another thread runs
meanwhile, it only sees its collections postponed.
"""

import gc
from contextlib import contextmanager


@contextmanager
def gc_paused():
    """Pause the cyclic collector for the block (or, as a decorator, the call); nested use and a
    collector that was already off are left as they were."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
