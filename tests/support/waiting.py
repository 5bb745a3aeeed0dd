"""Wait on a condition instead of sleeping a fixed time."""

import time


def wait_until(condition, *, timeout=10.0, interval=0.05, what="condition"):
    """Poll `condition` until it returns something truthy; return that, or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(interval)
