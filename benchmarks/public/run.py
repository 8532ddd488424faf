"""One run of a public validator on a return, as its own command line would run it.

    .venv-public/bin/python benchmarks/public/run.py ssda903 THIS_DIR LAST_DIR lac2024_25
    .venv-public/bin/python benchmarks/public/run.py cin CENSUS.xml cin2024_25

Run by `bench_validate.py --public PYTHON` with the public validators' own interpreter (never
Datamonger's), so that the issue's "10x / 50x the public validator" is measured on this machine,
on the same files. It reads the files, runs every rule of the ruleset and builds the issue table,
as `python -m lac_validator run` and `python -m cin_validator run` do.
"""

from __future__ import annotations

import glob
import importlib
import sys


def ssda903(this: str, last: str, ruleset: str) -> int:
    from lac_validator import lac_validator
    from lac_validator.report import Report
    from lac_validator.utils import process_uploaded_files

    files = process_uploaded_files(
        {
            "This year": sorted(glob.glob(f"{this}/*.csv")),
            "Prev year": sorted(glob.glob(f"{last}/*.csv")),
        }
    )
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    metadata = {"collectionYear": ruleset[3:7], "localAuthority": "E09000027"}
    v = lac_validator.LacValidator(metadata=metadata, files=files, registry=registry)
    report = Report(v.ds_results, registry)
    return len(lac_validator.create_issue_df(report.report, report.error_report))


def cin(census: str, ruleset: str) -> int:
    import xml.etree.ElementTree as ET

    from cin_validator import cin_validator

    root = ET.parse(census).getroot()
    data = cin_validator.process_data(cin_validator.convert_data(root))
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    return len(cin_validator.CinValidator(data, registry).full_issue_df)


if __name__ == "__main__":
    kind, *args = sys.argv[1:]
    rows = ssda903(*args) if kind == "ssda903" else cin(*args)
    print(rows)
