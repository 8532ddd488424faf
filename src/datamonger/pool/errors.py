"""The one kind of failure a pool command reports: something the user can put right."""

from __future__ import annotations


class PoolError(Exception):
    """One clear sentence: what is wrong, where, and what to do. Nothing was changed."""
