"""ilusmart.gcpause: the cyclic collector is paused for the block and always restored."""

import gc

import pytest

from ilusmart.gcpause import gc_paused


def test_paused_in_the_block_and_on_again_after_it_even_after_an_error():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_as_a_decorator_and_nested():
    @gc_paused()
    def inner():
        with gc_paused():
            pass
        return gc.isenabled()  # the nested block did not switch it back on

    assert inner() is False
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
