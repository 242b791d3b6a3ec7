"""The dashboard's only data access: one function per figure, each returning a small
DataFrame, in one module per subject. Row shapes are given in each docstring as `columns`.

`dashboard.data.fetch` calls them by name (`getattr(queries, name)`), the report and the
benchmark directly; `dashboard.data` adds the cache. Every statement goes through `_run`
(`base.execute`): the subject modules look it up here when they run (`base.run`), so the perf
bench and the tests replace it in one place and see every query.
"""

from dashboard.queries.base import Source
from dashboard.queries.base import execute as _run
from dashboard.queries.consent import (
                                       compliance_by_brand,
                                       consent_over_time,
                                       consent_totals,
                                       unlicensed_reasons,
)
from dashboard.queries.crew import crew_by_role, crew_income_by_year_role, crew_totals
from dashboard.queries.displacement import (
                                       brand_choices,
                                       brands_ranked,
                                       coverage,
                                       displacement_estimates,
                                       displacement_totals,
                                       event_study,
                                       shoot_days_vs_expected,
                                       twin_share_by_channel,
                                       twin_share_by_half,
                                       twin_share_overall,
)
from dashboard.queries.employment import (
                                       employment_bls,
                                       employment_series,
                                       employment_sources,
                                       employment_survey,
                                       twin_arrival,
)
from dashboard.queries.images import image_checks_by_brand
from dashboard.queries.income import (
                                       income_distribution,
                                       industry_contributions,
                                       lorenz,
                                       model_income_over_time,
                                       model_income_totals,
)
from dashboard.queries.provenance import (
                                       data_quality,
                                       events,
                                       known_values,
                                       loads,
                                       provenance,
                                       quarantine_of,
                                       quarantine_rows,
                                       quarantine_summary,
                                       reporting_currency,
                                       saved_mappings,
                                       warehouse_ready,
)
from dashboard.queries.rights import rights_by_brand, rights_by_year, rights_scorecard

__all__ = [
    "Source", "_run",
    "brand_choices", "brands_ranked", "compliance_by_brand", "consent_over_time",
    "consent_totals", "coverage", "crew_by_role", "crew_income_by_year_role", "crew_totals",
    "data_quality", "displacement_estimates", "displacement_totals", "employment_bls",
    "employment_series", "employment_sources", "employment_survey", "event_study", "events",
    "image_checks_by_brand", "income_distribution", "industry_contributions", "known_values",
    "loads", "lorenz", "model_income_over_time", "model_income_totals", "provenance",
    "quarantine_of", "quarantine_rows", "quarantine_summary", "reporting_currency",
    "rights_by_brand", "rights_by_year", "rights_scorecard", "saved_mappings",
    "shoot_days_vs_expected", "twin_arrival", "twin_share_by_channel", "twin_share_by_half",
    "twin_share_overall", "unlicensed_reasons", "warehouse_ready",
]
