"""Images as evidence (scan-images): what the images say against what the exports claim."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.base import BRAND, PERIOD, Source, bound, in_region, run


def image_checks_by_brand(db: Source, f: Filters) -> pd.DataFrame:
    """brand_id, images_checked, images_valid, images_ai_declared, images_no_training,
    images_linked_to_use, claimed_disclosed, claimed_not_found, found_not_claimed, models —
    per brand over the period: the images checked (their month: the linked use's, else the
    signature's or the check's) and, for images linked to a use, what the brand's export
    claims against what the image says (METHODOLOGY.md, "Images as evidence"). models:
    distinct models whose twins the linked images show. Images with no brand are left out."""
    return run(db, f"""
        with checks as (
            select c.*, n.person_no
            from staging.stg_image_checks c
            left join staging.int_model_numbers n using (twin_id)
            where c.brand_id is not null and {PERIOD} and {BRAND} and {in_region(f)}
        )
        select brand_id,
               count(*)::bigint as images_checked,
               count(*) filter (where valid)::bigint as images_valid,
               count(*) filter (where ai_declared)::bigint as images_ai_declared,
               count(*) filter (where training = 'not_allowed')::bigint as images_no_training,
               count(*) filter (where usage_known)::bigint as images_linked_to_use,
               count(*) filter (where usage_disclosed)::bigint as claimed_disclosed,
               count(*) filter (where usage_disclosed and not ai_declared)::bigint
                   as claimed_not_found,
               count(*) filter (where not usage_disclosed and ai_declared)::bigint
                   as found_not_claimed,
               count(distinct person_no)::bigint as models
        from checks
        group by brand_id
        order by brand_id
    """, bound(f, "start", "end", "brand", "region"))  # noqa: S608
