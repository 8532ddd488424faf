from __future__ import annotations

import csv
from pathlib import Path

from datamonger.synth import generate
from datamonger.synth.early_years import settings_register, write_for
from datamonger.synth.names import FORENAMES


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_files_and_truth_point_at_looked_after_rows(ey_la):
    _, ey = ey_la
    folder = ey.folder
    identities = {r["child_id"]: r for r in rows(folder / "identities.csv")}
    truth = rows(folder / "early_years_truth.csv")
    assert len(truth) >= 30
    lists = {name: rows(folder / name) for name in ey.lists}
    assert len(lists) == 3
    for t in truth:
        row = lists[t["file"]][int(t["line"]) - 2]
        assert t["child_id"] in identities
        if row.get("child_id"):
            assert row["child_id"] == t["child_id"]
    # Most of each list is children who are not looked after.
    for name, rs in lists.items():
        linked = sum(1 for t in truth if t["file"] == name)
        assert linked < len(rs) / 4


def test_noise_is_there(ey_la):
    _, ey = ey_la
    folder = ey.folder
    identities = {r["child_id"]: r for r in rows(folder / "identities.csv")}
    lists = {name: rows(folder / name) for name in ey.lists}
    same_name = same_dob = 0
    truth = rows(folder / "early_years_truth.csv")
    for t in truth:
        row, who = lists[t["file"]][int(t["line"]) - 2], identities[t["child_id"]]
        same_name += (row["forename"], row["surname"]) == (who["forename"], who["surname"])
        same_dob += row["date_of_birth"] == who["date_of_birth"]
    assert 0.5 < same_name / len(truth) < 0.97  # nicknames, typos, surnames differ
    assert 0.8 < same_dob / len(truth) < 1.0
    # Children in two settings appear twice.
    ids = [t["child_id"] for t in truth]
    assert len(set(ids)) < len(ids)


def test_same_arguments_same_bytes(tmp_path):
    a = generate(tmp_path / "a", 3000, 2025, seed=2)
    b = generate(tmp_path / "b", 3000, 2025, seed=2)
    ea, eb = write_for(a, 2025, 1, None), write_for(b, 2025, 1, None)
    for f in ea.files:
        assert f.read_bytes() == (eb.folder / f.name).read_bytes()


def test_shipped_register_is_the_generated_one():
    from importlib import resources

    text = resources.files("datamonger").joinpath("data/early_years/synthetic_ey_settings.csv")
    shipped = list(csv.DictReader(text.read_text("utf-8").splitlines()))
    assert shipped == settings_register(("330", "333", "334"), 0)


def test_names_are_grouped_boys_then_girls():
    names = list(FORENAMES)
    assert names.index("Olivia") > 40
