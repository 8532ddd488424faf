"""Suite-wide: what counts as slow, and what runs together on one worker.

`make test` runs everything; `make test-fast` skips the `slow` tests: the few end-to-end ones
(a real browser, PDF rendering, large synthetic LAs). Every browser test is slow.

The suite runs on every core (pytest-xdist, `--dist loadgroup`). A web test module shares one
workbench among its tests, which read what earlier ones did (the audit log), so each web module
runs whole on one worker; every other test goes wherever a worker is free.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)
        if item.nodeid.startswith("tests/web/"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
