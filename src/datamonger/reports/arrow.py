"""Text straight from Arrow: the writers hand DuckDB's rendered rows to files without a copy."""

from __future__ import annotations

import pyarrow as pa


def text_bytes(column: pa.Array) -> memoryview:
    """The UTF-8 bytes of every value of a string array, end to end, without a copy: an Arrow
    string array keeps them so in its data buffer, between its first and last offset."""
    if column.type not in (pa.string(), pa.large_string()):
        column = column.cast(pa.large_string())
    _, offsets, data = column.buffers()
    if data is None:  # nothing but empty strings (or nulls)
        return memoryview(b"")
    ends = memoryview(offsets).cast("q" if column.type == pa.large_string() else "i")
    return memoryview(data)[ends[column.offset] : ends[column.offset + len(column)]]
