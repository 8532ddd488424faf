"""Early education of looked-after children: the OBA indicator set the early-education monitor
feeds (`datamonger early-years`), read from the latest check whose as-of date falls in the period.

No published figure measures the same thing (the DfE's take-up figures are for all children), so
these carry no benchmark key; the monitor's own comparison sets them beside the published ones.
"""

from __future__ import annotations

from datamonger.indicators.catalogue import HIGH, HOW_MUCH, HOW_WELL, SHARE, register
from datamonger.indicators.model import Indicator

# The eligible looked-after children of the latest check in the period, one row each.
LATEST_CHECK = """
    WITH chk AS (SELECT max(run_id) AS run_id FROM ey_runs WHERE as_of BETWEEN :start AND :end)
    SELECT c.child_id, {num} AS numerator, {den} AS denominator, NULL::DOUBLE AS value,
           c.status, c.offer, c.placing_la, r.as_of
    FROM ey_run_children c JOIN chk USING (run_id) JOIN ey_runs r USING (run_id)
    WHERE c.eligible"""
GROUP = "Early education"
NEEDS = ("early_years",)

register(
    Indicator(
        id="ey_take_up",
        group=GROUP,
        title="Take-up of funded early education by looked-after children",
        description="Eligible looked-after children attending funded early education, of those "
        "whose attendance is known, at the latest early-years check in the period.",
        category=HOW_WELL,
        polarity=HIGH,
        template=SHARE,
        numerator="Eligible looked-after children linked to a row of an early-years list.",
        denominator="Eligible looked-after children with a known status (attending or not).",
        sql=LATEST_CHECK.format(
            num="c.status = 'attending'", den="c.status IN ('attending', 'not attending')"
        ),
        return_="ssda903",
        exclusions="Children placed in an LA whose list was not given (status unknown); "
        "children not eligible on the check's date (the term after the 2nd birthday until "
        "reception).",
        choice="The latest check in the period, not an average of the weekly checks: take-up "
        "is a position on a date.",
        needs=NEEDS,
    ),
    Indicator(
        id="ey_known_status",
        group=GROUP,
        title="Eligible looked-after children whose early-education status is known",
        description="Eligible looked-after children whose attendance is known from an "
        "early-years list, at the latest early-years check in the period.",
        category=HOW_MUCH,
        polarity=HIGH,
        template=SHARE,
        numerator="Eligible looked-after children attending or known not to attend.",
        denominator="Eligible looked-after children on the check's date.",
        sql=LATEST_CHECK.format(num="c.status <> 'unknown'", den="true"),
        return_="ssda903",
        exclusions="Children not eligible on the check's date.",
        needs=NEEDS,
    ),
)
