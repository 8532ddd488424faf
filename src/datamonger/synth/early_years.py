"""`synth --early-years`: the early-years side of a synthetic LA, for the early-education monitor.

From the same population as the returns it writes, under `OUT_DIR/early_years/`:
- `identities.csv`: the case-management system's names for the children looked after on the
  as-of date or in the 90 days before it (the SSDA903 return carries no names);
- `ey_list_<LA>.csv` for the LA and its two nearest neighbours: the funded early education
  headcount of the term, mostly children who are not looked after, with the looked-after children
  attending a setting in that LA written the way nursery systems hold them (nicknames, typos,
  hyphenated and changed surnames, day and month swapped, missing or wrong UPNs, moves, two
  settings);
- `settings.csv`: a synthetic Ofsted register of early years providers for the three LAs;
- `early_years_truth.csv`: which list row is which looked-after child, to measure linkage.
Every name is an invented combination of common names. Same arguments, same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from datamonger import la_codes
from datamonger.early_years.terms import offer_on, term_of
from datamonger.synth import proportions as P
from datamonger.synth.generate import SynthSummary
from datamonger.synth.model import CareEpisode, Child
from datamonger.synth.names import FORENAMES, SURNAMES
from datamonger.synth.population import simulate
from datamonger.synth.upn import make_upn

EY_COLUMNS = (
    "forename", "surname", "date_of_birth", "postcode", "setting_urn", "setting_name",
    "funded_hours", "term", "la", "upn", "child_id", "sex", "ethnicity",
)  # fmt: skip
IDENTITY_COLUMNS = (
    "child_id", "forename", "surname", "date_of_birth", "postcode", "upn", "preferred_name",
    "former_surname",
)  # fmt: skip
TRUTH_COLUMNS = ("file", "line", "child_id")
SETTINGS_COLUMNS = (
    "URN",
    "Setting name",
    "Setting type",
    "Local authority",
    "Overall effectiveness",
)
SETTING_TYPES = {  # Ofsted's provider types and their share of funded places
    "Private": 45, "Voluntary": 15, "Independent": 3, "Maintained nursery class": 20,
    "Nursery school": 7, "Childminder": 10,
}  # fmt: skip
GRADES = {"Outstanding": 14, "Good": 82, "Requires improvement": 3, "Inadequate": 1}
ETHNICITY = ("WBRI", "WOTH", "MWBC", "AIND", "APKN", "ABAN", "BAFR", "BCRB", "CHNE", "OOTH")
TAKE_UP = 0.74  # looked-after children attending (national: about 71% of CLA, 85% of all)
LIST_PER_CLA = 40  # list rows per looked-after child of the LA, by default
FORENAME_LIST = tuple(FORENAMES)
_GIRLS = FORENAME_LIST.index("Olivia")  # boys first, then girls


@dataclass(slots=True)
class EarlyYearsSummary:
    folder: Path
    as_of: dt.date
    la: str
    neighbours: tuple[str, str]
    identities: int = 0
    lists: dict[str, int] = field(default_factory=dict)  # file name -> rows
    truth_rows: int = 0
    files: list[Path] = field(default_factory=list)


@lru_cache(maxsize=1)
def _postcodes() -> tuple[dict[str, list[str]], dict[str, tuple[float, float]]]:
    text = resources.files("datamonger.synth").joinpath("data/postcodes.csv").read_text("utf-8")
    by_la: dict[str, list[str]] = {}
    sums: dict[str, list[float]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        by_la.setdefault(row["dfe_la"], []).append(row["postcode"])
        s = sums.setdefault(row["dfe_la"], [0.0, 0.0, 0.0])
        s[0] += float(row["easting"])
        s[1] += float(row["northing"])
        s[2] += 1
    centres = {la: (s[0] / s[2], s[1] / s[2]) for la, s in sums.items()}
    return by_la, centres


def postcode_la() -> dict[str, str]:
    by_la, _ = _postcodes()
    return {pc: la for la, pcs in by_la.items() for pc in pcs}


def neighbours(la: str) -> tuple[str, str]:
    """The two LAs whose sampled postcodes centre nearest to the LA's (Birmingham: Sandwell and
    Solihull)."""
    _, centres = _postcodes()
    x, y = centres[la]
    near = sorted((math.dist((x, y), c), other) for other, c in centres.items() if other != la)
    return near[0][1], near[1][1]


def settings_register(las: tuple[str, ...], seed: int = 0) -> list[dict[str, str]]:
    """A synthetic Ofsted register of early years providers: 60 settings per LA."""
    rows = []
    types, t_w = list(SETTING_TYPES), list(SETTING_TYPES.values())
    grades, g_w = list(GRADES), list(GRADES.values())
    for la in las:
        rng = random.Random(f"ey-settings:{seed}:{la}")
        for k in range(60):
            kind = rng.choices(types, t_w)[0]
            name = (
                f"{rng.choice(SURNAMES)} childminding"
                if kind == "Childminder"
                else f"{rng.choice(_PLACES)} {rng.choice(_KINDS[kind])}"
            )
            grade = rng.choices(grades, g_w)[0] if rng.random() > 0.06 else ""  # not yet inspected
            rows.append(
                {
                    "URN": f"EY{int(la) * 1000 + k + 100000:06d}",
                    "Setting name": name,
                    "Setting type": kind,
                    "Local authority": la,
                    "Overall effectiveness": grade,
                }
            )
    return rows


_PLACES = (
    "Acorn", "Little Oaks", "Rainbow", "Sunshine", "Busy Bees", "Treetops", "Ladybird", "Willow",
    "Bluebell", "Puddle Ducks", "Kingfisher", "Meadow", "Hillside", "Riverside", "St Mary's",
)  # fmt: skip
_KINDS = {
    "Private": ("Day Nursery", "Nursery Ltd", "Kindergarten"),
    "Voluntary": ("Pre-School", "Playgroup", "Community Nursery"),
    "Independent": ("Montessori", "Independent School Nursery"),
    "Maintained nursery class": ("Primary School Nursery Class", "Infant School Nursery"),
    "Nursery school": ("Nursery School",),
}


def write_early_years(
    out_dir: Path,
    population: list[Child],
    la: str,
    as_of: dt.date,
    seed: int = 0,
    list_rows: int | None = None,
) -> EarlyYearsSummary:
    """Write the identities, the three early-years lists, the settings register and the truth."""
    folder = Path(out_dir) / "early_years"
    folder.mkdir(parents=True, exist_ok=True)
    near = neighbours(la)
    summary = EarlyYearsSummary(folder, as_of, la, near)
    rng = random.Random(f"early-years:{seed}")
    where = postcode_la()
    by_la, _ = _postcodes()
    register = settings_register((la, *near), seed)
    settings_by_la: dict[str, list[dict[str, str]]] = {}
    for s in register:
        settings_by_la.setdefault(s["Local authority"], []).append(s)
    term = term_of(as_of)
    on = as_of.toordinal()
    recent = on - 90

    identities: list[list[str]] = []
    # Per list LA: rows as (child_id or "", row) before shuffling.
    lists: dict[str, list[tuple[str, list[str]]]] = {x: [] for x in (la, *near)}
    used_names: set[tuple[str, str, str]] = set()
    for child in population:
        episode = _episode_on(child, on, recent)
        if episode is None:
            continue
        dob = dt.date.fromordinal(child.birth)
        if dob > as_of:
            continue
        forename = _forename(child, rng)
        surname = rng.choice(SURNAMES)
        used_names.add((forename, surname, dob.isoformat()))
        preferred = ""
        nicks = FORENAMES[forename]
        if nicks and rng.random() < 0.12:
            preferred = rng.choice(nicks)
        former = rng.choice(SURNAMES) if rng.random() < 0.06 else ""
        postcode = episode.pl_post or episode.home_post
        upn = child.upn if child.upn and rng.random() < 0.8 else ""
        identities.append(
            [child.child_id, forename, surname, _ddmmyyyy(dob), postcode, upn, preferred, former]
        )
        # Only children looked after on the as-of date, eligible and attending, are on a list.
        if not (episode.decom <= on and (episode.dec is None or episode.dec > on)):
            continue
        offer = offer_on(dob, as_of)
        if offer is None or rng.random() > TAKE_UP:
            continue
        placed_in = where.get(postcode, la)
        if placed_in not in lists:
            continue  # attends in an LA whose list is not written: unknown to the monitor
        settings = settings_by_la[placed_in]
        hours = 15 if offer == "two" else rng.choice((15, 30, 30))
        two = rng.random() < 0.07
        s = settings[rng.randrange(len(settings))]
        row = _noisy_row(
            rng, child, forename, surname, preferred, former, dob, postcode, by_la[placed_in],
            s, (hours // 2 if two else hours), term, placed_in, own=placed_in == la,
        )  # fmt: skip
        lists[placed_in].append((child.child_id, row))
        if two:  # the second setting repeats the child's details as the first wrote them
            s2 = _other(rng, settings, row[4])
            second = list(row)
            second[4], second[5] = s2["URN"], s2["Setting name"]
            lists[placed_in].append((child.child_id, second))
    n_own = sum(1 for _ in lists[la])
    total = list_rows if list_rows is not None else max(400, LIST_PER_CLA * max(n_own, 10))
    for x in (la, *near):
        size = total if x == la else max(200, total // 4)
        _fill_others(rng, lists[x], size, x, by_la[x], settings_by_la[x], as_of, term, identities)
        rng.shuffle(lists[x])

    _write(folder / "identities.csv", IDENTITY_COLUMNS, identities)
    summary.identities = len(identities)
    summary.files.append(folder / "identities.csv")
    truth: list[list[str]] = []
    for x, rows in lists.items():
        name = f"ey_list_{x}.csv"
        columns = EY_COLUMNS if x == la else tuple(c for c in EY_COLUMNS if c != "child_id")
        keep = [EY_COLUMNS.index(c) for c in columns]
        _write(folder / name, columns, [[r[i] for i in keep] for _, r in rows])
        truth.extend([name, str(k + 2), cid] for k, (cid, _) in enumerate(rows) if cid)
        summary.lists[name] = len(rows)
        summary.files.append(folder / name)
    _write(folder / "settings.csv", SETTINGS_COLUMNS, [list(s.values()) for s in register])
    _write(folder / "early_years_truth.csv", TRUTH_COLUMNS, truth)
    summary.files += [folder / "settings.csv", folder / "early_years_truth.csv"]
    summary.truth_rows = len(truth)
    return summary


def _episode_on(child: Child, on: int, recent: int) -> CareEpisode | None:
    """The child's episode on `on`, else the last one ending in the 90 days before it."""
    best = None
    for e in child.care:
        if e.ls in ("V3", "V4") or e.decom > on:
            continue
        if e.dec is None or e.dec > on:
            return e
        if e.dec >= recent:
            best = e
    return best


