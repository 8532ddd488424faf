"""The recording checks, declared as data. SQL reads the prepared `dm_*` tables
(`indicators/prepare.py`); `:start` and `:end` are the period's first and last day."""

from __future__ import annotations

from datamonger.indicators.recording.model import Check

CHECKS: list[Check] = [
    Check(
        id="only_other_factor",
        title="Assessments whose only factor is 'other'",
        return_="cin",
        question="How many assessments record 'other' (code 20) and no other factor?",
        population="Assessments authorised in the period with at least one factor recorded "
        "(code 21, 'no factors identified', left out as the DfE does).",
        flagged="Those whose only factor is 20 ('other').",
        note="'Other' on its own says nothing about what the assessment found. A high share "
        "usually means the factor list is not being completed at authorisation, not that the "
        "LA's children have unusual needs: ask how factors are chosen, and whether the case "
        "system offers 'other' first.",
        sql="""
        WITH f AS (
            SELECT a.child_id, a.CINdetailsID, a.AssessmentID, a.auth_date,
                   list(DISTINCT x.factor ORDER BY x.factor) AS factors
            FROM dm_cin_assessments a
            JOIN dm_cin_factors x USING (child_id, collection_year, CINdetailsID, AssessmentID)
            WHERE a.auth_date BETWEEN :start AND :end
            GROUP BY ALL)
        SELECT child_id, factors = ['20'] AS flagged, auth_date AS date,
               'factors ' || array_to_string(factors, ', ') AS detail
        FROM f WHERE len(list_filter(factors, lambda c: c <> '21')) > 0""",
        threshold=15.0,
        published="other_factor_share",
        published_note="The DfE publishes episodes with 'other' among their factors (C3), "
        "which includes 'other' alongside other factors: it is an upper bound for this check.",
    ),
    Check(
        id="disability_share",
        title="Children in need recorded with a disability",
        return_="cin",
        question="What share of children in need at the period end have a disability recorded?",
        population="Children in need on the last day of the period.",
        flagged="Those with any Disability code other than NONE.",
        note="Between LAs this share varies far more than disability itself can: a very low "
        "share usually means disability is recorded only when it is the reason for the referral "
        "(N2), a very high one that a code is carried over without review. Check how the "
        "Disabilities field is completed at assessment.",
        sql="""
        SELECT p.child_id,
               coalesce(len(list_filter(c.disabilities, lambda d: d <> 'NONE')) > 0, false)
                 AS flagged,
               p.referral_date AS date,
               'disabilities ' || coalesce(nullif(array_to_string(c.disabilities, ', '), ''),
                                           '(none recorded)') AS detail
        FROM dm_cin_at_end p LEFT JOIN dm_cin_children c USING (child_id)""",
        threshold=25.0,
        low=5.0,
    ),
    Check(
        id="s47_to_plan",
        title="Section 47 enquiries followed by a child protection plan",
        return_="cin",
        question="How many section 47 enquiries lead to a child protection plan?",
        population="Section 47 enquiries started in the period.",
        flagged="Those for which the same child's plan started within 60 days of the enquiry "
        "(and by the period end).",
        note="Across England roughly two enquiries in five end in a plan. When almost all do, "
        "ask whether enquiries are recorded only when a conference or plan follows, so that "
        "enquiries ending with no further action are missing from the return.",
        sql="""
        SELECT s.child_id,
               EXISTS (SELECT 1 FROM dm_cin_cpp p WHERE p.child_id = s.child_id
                       AND p.cpp_start BETWEEN s.s47_start AND least(s.s47_start + 60, :end))
                 AS flagged,
               s.s47_start AS date,
               concat_ws('; ', 'conference ' || s.icpc_date,
                         CASE WHEN s.icpc_not_required THEN 'conference not required' END)
                 AS detail
        FROM dm_cin_section47 s WHERE s.s47_start BETWEEN :start AND :end""",
        threshold=80.0,
        published="s47_to_cpp",
        published_note="The published ratio is plans started over enquiries started in the "
        "year (not always the same children), per 100.",
    ),
    Check(
        id="assessment_day_45",
        title="Assessments bunched on the 45th working day",
        return_="cin",
        question="Are more assessments authorised on exactly the 45th working day than on the "
        "days just before it?",
        population="Assessments authorised in the period, by working days from start to "
        "authorisation.",
        flagged="Those authorised on exactly the 45th working day.",
        note="Work finishes on all sorts of days; a spike on the last day of the timescale "
        "usually means authorisation dates are set to meet it (or assessments are held open "
        "to it) rather than recorded when the work was done. The figure is how many times "
        "more assessments end on day 45 than on an average one of days 40 to 44.",
        sql="""
        SELECT child_id, dm_wd(start_date, auth_date)::INTEGER AS day, auth_date AS date,
               'started ' || start_date AS detail
        FROM dm_cin_assessments
        WHERE auth_date BETWEEN :start AND :end AND start_date IS NOT NULL
          AND auth_date >= start_date""",
        template="spike",
        unit="times the days before",
        target=45,
        window=5,
        threshold=2.0,
    ),
    Check(
        id="cpp_review_on_deadline",
        title="Child protection plans reviewed on exactly the deadline",
        return_="cin",
        question="How many plan reviews fall on exactly the last day allowed?",
        population="Child protection review conferences held in the period.",
        flagged="Those held on exactly the deadline: 3 months after the plan started for the "
        "first review, 6 months after the previous review after that.",
        note="Reviews are booked ahead and fall on many days before the deadline; a large share "
        "on the very day suggests review dates recorded as the deadline rather than the date "
        "the conference met.",
        sql="""
        SELECT child_id, review_date = deadline AS flagged, review_date AS date,
               'plan started ' || cpp_start || '; deadline ' || deadline AS detail
        FROM (SELECT child_id, cpp_start, review_date,
                     coalesce(lag(review_date) OVER w + INTERVAL 6 MONTH,
                              cpp_start + INTERVAL 3 MONTH)::DATE AS deadline
              FROM dm_cin_cpp_reviews
              WINDOW w AS (PARTITION BY child_id, cpp_start ORDER BY review_date)) r
        WHERE review_date BETWEEN :start AND :end""",
        threshold=10.0,
    ),
    Check(
        id="same_day_episodes",
        title="Looked-after episodes that open and close on the same day",
        return_="ssda903",
        question="How many looked-after episodes start and end on the same day?",
        population="Episodes starting in the period, short breaks (V3, V4) left out.",
        flagged="Those whose DEC is the same day as DECOM.",
        note="A same-day episode is usually a placement entered and then corrected, or a "
        "change recorded twice, rather than a stay of no nights; each one adds a placement "
        "move and can change who counts as starting or ceasing care.",
        sql="""
        SELECT child_id, coalesce(DEC = DECOM, false) AS flagged, DECOM AS date,
               concat_ws('; ', 'legal status ' || LS, 'placement ' || PLACE,
                         'reason for new episode ' || RNE, 'reason ceased ' || REC) AS detail
        FROM dm_903_episodes
        WHERE DECOM BETWEEN :start AND :end AND NOT short_break""",
        threshold=2.0,
    ),
    Check(
        id="nfa_same_day",
        title="Referrals closed with no further action on the day received",
        return_="cin",
        question="Of the referrals marked no further action, how many closed the day they came in?",
        population="Referrals in the period marked ReferralNFA.",
        flagged="Those closed on the referral date.",
        note="A same-day close leaves no time for checks with other agencies. If nearly every "
        "NFA referral closes the same day, ask whether contacts are being recorded as "
        "referrals (which raises the referral rate and the NFA rate together).",
        sql="""
        SELECT child_id, coalesce(closure_date = referral_date, false) AS flagged,
               referral_date AS date,
               concat_ws('; ', 'closed ' || closure_date, 'source ' || referral_source,
                         'closure reason ' || closure_reason) AS detail
        FROM dm_cin_referrals
        WHERE referral_date BETWEEN :start AND :end AND referral_nfa""",
        threshold=90.0,
    ),
    Check(
        id="referred_twice_in_a_week",
        title="The same child referred twice within a week",
        return_="cin",
        question="How many referrals come within 7 days of an earlier referral of the same child?",
        population="Referrals in the period.",
        flagged="Those with an earlier referral of the same child 1 to 7 days before.",
        note="Two referrals of a child a few days apart are more often one referral recorded "
        "twice (a duplicate, or a contact and a referral both entered) than two separate "
        "concerns; each duplicate adds a referral and a re-referral.",
        sql="""
        SELECT child_id,
               coalesce(referral_date - previous_referral_date <= 7, false) AS flagged,
               referral_date AS date,
               'previous referral ' || coalesce(previous_referral_date::VARCHAR, '(none)')
                 AS detail
        FROM dm_cin_referrals WHERE referral_date BETWEEN :start AND :end""",
        threshold=2.0,
    ),
]

BY_ID = {c.id: c for c in CHECKS}


def get(check_id: str) -> Check | None:
    return BY_ID.get(check_id)
