"""Readers: files as they really are (CSV, XLSX, CIN census XML, SSDA903 XML) -> staged raw rows.

Each reader streams its file and hands rows to a `Stage` callback in chunks, with the physical line
of every row. Readers never decide types: the store keeps each value as written and derives its
typed form. A reader raises `Refused` when a file cannot be loaded at all, and returns the other
problems it met as data.
"""
