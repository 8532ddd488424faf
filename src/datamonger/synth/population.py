"""Simulate the children of one synthetic LA: referrals, assessments, enquiries, plans and care.

Each child is drawn from its own random stream (seeded by the run seed and the child's index), so a
child's history does not depend on the others and the run is reproducible. Histories may start years
before the first collection year: the writers show only what falls in each year.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from datamonger.synth import codes
from datamonger.synth import proportions as P
from datamonger.synth.dates import (
    Day,
    add_years,
    age_on,
    collection_year_of,
    day,
    working_days,
    year_end,
    year_start,
)
from datamonger.synth.model import (
    Adoption,
    Assessment,
    CareEpisode,
    Child,
    CinEpisode,
    CinPlan,
    ProtectionPlan,
    Section47,
    SocialWorkerEpisode,
)
from datamonger.synth.pick import Banded, Weighted
from datamonger.synth.postcodes import Postcodes, postcodes
from datamonger.synth.providers import AGENCIES, Registry, family_of, registry
from datamonger.synth.upn import make_upn

ETHNICITY = Weighted(P.ETHNICITY)
DISABILITY = Weighted(P.DISABILITY)
SOURCE = Weighted(P.REFERRAL_SOURCE)
NEED = Weighted(P.PRIMARY_NEED)
NEED_903 = Weighted({k: v for k, v in P.PRIMARY_NEED.items() if k not in ("N0", "N9")})
FACTOR = Weighted(P.ASSESSMENT_FACTORS)
ABUSE = Weighted(P.CATEGORY_OF_ABUSE)
CLOSURE = Weighted(P.CLOSURE_REASON)
CIN_AGE = Weighted(P.CIN_AGE_BANDS)
START_AGE = Weighted(P.CLA_START_AGE)
EXIT = Weighted({k: w for k, w in P.CARE_EXIT.items() if k != "E15"})
ICPC_DAYS = Banded(P.ICPC_WORKING_DAYS)
CPP_DAYS = Banded(P.CPP_LENGTH_DAYS)
PLAN_DAYS = Banded(P.CIN_PLAN_DAYS)
PLACE_CHANGE = Weighted(P.REASON_PLACE_CHANGE)
REVIEW_CODE = Weighted(codes.REVIEW_CODES_4_AND_OVER)
SW_REASON = Weighted(codes.SW_REASONS)
PREV_PERM = Weighted(P.PREVIOUS_PERMANENCE)
PROVIDER = {
    place: Weighted(codes.providers_for(place))
    for place in (
        "P1",
        "P2",
        "R2",
        "R5",
        "K1",
        "K2",
        "K3",
        "H5",
        "S1",
        "R1",
        "R3",
        "P3",
        "U1",
        "A6",
    )
}
UASC_EXIT = Weighted({"E5": 35, "E17": 15, "E8": 35, "E6": 10, "E15": 5})

LONGEST_CARE = int(18 * 365.25)  # days: from birth to the 18th birthday

# Exits that come with the 18th birthday, and exits open to children of any age.
AT_EIGHTEEN = frozenset({"E17", "E7"})
ADOPTED = frozenset({"E11", "E12"})
SGO = frozenset({"E45", "E46", "E47", "E48"})


@dataclass(frozen=True, slots=True)
class Window:
    first_year: int
    last_year: int
    la: str
    seed: int
    social_workers: int
    looked_after: int = 0  # children looked after in the run: sizes the pool of providers

    @property
    def start(self) -> Day:
        return year_start(self.first_year)

    @property
    def end(self) -> Day:
        return year_end(self.last_year)


def looked_after_count(children: int, looked_after_share: float) -> int:
    """How many of the CIN census children are looked after (sizes the pool of providers)."""
    return round(children * looked_after_share)


def simulate(
    children: int,
    first_year: int,
    last_year: int,
    seed: int,
    looked_after_share: float,
    la: str,
) -> Iterator[Child]:
    """Yield `children` children of the CIN census, then the care leavers known only to the 903."""
    n_lac = looked_after_count(children, looked_after_share)
    looked_after = set(random.Random(seed).sample(range(children), n_lac))
    n_leavers = round(n_lac * P.CARE_LEAVERS_PER_LOOKED_AFTER * 0.6)
    window = Window(
        first_year, last_year, la, seed, max(3, n_lac // P.CHILDREN_PER_SOCIAL_WORKER), n_lac
    )
    sim = Simulator(window)
    for i in range(children):
        rng = random.Random(seed * 1_000_003 + i)
        yield sim.looked_after_child(rng, i) if i in looked_after else sim.cin_child(rng, i)
    for j in range(n_leavers):
        i = children + j
        yield sim.former_care_leaver(random.Random(seed * 1_000_003 + i), i)


class Simulator:
    def __init__(self, window: Window) -> None:
        self.w = window
        self.wd = working_days()
        self.pc: Postcodes = postcodes(window.la)
        self.providers: Registry = registry(window.la, window.seed, window.looked_after)

    # --- the person -----------------------------------------------------------------------------

    def person(self, rng: random.Random, i: int, birth: Day) -> Child:
        sex = "M" if rng.random() < P.SHARE_MALE else "F"
        disabilities: tuple[str, ...] = ("NONE",)
        if rng.random() < P.DISABLED_SHARE:
            n = 1 if rng.random() < 0.6 else rng.randint(2, 3)
            disabilities = tuple(sorted({DISABILITY(rng) for _ in range(n)}))
        # Children not yet of school age in the last year have no UPN yet: UN1 (rule 8770Q
        # counts as of school age a child born by 31 August six years before the year's end).
        young = birth > day(self.w.last_year - 6, 8, 31)
        upn = "" if young else make_upn(self.w.la, i * 7919 % 1_000_000_000)
        return Child(
            index=i,
            child_id=f"C{self.w.la}{i:07d}",
            birth=birth,
            sex=sex,
            ethnicity=ETHNICITY(rng),
            upn=upn,
            upn_unknown="UN1" if young else "",
            disabilities=disabilities,
        )

    @staticmethod
    def birth_for_age(rng: random.Random, on: Day, years: int) -> Day:
        """A date of birth making the child `years` old on `on`."""
        return on - int(years * 365.25) - rng.randint(0, 364)

    # --- children in need who are not looked after -------------------------------------------

    def cin_child(self, rng: random.Random, i: int) -> Child:
        w = self.w
        carried = rng.random() < P.CIN_CARRIED_OVER_SHARE
        low, high = CIN_AGE(rng)
        if carried:
            referral = w.start - 1 - min(int(rng.expovariate(1 / 250)), 1400)
            low = max(low, 0)
            high = max(high, 0)
            min_end: Day | None = w.start + rng.randint(0, 240)
        else:
            referral = rng.randint(w.start, w.end)
            min_end = None
        if low < 0:  # unborn: born after the referral, by December of the census year (8530Q)
            census_end = year_end(collection_year_of(referral))
            birth = min(referral + rng.randint(40, 270), census_end + 275)
        else:
            birth = self.birth_for_age(rng, referral, rng.randint(low, min(high, 17)))
        child = self.person(rng, i, birth)
        previous_plans = 1 if rng.random() < P.CPP_SUBSEQUENT else 0
        for _ in range(5):
            if age_on(birth, referral) >= 18:
                break
            ep = self.cin_episode(rng, child, referral, min_end, previous_plans)
            child.cin.append(ep)
            previous_plans += len(ep.cpps)
            min_end = None
            if ep.closure is None or ep.closure >= w.end:
                break
            if rng.random() >= P.REREFERRAL_RATE * P.REREFERRAL_CALIBRATION:
                break
            referral = ep.closure + 1 + int(rng.expovariate(1 / 150))
            if referral > w.end:
                break
        return child

    def cin_episode(
        self,
        rng: random.Random,
        child: Child,
        referral: Day,
        min_end: Day | None,
        previous_plans: int,
        care_from: Day | None = None,
    ) -> CinEpisode:
        """One referral and what follows it. `care_from` marks the episode of a child who becomes
        looked after on that day: it stays open through care (the caller closes it)."""
        wd = self.wd
        if min_end is None and care_from is None and rng.random() < P.NFA_RATE:
            # Referral with no further action: closed the day it was made (RC7, not RC8: 8825Q).
            return CinEpisode(referral, SOURCE(rng), None, True, referral, "RC7")
        ep = CinEpisode(referral, SOURCE(rng), NEED(rng), False)
        assessment_start = wd.add(referral, rng.randint(0, 2))
        # 8670Q: an assessment open at 31 March must have started within 45 working days of it.
        duration = rng.randint(5, 45) if rng.random() < P.ASSESSMENT_45WD else rng.randint(46, 80)
        authorised = wd.add(assessment_start, duration)
        end_of_year = year_end(collection_year_of(assessment_start))
        if authorised > end_of_year and wd.between(assessment_start, end_of_year) > 40:
            authorised = wd.on_or_before(end_of_year)
        s47: Section47 | None = None
        if rng.random() < P.S47_PER_REFERRAL * 1.07:
            # Within the assessment, so an enquiry is never shown without it (2991Q).
            s47_start = max(wd.add(referral, rng.randint(0, 3)), assessment_start)
            target = wd.add(s47_start, 15)
            if rng.random() < P.ICPC_PER_S47:
                icpc = wd.add(s47_start, ICPC_DAYS(rng))
                end_of_year = year_end(collection_year_of(s47_start))
                if icpc > end_of_year and wd.between(s47_start, end_of_year) > 12:
                    icpc = wd.on_or_before(end_of_year)  # 8675Q
                s47 = Section47(s47_start, target, icpc)
            else:
                s47 = Section47(s47_start, target, None)
            ep.section47s.append(s47)
        # Not in need: closed at the end of the assessment (RC8; never with an S47, rule 2990).
        if (
            s47 is None
            and min_end is None
            and care_from is None
            and rng.random() < P.NOT_IN_NEED_RATE * P.NOT_IN_NEED_CALIBRATION
        ):
            factors: tuple[str, ...] = (
                ("21",)
                if rng.random() < P.NO_FACTORS_SHARE_NOT_IN_NEED
                else self.factors(rng, 1, 2)
            )
            ep.assessments.append(Assessment(assessment_start, authorised, factors))
            ep.need = "N9" if rng.random() < 0.3 else ep.need
            ep.closure, ep.closure_reason = authorised, "RC8"
            return ep
        ep.assessments.append(Assessment(assessment_start, authorised, self.factors(rng)))
        last = authorised  # the latest activity so far
        cpp: ProtectionPlan | None = None
        if s47 is not None and s47.icpc is not None:
            # The assessment concludes after the conference, so that an enquiry is never shown
            # in a year without its assessment (2991Q).
            ep.assessments[-1].authorised = max(authorised, s47.icpc)
            last = max(last, s47.icpc)
            if rng.random() < P.CPP_PER_ICPC and (care_from is None or s47.icpc < care_from - 7):
                cpp = self.protection_plan(rng, s47.icpc, previous_plans)
                ep.cpps.append(cpp)
                if care_from is not None:
                    cpp.end = care_from  # plans end when the child becomes looked after
                elif min_end is not None and cpp.end is not None and cpp.end < min_end:
                    cpp.end = min_end
                self.cpp_reviews(rng, cpp)
                assert cpp.end is not None
                last = max(last, cpp.end)  # rule 8565: nothing after the closure
        elif s47 is not None:
            last = max(last, s47.start)
        if care_from is not None:
            return ep  # stays open while looked after
        plan_start: Day | None = None
        if cpp is not None:
            if rng.random() < P.STEP_DOWN_AFTER_CPP:
                plan_start = last + 1  # rules 4001/4016/4017: no CIN plan while a CPP is open
        else:
            plan_start = last + rng.randint(0, 10)
        if plan_start is not None:
            plan_end = plan_start + PLAN_DAYS(rng)
            if min_end is not None and plan_end < min_end:
                plan_end = min_end + rng.randint(0, 200)
            ep.plans.append(CinPlan(plan_start, plan_end))
            last = max(last, plan_end)
        elif min_end is not None and last < min_end:
            last = min_end
        ep.closure = last + rng.randint(0, 14)
        ep.closure_reason = CLOSURE(rng)
        if ep.closure_reason == "RC6" and age_on(child.birth, ep.closure) < 17:
            ep.closure_reason = "RC7"
        return ep

    def factors(self, rng: random.Random, low: int = 1, high: int = 5) -> tuple[str, ...]:
        n = rng.randint(low, high)
        return tuple(sorted({FACTOR(rng) for _ in range(n)}, key=_factor_order))

    def protection_plan(self, rng: random.Random, start: Day, previous: int) -> ProtectionPlan:
        category = ABUSE(rng)
        latest = category if rng.random() < 0.9 else ABUSE(rng)
        return ProtectionPlan(start, start + CPP_DAYS(rng), category, latest, previous)

    def cpp_reviews(self, rng: random.Random, cpp: ProtectionPlan) -> None:
        """First review within 3 months of the conference, then every 6 months (rule 8841:
        strictly after the start); about 9 in 10 on time."""
        assert cpp.end is not None
        due = cpp.start + 91
        reviews: list[Day] = []
        while True:
            late = 0 if rng.random() < P.CPP_REVIEW_ON_TIME else rng.randint(5, 40)
            held = self.wd.on_or_before(due - rng.randint(0, 20) + late)
            if held >= cpp.end or held <= cpp.start:
                break
            reviews.append(held)
            due = held + 182
        cpp.reviews = reviews

    # --- looked-after children ------------------------------------------------------------------

    def looked_after_child(self, rng: random.Random, i: int) -> Child:
        if rng.random() < P.SHORT_BREAKS_SHARE:
            return self.short_breaks_child(rng, i)
        w = self.w
        # Periods of care are drawn as starters' are (exits, ages, lengths), then kept with a
        # chance in proportion to the days they could overlap the window (its length plus theirs):
        # a long period of care is that much more likely to be open at some time in the window
        # than a short one. Kept uniformly, short periods were over-represented and children
        # started and ceased to be looked after about twice as often as in England.
        window = w.end - w.start + 1
        while True:
            uasc = rng.random() < P.UASC_SHARE_OF_STARTERS
            if uasc:
                exit_code = UASC_EXIT(rng)
                age = rng.choice((14, 15, 15, 16, 16, 16, 17, 17))
            else:
                exit_code = EXIT(rng)
                age = self.entry_age(rng, exit_code)
            age_days = min(int(age * 365.25) + rng.randint(0, 364), int(18 * 365.25) - 40)
            plan = self.care_plan(rng, exit_code, age, age_days, uasc)
            length = plan[-1][0]  # days from entry to the end of care
            lived = min(length, int(18 * 365.25) - age_days)
            if rng.random() * (window + LONGEST_CARE) < window + lived:
                break
        entry = rng.randint(w.start - length, w.end)
        birth = entry - age_days
        eighteen = add_years(birth, 18)
        child = self.person(rng, i, birth)
        if uasc:
            child.sex = "M" if rng.random() < 0.9 else "F"
            child.uasc = True
        if uasc:  # never at school in England (UN2; UN1 is for under-fives, rule 209)
            child.upn, child.upn_unknown = "", "UN2"
        leave = min(entry + length, eighteen)
        if exit_code in AT_EIGHTEEN or leave == eighteen:
            leave = eighteen
            if exit_code not in AT_EIGHTEEN | {"E5", "E6", "E8"}:
                exit_code = "E8"
        # The CIN episode: referral shortly before care (or the same day), open throughout care.
        referral = entry - (0 if rng.random() < 0.3 else rng.randint(1, 60))
        if referral < birth:
            referral = birth
        ep = self.cin_episode(rng, child, referral, None, 0, care_from=entry)
        ep.need = ep.need if ep.need not in (None, "N0", "N9") else "N1"
        if uasc:
            ep.need = "N8"
            ep.assessments[0].factors = ("9A",)
        child.cin.append(ep)
        self.care_history(rng, child, entry, leave, exit_code, plan, ep.need or "N1")
        closure = child.left_care
        if closure is not None:
            ep.closure = max(closure, _last_activity(ep)) + rng.randint(0, 20)  # rule 8565
            ep.closure_reason = _cin_closure_for(exit_code)
            if ep.closure > w.end:
                ep.closure, ep.closure_reason = None, None
        self.social_workers(rng, child, referral)
        return child

    def entry_age(self, rng: random.Random, exit_code: str) -> int:
        if exit_code in ADOPTED:
            return rng.choice((0, 0, 0, 1, 1, 2, 3))
        if exit_code in SGO or exit_code == "E41":
            return rng.randint(0, 12)
        if exit_code in ("E17", "E5", "E6", "E7"):
            # Young people leaving care at 16-18 include those who came into care young and
            # grew up in long-term foster care (a third of them: ASSUMPTION).
            return (
                rng.randint(4, 11)
                if rng.random() < P.LEFT_AT_EIGHTEEN_ENTERED_YOUNG
                else (rng.randint(12, 17))
            )
        if exit_code in ("E9", "E14"):
            return rng.randint(12, 17)
        low, high = START_AGE(rng)
        return rng.randint(low, high)

    def care_plan(
        self, rng: random.Random, exit_code: str, age: int, age_days: int, uasc: bool
    ) -> list[tuple[int, str]]:
        """Legal statuses as (days after entry, LS); the last item is (length of care, "")."""
        to_eighteen = int(18 * 365.25) - age_days
        if exit_code in ADOPTED:
            c2 = rng.randint(120, 240)
            e1 = c2 + rng.randint(120, 220)
            return [(0, "C1"), (c2, "C2"), (e1, "E1"), (e1 + rng.randint(200, 480), "")]
        if exit_code == "E14":
            # Remanded to LA accommodation (J1) until the remand ends (E14), sometimes after a
            # night or two detained under PACE (J2; rule 364: at most 21 days).
            length = rng.randint(7, 90)
            if rng.random() < 0.4:
                pace = rng.randint(1, 2)
                return [(0, "J2"), (pace, "J1"), (pace + length, "")]
            return [(0, "J1"), (length, "")]
        if exit_code == "E15":
            return [(0, "V2"), (rng.randint(20, 200), "")]
        if uasc or exit_code in AT_EIGHTEEN:
            return [(0, "V2"), (to_eighteen, "")]
        if exit_code in ("E5", "E6", "E8") and (age >= 12 or exit_code != "E8"):
            length = (
                to_eighteen if rng.random() < 0.6 else max(30, to_eighteen - rng.randint(0, 600))
            )
            ls = "V2" if rng.random() < 0.55 else "C2"
            return [(0, ls), (length, "")]
        if exit_code in SGO or exit_code == "E41":
            length = rng.randint(300, 1000)
        elif exit_code in ("E9",):
            length = rng.randint(60, 400)
        else:
            length = max(7, int(rng.expovariate(1 / P.OTHER_CARE_MEAN_DAYS)))
        length = min(length, to_eighteen)
        if exit_code in ("E4A", "E4B", "E13", "E3", "E16", "E8", "E9") and (
            age >= 12 or rng.random() < 0.25
        ):
            return [(0, "V2"), (length, "")]
        statuses: list[tuple[int, str]] = []
        t = 0
        r = rng.random()
        if r < 0.1 and length > 10:
            statuses.append((0, "L1"))
            t = rng.randint(1, 3)  # police protection: at most 72 hours (rule 361)
        elif r < 0.15 and length > 30:
            statuses.append((0, "L2"))
            t = rng.randint(3, 21)  # emergency protection order: at most 21 days (rule 362)
        statuses.append((t, "C1"))
        c2 = t + rng.randint(120, 260)
        if c2 < length - 30:
            statuses.append((c2, "C2"))
        statuses.append((length, ""))
        return statuses

    def care_history(
        self,
        rng: random.Random,
        child: Child,
        entry: Day,
        leave: Day,
        exit_code: str,
        plan: list[tuple[int, str]],
        need: str,
    ) -> None:
        """Episodes, reviews, missing periods and adoption of one period of care."""
        w = self.w
        birth = child.birth
        home = "" if child.uasc else self.pc.home(rng)
        # Change points: legal status changes and placement moves.
        ls_changes = {entry + t: ls for t, ls in plan[:-1]}
        moves: set[Day] = set()
        t = entry
        rate = P.PLACEMENT_MOVES_PER_YEAR / 365.25
        while True:
            t += 1 + int(rng.expovariate(rate))
            if t >= leave - 1:
                break
            moves.add(t)
        adoption_day: Day | None = None
        with_carers = False
        if exit_code in ADOPTED:
            e1 = max(d for d, ls in ls_changes.items() if ls == "E1")
            adoption_day = e1 + rng.randint(30, 150)
            if adoption_day >= leave - 60:
                adoption_day = leave - 60
            moves = {d for d in moves if d < e1 - 1}
            moves.add(adoption_day)
            if rng.random() < 0.45:
                # Placed for adoption with the foster carers (A5) the day the placement order is
                # made: legal status and placement change together, carers the same (RNE U; rules
                # 217, 436).
                with_carers = True
                del ls_changes[e1]
                ls_changes[adoption_day] = "E1"
        home_day: Day | None = None
        if exit_code in ("E4A", "E4B") and leave - entry > 120 and rng.random() < 0.4:
            home_day = leave - rng.randint(30, 90)  # placed with parents before discharge
            moves = {d for d in moves if d < home_day - 1}
            moves.add(home_day)
        points = sorted(set(ls_changes) | moves)
        move_days = sorted(moves)
        episodes: list[CareEpisode] = []
        ls = ""
        placement: tuple[str, str, str, str] = ("", "", "", "")
        for k, d in enumerate(points):
            new_ls = ls_changes.get(d, ls)
            if d in moves or k == 0:
                if d == adoption_day:
                    kind = "adoption"
                elif d == home_day and new_ls in ("C1", "C2"):
                    kind = "parents"
                else:
                    kind = self.placement_kind(rng, age_on(birth, d), new_ls, child.uasc, exit_code)
                previous = placement
                # The placement lasts until the next move (legal status changes keep it).
                k_next = bisect.bisect_right(move_days, d)
                until = move_days[k_next] if k_next < len(move_days) else leave
                if kind == "adoption" and with_carers and previous[0] in codes.FOSTER:
                    # The same carers' home; the adoption agency of the same kind of provider.
                    agency = self.providers.pick(rng, "ADOPTION", previous[1])
                    placement = ("A5", previous[1], previous[2], agency.urn)
                else:
                    placement = self.placement(rng, kind, home, previous, d, until)
                changed_place = True
            else:
                changed_place = False
            if k == 0:
                rne = "S"
            elif changed_place and new_ls != ls:
                rne = "U" if placement[0] == "A5" else "B"
            elif changed_place:
                rne = "P"
            else:
                rne = "L"
            if episodes:
                episodes[-1].dec, episodes[-1].rec = d, "X1"
            place, provider, pl_post, urn = placement
            episodes.append(CareEpisode(d, rne, new_ls, need, place, provider, home, pl_post, urn))
            ls = new_ls
        self.insert_temporary(rng, episodes, leave)
        last = episodes[-1]
        if exit_code in ADOPTED and last.place not in codes.ADOPTION_PLACEMENT:
            exit_code = "E8"
        if exit_code in ("E45", "E46") and last.place not in codes.FOSTER:
            exit_code = "E47"  # rule 516: E45/E46 only from foster placements
        if exit_code == "E17" and last.place not in codes.FOSTER:
            exit_code = "E8"
        last.dec, last.rec = leave, exit_code
        self.reasons_for_change(rng, episodes)
        # Cut at the end of the window: later changes have not happened yet.
        child.care = [e for e in episodes if e.decom <= w.end]
        if child.care[-1].dec is not None and child.care[-1].dec > w.end:
            child.care[-1].dec, child.care[-1].rec, child.care[-1].reason_place_change = (
                None,
                "",
                "",
            )
        ended = child.care[-1].dec is not None
        child.left_care = leave if ended else None
        self.reviews(rng, child, entry, min(leave, w.end))
        self.missing(rng, child)
        if exit_code in ADOPTED or adoption_day is not None:
            self.adoption(rng, child, entry, ls_changes, adoption_day, leave if ended else None)
        self.motherhood(rng, child, entry, min(leave, w.end))
        self.dolo(rng, child)
        # A previous adoption, special guardianship or child arrangements order: only for a child
        # at least a year old on entry, made at least six months after birth and two months
        # before the period of care began (rule 632).
        if (
            not child.uasc
            and entry - birth >= 365
            and rng.random() < 1 - P.PREVIOUS_PERMANENCE["Z1"] / 100
        ):
            perm = PREV_PERM.without("Z1")(rng)
            when = min(max(birth + 180, entry - rng.randint(200, 2000)), entry - 60)
            child.previous_permanence = (perm, self.w.la if rng.random() < 0.7 else "999", when)
        # Former relevant children (OC3): 13 weeks in care since 14, some of it after 16.
        if ended and exit_code not in ADOPTED | {"E2", "E3"}:
            fourteen, sixteen = add_years(birth, 14), add_years(birth, 16)
            if leave - max(entry, fourteen) >= 91 and leave > sixteen:
                child.care_leaver = True

    def placement_kind(
        self, rng: random.Random, age: int, ls: str, uasc: bool, exit_code: str
    ) -> str:
        r = rng.random()
        if ls in ("J1", "J2"):
            return "home" if r < 0.5 else "foster"
        if age >= 16:
            if r < (0.5 if uasc else 0.35):
                return "supported"
            if r < 0.75:
                return "foster"
            return "home" if r < 0.95 else "school"
        if age >= 10:
            if r < 0.75:
                return "foster"
            if r < 0.93:
                return "home"
            if r < 0.96:
                return "school"
            return "secure" if r < 0.98 else "health"
        if age >= 4:
            return "foster" if r < 0.93 else ("home" if r < 0.98 else "school")
        if age == 0 and r < 0.06 and exit_code not in ADOPTED:
            return "mother_baby"
        return "foster"

    def placement(
        self,
        rng: random.Random,
        kind: str,
        home: str,
        previous: tuple[str, str, str, str],
        start: Day,
        until: Day,
    ) -> tuple[str, str, str, str]:
        """(PLACE, PLACE_PROVIDER, PL_POST, URN) for a placement of a kind from `start` to
        `until`. A URN is one provider's: its placement type family, provider code and (for a
        setting at one address) postcode (rules 219, 221, 224)."""
        if kind == "parents":
            return ("P1", "PR0", home, "")  # moves home only once (home_day)
        if kind == "foster":
            kin = rng.random() < P.FOSTER_KINSHIP_SHARE
            place = rng.choice(("U1", "U3", "U3") if kin else ("U4", "U6", "U6", "U6", "U5"))
        elif kind == "adoption":
            place = "A6"
        elif kind == "supported":
            # A code valid in every return the placement is in (rules 146, 222, 230).
            place = codes.supported_accommodation(start, until)
        else:
            place = {
                "home": "K2",
                "school": "S1",
                "secure": "K1",
                "health": "R2",
                "mother_baby": "R3",
            }[kind]
        family = family_of(place)
        chosen = previous
        for _ in range(8):  # a move goes somewhere else (rule 435)
            provider = PROVIDER["U1" if place in codes.FOSTER else place](rng)
            if family is not None and family not in AGENCIES:
                setting = self.providers.pick(rng, family, provider, home)
                urn = setting.urn if codes.supported_accommodation_urn(place, until) else ""
                chosen = (place, provider, setting.postcode, urn)
            else:
                in_area = provider == "PR1" or rng.random() > P.OUT_OF_AREA_SHARE / 0.55
                pl_post = self.pc.placement(rng, in_area, home)
                urn = "" if family is None else self.providers.pick(rng, family, provider).urn
                chosen = (place, provider, pl_post, urn)
            if chosen != previous:
                break
        return chosen

    def insert_temporary(self, rng: random.Random, episodes: list[CareEpisode], leave: Day) -> None:
        """Now and then a temporary placement (T1 hospital, T2 foster carer's holiday) inside a
        placement, returning to it (rules 380, 381, 383, 375, 376)."""
        k = 0
        while k < len(episodes):
            ep = episodes[k]
            end = ep.dec if ep.dec is not None else leave
            if (
                k > 0
                and ep.rne in ("P", "T")
                and ep.place not in codes.TEMPORARY
                and end - ep.decom > 60
                and rng.random() < P.TEMPORARY_PLACEMENT_SHARE * 3
            ):
                start = ep.decom + rng.randint(10, end - ep.decom - 40)
                if ep.place in codes.FOSTER and rng.random() < 0.7:
                    temp, length = "T2", rng.randint(3, 21)
                else:
                    temp, length = "T1", rng.randint(2, 30)
                back = start + length
                temporary = CareEpisode(
                    start, "P", ep.ls, ep.cin, temp, "", ep.home_post,
                    self.pc.placement(rng, rng.random() < 0.6, ep.home_post), "",
                    back, "X1",
                )  # fmt: skip
                returned = CareEpisode(
                    back, "P", ep.ls, ep.cin, ep.place, ep.provider, ep.home_post, ep.pl_post,
                    ep.urn, ep.dec, ep.rec,
                )  # fmt: skip
                ep.dec, ep.rec = start, "X1"
                episodes[k + 1 : k + 1] = [temporary, returned]
                k += 3
            else:
                k += 1

    @staticmethod
    def reasons_for_change(rng: random.Random, episodes: list[CareEpisode]) -> None:
        """REASON_PLACE_CHANGE on an episode that ends in a placement change (rule 225), never
        around temporary placements (rule 226)."""
        for this, nxt in itertools.pairwise(episodes):
            if (
                this.rec == "X1"
                and nxt.rne in ("P", "T", "U", "B")
                and this.place not in codes.TEMPORARY
                and nxt.place not in codes.TEMPORARY
            ):
                this.reason_place_change = PLACE_CHANGE(rng)

    def reviews(self, rng: random.Random, child: Child, entry: Day, until: Day) -> None:
        """Statutory reviews: within 20 working days, then 3 months later, then 6-monthly."""
        due = self.wd.add(entry, rng.randint(8, 20))
        gap = 91
        while due <= until:
            if due > entry:
                code = "PN0" if age_on(child.birth, due) < 4 else REVIEW_CODE(rng)
                child.reviews.append((due, code))
            due = self.wd.on_or_before(due + gap - rng.randint(0, 14))
            gap = 182

    def missing(self, rng: random.Random, child: Child) -> None:
        """Missing (M) or away (A) periods inside placements, each within one collection year
        (rules 570/571) and ended before the placement ends (rule 575)."""
        eleven = add_years(child.birth, 11)
        r = rng.random()
        if r >= (P.MISSING_SHARE + P.AWAY_SHARE) * 1.6:
            return
        kind = "M" if r < P.MISSING_SHARE * 1.6 else "A"
        for _ in range(rng.randint(1, 4)):
            ep = child.care[rng.randrange(len(child.care))]
            end = ep.dec if ep.dec is not None else self.w.end
            lo, hi = max(ep.decom + 1, eleven), end - 4
            if lo >= hi or ep.place in codes.TEMPORARY:
                continue
            start = rng.randint(lo, hi)
            stop = start + rng.randint(0, 3)
            if stop >= end or collection_year_of(start) != collection_year_of(stop):
                continue
            if any(not (stop < s or start > e) for _, s, e in child.missing):
                continue
            child.missing.append((kind, start, stop))
        child.missing.sort(key=lambda m: m[1])

    def adoption(
        self,
        rng: random.Random,
        child: Child,
        entry: Day,
        ls_changes: dict[Day, str],
        placed: Day | None,
        adopted: Day | None,
    ) -> None:
        e1 = max(d for d, ls in ls_changes.items() if ls == "E1")
        decided = max(entry, e1 - rng.randint(0, 60))  # rules 554, 1003
        if decided > self.w.end:
            return
        match = decided
        if placed is not None:
            match = max(decided, placed - rng.randint(1, 60))  # rules 331, 333
        last = child.care[-1]
        a5 = last.place == "A5"
        single = rng.random() < 0.15
        if single:
            nb, sex_ad, ls_ad = "1", "F1" if rng.random() < 0.85 else "M1", "L0"
        else:
            ls_ad = Weighted({"L11": 55, "L12": 6, "L2": 8, "L3": 25, "L4": 6})(rng)
            sex_ad = "MF" if ls_ad in ("L11", "L3") else ("FF" if rng.random() < 0.5 else "MM")
            nb = "2"
        child.adoption = Adoption(
            date_placed=decided,
            date_match=match,
            foster_care="1" if a5 else "0",
            nb_adoptr=nb,
            sex_adoptr=sex_ad,
            ls_adoptr=ls_ad,
            adopted=adopted if last.rec in ADOPTED else None,
        )

    def motherhood(self, rng: random.Random, child: Child, entry: Day, until: Day) -> None:
        if child.sex != "F" or child.uasc:
            return
        fifteen = add_years(child.birth, 15)
        if until > fifteen and rng.random() < P.MOTHER_SHARE * 3:
            child.mother_birth = rng.randint(max(entry, fifteen), until)

    def dolo(self, rng: random.Random, child: Child) -> None:
        """Deprivation of liberty orders inside children's home placements of children 10+
        (rules 709/710), within one collection year (703/704) and ended (707)."""
        ten = add_years(child.birth, 10)
        for ep in child.care:
            if ep.place != "K2" or ep.decom < ten or rng.random() >= P.DOLO_SHARE * 4:
                continue
            end = ep.dec if ep.dec is not None else self.w.end
            if end - ep.decom < 30:
                continue
            start = rng.randint(ep.decom + 1, end - 20)
            stop = min(start + rng.randint(14, 180), end - 1)
            if collection_year_of(start) != collection_year_of(stop):
                stop = year_end(collection_year_of(start))
            if stop > start:
                child.dolo.append((start, stop))

    def social_workers(self, rng: random.Random, child: Child, start: Day) -> None:
        """A chain of social workers from the referral to the end of the window, the last open
        (rules SW08-SW11, SW17); consecutive episodes meet on the same day."""
        rate = P.SOCIAL_WORKER_CHANGES_PER_YEAR / 365.25
        t = start
        pool = self.w.social_workers
        while True:
            sw_id = f"SW{rng.randrange(pool):06d}"
            end = t + 14 + int(rng.expovariate(rate))
            if end >= self.w.end:
                # Still open; its reason is written only where the year asks it of open episodes.
                child.social_workers.append(SocialWorkerEpisode(sw_id, t, None, SW_REASON(rng)))
                return
            child.social_workers.append(SocialWorkerEpisode(sw_id, t, end, SW_REASON(rng)))
            t = end

    def short_breaks_child(self, rng: random.Random, i: int) -> Child:
        """A disabled child looked after only for short breaks (V3 single breaks, or V4 a series),
        each break at most 17 days (365), under 75 days a year (367), never both V3 and V4 (426)."""
        w = self.w
        birth = self.birth_for_age(rng, w.start, rng.randint(3, 15))
        child = self.person(rng, i, birth)
        if child.disabilities == ("NONE",):
            child.disabilities = (DISABILITY(rng),)
        child.short_breaks_only = True
        # Referred after birth (CIN rule 8606), at the latest a month before the window.
        referral = w.start - rng.randint(30, min(1500, w.start - birth - 60))
        ep = self.cin_episode(rng, child, referral, None, 0, care_from=referral + 30)
        ep.need = "N2"
        ep.cpps.clear()
        ep.plans.append(CinPlan(ep.assessments[0].authorised + 1, None))
        child.cin.append(ep)
        ls = "V4" if rng.random() < 0.8 else "V3"
        # Not long-term fostering (U1/U4, rule 384); no postcodes and no URN (rules 214, 398).
        place = rng.choice(("K2", "U6", "U6")) if ls == "V4" else "U6"
        provider = Weighted(codes.providers_for(place))(rng)
        urn = ""
        gap = rng.randint(25, 50)
        t = max(w.start - 200, ep.assessments[0].authorised + 1) + rng.randint(0, gap)
        # Breaks end before the 18th birthday: none starts at 18 (rule 352) and none is open at a
        # 31 March after it (359: only V2 in a children's home may be).
        last_start = min(w.end - 3, add_years(birth, 18) - 4)
        while t < last_start:
            stay = rng.randint(1, 3)  # at least one night (rule 355)
            child.care.append(
                CareEpisode(t, "S", ls, "N2", place, provider, "", "", urn, t + stay, "E13")
            )
            t += stay + gap + rng.randint(-5, 5)
        if not child.care:
            child.care.append(
                CareEpisode(
                    last_start, "S", ls, "N2", place, provider, "", "", urn, last_start + 2, "E13"
                )
            )
        child.care[-1].dec = min(child.care[-1].dec or w.end, w.end)
        return child

    # --- care leavers known only to the 903 -------------------------------------------------

    def former_care_leaver(self, rng: random.Random, i: int) -> Child:
        """A young person who left care at 16-18 before the first collection year and whose 17th
        to 21st birthdays fall in the years generated: an OC3 row, nothing else."""
        w = self.w
        leave_age_days = int(16.3 * 365.25) + rng.randint(0, 620)
        # Old enough to have left before the window, young enough to turn 17-21 inside it.
        birth = rng.randint(w.start - int(21 * 365.25), w.end - int(17 * 365.25))
        leave = birth + leave_age_days
        if leave >= w.start:
            birth -= leave - w.start + rng.randint(1, 200)
            leave = birth + leave_age_days
        if birth + int(22 * 365.25) <= w.start:
            birth = w.start - int(21.5 * 365.25)
            leave = birth + leave_age_days
        child = self.person(rng, i, birth)
        child.in_cin_census = False
        child.care_leaver = True
        child.left_care = min(leave, add_years(birth, 18))
        return child


def _last_activity(ep: CinEpisode) -> Day:
    days = [ep.referral]
    days += [a.authorised for a in ep.assessments]
    days += [s.icpc if s.icpc is not None else s.start for s in ep.section47s]
    days += [c.end for c in ep.cpps if c.end is not None]
    days += [p.end if p.end is not None else p.start for p in ep.plans]
    return max(days)


def _factor_order(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits), code)


def _cin_closure_for(exit_code: str) -> str:
    if exit_code in ADOPTED:
        return "RC1"
    if exit_code in SGO:
        return "RC4"
    if exit_code == "E41":
        return "RC3"
    if exit_code == "E3":
        return "RC5"
    if exit_code == "E7":
        return "RC6"
    return "RC7"
