"""Early-education monitor: every looked-after child under five, in or out of area, checked
against the early-years lists (funded early education headcounts) of the LA and its neighbours.

Data flows one way: `readers` (the lists, the identities, the settings register) -> `linkage`
(splink on DuckDB) -> `eligibility` (terms after birthdays) -> `monitor` (one run, stored with
its history in the LA's database) -> `report` (table, JSON, CSV, XLSX) -> CLI and web.
"""