def _forename(child: Child, rng: random.Random) -> str:
    boys, girls = FORENAME_LIST[:_GIRLS], FORENAME_LIST[_GIRLS:]
    return rng.choice(boys if child.sex == "M" else girls)


def _ddmmyyyy(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    kind = rng.random()
    if kind < 0.35:  # transposed letters
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    if kind < 0.65:  # a letter dropped
        return s[:i] + s[i + 1 :]
    if kind < 0.85:  # a letter doubled
        return s[:i] + s[i] + s[i:]
    return s[:i] + rng.choice("aeiou") + s[i + 1 :]  # a vowel changed


def _noisy_row(
    rng: random.Random,
    child: Child,
    forename: str,
    surname: str,
    preferred: str,
    former: str,
    dob: dt.date,
    postcode: str,
    la_postcodes: list[str],
    setting: dict[str, str],
    hours: int,
    term: str,
    list_la: str,
    own: bool,
) -> list[str]:
    fn, sn = forename, surname
    r = rng.random()
    if preferred and r < 0.6:
        fn = preferred
    elif FORENAMES[forename] and r < 0.12:
        fn = rng.choice(FORENAMES[forename])
    elif r < 0.17:
        fn = _typo(rng, fn)
    r = rng.random()
    if former and r < 0.5:
        sn = former  # the list still has the birth surname
    elif r < 0.05:
        sn = f"{surname}-{rng.choice(SURNAMES)}"  # hyphenated with the carer's or parent's name
    elif r < 0.10:
        sn = _typo(rng, sn)
    elif r < 0.12:
        sn = rng.choice(SURNAMES)  # changed (adoptive placement, special guardian) and unrecorded
    if rng.random() < 0.03:
        fn, sn = fn.upper(), sn.upper()
    d = dob
    r = rng.random()
    if r < 0.04 and dob.day <= 12 and dob.day != dob.month:
        d = dt.date(dob.year, dob.day, dob.month)  # day and month swapped
    elif r < 0.06:
        try:
            d = dob.replace(day=dob.day + 1 if dob.day < 28 else dob.day - 1)
        except ValueError:
            d = dob
    pc = postcode if rng.random() > 0.15 else rng.choice(la_postcodes)  # moved since
    if rng.random() < 0.04:
        pc = pc.replace(" ", "")
    upn = ""
    if child.upn and rng.random() < 0.45:
        upn = child.upn if rng.random() > 0.05 else make_upn(list_la, rng.randrange(10**9))
    child_id = child.child_id if own and rng.random() < 0.3 else ""
    la_code = _la_code(list_la)
    return [
        fn, sn, _ddmmyyyy(d), pc, setting["URN"], setting["Setting name"], str(hours), term,
        la_code, upn, child_id, child.sex, child.ethnicity,
    ]  # fmt: skip


def _la_code(la: str) -> str:
    """Lists name their LA by DfE number; some neighbours use the ONS code (both are accepted)."""
    return (la_codes.directory(la) or la) if int(la) % 2 == 1 else la


def _fill_others(
    rng: random.Random,
    rows: list[tuple[str, list[str]]],
    size: int,
    la: str,
    la_postcodes: list[str],
    settings: list[dict[str, str]],
    as_of: dt.date,
    term: str,
    identities: list[list[str]],
) -> None:
    """Children who are not looked after: most of the list. A few are brothers and sisters of a
    looked-after child (same surname and home), the hardest non-matches."""
    code = _la_code(la)
    siblings = [i for i in identities if rng.random() < 0.05]
    while len(rows) < size:
        sex = rng.choice("MF")
        fn = rng.choice(FORENAME_LIST[:_GIRLS] if sex == "M" else FORENAME_LIST[_GIRLS:])
        age_days = rng.randrange(730 + 60, 5 * 365 - 30)
        dob = as_of - dt.timedelta(days=age_days)
        sn = rng.choice(SURNAMES)
        pc = rng.choice(la_postcodes)
        if siblings and rng.random() < 0.02:  # one brother or sister each, at most
            sib = siblings.pop(rng.randrange(len(siblings)))
            sn, pc = sib[2], sib[4]
        s = settings[rng.randrange(len(settings))]
        offer = offer_on(dob, as_of)
        hours = 15 if offer == "two" else rng.choice((15, 30))
        upn = make_upn(la, rng.randrange(10**9)) if rng.random() < 0.4 else ""
        row = [
            fn, sn, _ddmmyyyy(dob), pc, s["URN"], s["Setting name"], str(hours), term, code,
            upn, "", sex, rng.choice(ETHNICITY),
        ]  # fmt: skip
        rows.append(("", row))
        if rng.random() < 0.05 and len(rows) < size:  # in two settings
            s2 = _other(rng, settings, row[4])
            second = list(row)
            second[4], second[5] = s2["URN"], s2["Setting name"]
            rows.append(("", second))


def _other(rng: random.Random, settings: list[dict[str, str]], urn: str) -> dict[str, str]:
    """A second setting, not the first one again."""
    while True:
        s = settings[rng.randrange(len(settings))]
        if s["URN"] != urn:
            return s


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_for(
    summary: SynthSummary,
    year: int,
    years: int,
    looked_after_share: float | None,
    list_rows: int | None = None,
) -> EarlyYearsSummary:
    """The early-years files for a synthetic LA just written by `generate`, as of 31 March of
    its last year. The population is simulated again from the same arguments (same children)."""
    share = P.LOOKED_AFTER_SHARE if looked_after_share is None else looked_after_share
    population = list(
        simulate(summary.children, year - years + 1, year, summary.seed, share, summary.la)
    )
    as_of = dt.date(year, 3, 31)
    return write_early_years(
        summary.out_dir, population, summary.la, as_of, summary.seed, list_rows
    )
