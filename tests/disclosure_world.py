"""A small world for public mode, loaded through the real command line (`twinimpact load`).

Four brands book one 2-day, 40-image shoot in GB every month 2025-01..2025-06: SOLO and C in
e-commerce, MANY and D in campaign. From April SOLO uses the twin of one model (T1 → M1),
17 images a month (51 in all; watermarked 34 = 66.7%, disclosed 17 = 33.3%, licensed 34 =
66.7%: L1 ends in May, so June's 17 are unlicensed); MANY uses the twins of five models
(T2..T6 → M2..M6), 10 images each a month (150 in all, all licensed, watermarked, disclosed).
Industry: 201 twin images from six models; watermarked 184/201 = 91.5%, disclosed 167/201 =
83.1%; twin income 3 × 170 + 15 × 100 = 2,010 from six models.
Crew: two stylists on SOLO's January shoot (1.5 days at 317: 3 crew days, 951 in all), one
photographer on each of C's and D's six shoots (P1..P6, 2 days at 500) and one model (M7,
2 days at 700 = 1,400 of shoot income) on D's January shoot. Figures public mode must hide:
SOLO's twin figures and MANY's (total 201 − MANY = SOLO), the stylists' and M7's figures and
the photographers' (total crew − photographers = stylists + M7), M7's income.
"""

from __future__ import annotations

from pathlib import Path

BRANDS = {"SOLO": "ecommerce", "C": "ecommerce", "MANY": "campaign", "D": "campaign"}


def files(currency: str = "EUR") -> dict[str, str]:
    """The six source files' text; money written in `currency`."""
    bookings = "booking_id,brand_id,shoot_date,channel,region,days,assets,status\n" + "".join(
        f"{b}{m},{b},2025-0{m}-05,{ch},GB,2,40,completed\n"
        for b, ch in BRANDS.items() for m in range(1, 7))
    crew = ("booking_id,person_id,role,days,day_rate,fee_total,currency\n"
            f"SOLO1,S1,stylist,1.5,317,,{currency}\nSOLO1,S2,stylist,1.5,317,,{currency}\n"
            + "".join(f"{b}{m},P{m},photographer,2,500,,{currency}\n"
                      for b in ("C", "D") for m in range(1, 7))
            + f"D1,M7,model,2,700,,{currency}\n")
    twins = "twin_id,model_id,created_on\n" + "".join(
        f"T{i},M{i},2025-03-01\n" for i in range(1, 7))
    licenses = ("license_id,twin_id,brand_id,granted_on,valid_from,valid_to,fee_model,"
                "fee_amount,currency\n"
                f"L1,T1,SOLO,2025-03-15,2025-04-01,2025-05-31,per_asset,10,{currency}\n"
                + "".join(f"L{i},T{i},MANY,2025-03-15,2025-04-01,,per_asset,10,{currency}\n"
                          for i in range(2, 7)))
    flags = {4: ("true", "true"), 5: ("true", "false"), 6: ("false", "false")}
    usage = ("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,fee_paid,"
             "currency,watermarked,disclosed\n"
             + "".join(f"S{m},2025-0{m}-10,T1,SOLO,L1,ecommerce,GB,17,170,{currency},"
                       f"{flags[m][0]},{flags[m][1]}\n" for m in (4, 5, 6))
             + "".join(f"M{i}{m},2025-0{m}-12,T{i},MANY,L{i},campaign,GB,10,100,{currency},"
                       "true,true\n" for i in range(2, 7) for m in (4, 5, 6)))
    employment = ("period,area,role,employed,source\n"
                  "2024,GB,photographer,120,Union survey\n2024,GB,stylist,2,Union survey\n")
    return {"bookings": bookings, "booking-crew": crew, "twins": twins, "licenses": licenses,
            "twin-usage": usage, "crew-employment": employment}


def build(folder: Path, currency: str = "EUR", brand_id: str | None = None,
          d_id: str | None = None, bookings_per_brand: bool = False) -> Path:
    """Load the world with `twinimpact load … --currency`; the warehouse path. `brand_id`
    renames brand C (for ids that look like Markdown), `d_id` brand D (for ids that can be
    searched for on a page, unlike one letter); `bookings_per_brand` loads each brand's
    bookings from its own file, named after it (bookings-SOLO.csv …), as exports often are."""
    from etl import cli

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "world.duckdb"
    for kind, text in files(currency).items():
        if brand_id:
            text = text.replace(",C,", f",{brand_id},").replace("\nC", "\nX")
        if d_id:
            text = text.replace(",D,", f",{d_id},")
        parts = {kind: text}
        if kind == "bookings" and bookings_per_brand:
            header, *rows = text.splitlines(keepends=True)
            parts = {}
            for row in rows:
                parts.setdefault(f"bookings-{row.split(',')[1]}", header)
                parts[f"bookings-{row.split(',')[1]}"] += row
        for name, body in parts.items():
            path = folder / f"{name}.csv"
            path.write_text(body)
            assert cli.main(["load", kind, str(path), "--db", str(db),
                             "--currency", currency]) == 0, kind
    return db
