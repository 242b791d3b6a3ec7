"""A tiny warehouse built through the real loader, small enough to work out every figure by hand.

Two brands book one 2-day e-commerce shoot in GB each month 2025-01..2025-06 (40 images each):
A adopts twins in 2025-04 (20 twin images a month), C never does. A's January shoot had six
photographers (1 day at €500) and three stylists (1 day at €300): a group of three people that
public mode must hide. One licence covers A's twin for April and May only, so June's 20 images
are unlicensed ("expired"). One booking row is quarantined (days 0).
"""

from __future__ import annotations

from pathlib import Path

from etl import load, marts, warehouse

FILES = {
    "twins": "twin_id,model_id,created_on,platform,status\nT1,M9,2025-03-01,uncut,active\n",
    "licenses": ("license_id,twin_id,brand_id,granted_on,valid_from,valid_to,channels,regions,"
                 "fee_model,fee_amount,currency\n"
                 "L1,T1,A,2025-03-15,2025-04-01,2025-05-31,*,*,per_asset,10,EUR\n"),
    "twin-usage": (
        "usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,currency,"
        "watermarked,disclosed\n"
        "U4,2025-04-10,T1,A,L1,ecommerce,GB,20,200,EUR,true,true\n"
        "U5,2025-05-10,T1,A,L1,ecommerce,GB,20,200,EUR,true,false\n"
        "U6,2025-06-10,T1,A,L1,ecommerce,GB,20,200,EUR,false,false\n"),
    "bookings": "booking_id,brand_id,shoot_date,channel,region,days,assets,status,cancel_reason\n"
                + "".join(f"{b}{m},{b},2025-0{m}-05,ecommerce,GB,2,40,completed,\n"
                          for b in "AC" for m in range(1, 7))
                + "BAD1,A,2025-02-09,ecommerce,GB,0,10,completed,\n",
    "booking-crew": "booking_id,person_id,role,days,day_rate,fee_total,currency\n"
                    + "".join(f"A1,PH{i},photographer,1,500,,EUR\n" for i in range(1, 7))
                    + "".join(f"A1,ST{i},stylist,1,300,,EUR\n" for i in range(1, 4)),
    "crew-employment": ("period,area,role,employed,median_earnings,earnings_basis,currency,source\n"
                        "2024,GB,photographer,120,400,day,GBP,Union survey\n"
                        "2024,GB,stylist,3,250,day,GBP,Union survey\n"),
}


def build(folder: Path) -> Path:
    """Write the files, load them in one writer cycle, rebuild the marts; the warehouse path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "tiny.duckdb"
    with warehouse.writer(db, fresh=True) as con:
        warehouse.ensure_schema(con)
        for kind, text in FILES.items():
            path = folder / f"{kind}.csv"
            path.write_text(text)
            result = load.load_file(con, kind, path)
            assert result["status"] == "loaded", result
        marts.rebuild(con)
    return db
