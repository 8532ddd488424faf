"""Datamonger: read, validate, measure and benchmark children's social care returns."""

__version__ = "0.1.0"
