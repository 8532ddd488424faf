"""Suite-wide: what counts as slow.

`make test` runs everything; `make test-fast` skips the `slow` tests: the few end-to-end ones
(a real browser, PDF rendering, large synthetic LAs). Every browser test is slow.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.slow)
