"""Small worlds for the public release (issue 19): the four attacks a review mounted on
public output, each rebuilt as source files and loaded through the real command line.

1. `brands`: four adopters with 1, 5, 6 and 6 models (X, Y, W, Z), four controls. Twin
   images 2025-04..06: X 13 a month from one model (39), Y 10 a month from each of 5
   models (150), W and Z 10 a month from each of 6 (180 each): 549 in all. The review's
   attack: 549 − W − Z − Y = X.
2. `channel`: brand SHOP in e-commerce: April 23 images from one model, May and June 60
   each from six models (Q2 e-commerce 143); brands BIG1 and BIG2 in campaign, 10 images
   from each of six models every month. The attack: Q2 − May − June = April.
3. `day_rate`: adopter A (from 2024-07) books 3–5 days a month before and 1–3 after, always
   with one photographer P1 at 400 a day; three controls book 3–5 days a month with ten
   crew members each (30 people). The attack: ALL's displaced crew income ÷ its crew days =
   400, P1's day rate; the old people count (every brand's crew, 31) let it through.
4. `window`: twelve months of 2025, every month 10 images from each of six models except
   March (two models, 20 images): the year (or a 12-month headline) − the other months =
   March.
"""

from __future__ import annotations

from pathlib import Path

HEADERS = {
    "bookings": "booking_id,brand_id,shoot_date,channel,region,days,assets,status",
    "booking-crew": "booking_id,person_id,role,days,day_rate,fee_total,currency",
    "twins": "twin_id,model_id,created_on",
    "twin-usage": ("usage_id,used_on,twin_id,brand_id,license_id,channel,region,assets,"
                   "fee_paid,currency,watermarked,disclosed"),
}


def _months(year: int, first: int, last: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(first, last + 1)]


class World:
    """Rows of each source kind, written and loaded by `build`."""

    def __init__(self) -> None:
        self.rows: dict[str, list[str]] = {k: [] for k in HEADERS}
        self.models: set[str] = set()

    def shoots(self, brand: str, channel: str, months: list[str], days: float = 2,
               region: str = "GB", crew: list[tuple[str, str, float]] = ()) -> None:
        """One shoot a month; crew: (person, role, day rate) on every one of them."""
        for month in months:
            booking = f"{brand}-{month}"
            self.rows["bookings"].append(
                f"{booking},{brand},{month}-05,{channel},{region},{days},40,completed")
            for person, role, rate in crew:
                self.rows["booking-crew"].append(
                    f"{booking},{person},{role},{days},{rate},,EUR")

    def twin_use(self, brand: str, channel: str, model: str, month: str, images: int,
                 region: str = "GB") -> None:
        if model not in self.models:
            self.models.add(model)
            self.rows["twins"].append(f"T{model},{model},2024-01-01")
        n = len(self.rows["twin-usage"])
        self.rows["twin-usage"].append(
            f"U{n},{month}-12,T{model},{brand},,{channel},{region},{images},{images * 10},"
            "EUR,true,true")


def build(world: World, folder: Path) -> Path:
    """Load the world through `twinimpact load`; the warehouse path."""
    from etl import cli

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "world.duckdb"
    for kind in ("twins", "bookings", "booking-crew", "twin-usage"):
        if not world.rows[kind]:
            continue
        path = folder / f"{kind}.csv"
        path.write_text(HEADERS[kind] + "\n" + "\n".join(world.rows[kind]) + "\n")
        assert cli.main(["load", kind, str(path), "--db", str(db)]) == 0, kind
    return db


def brands() -> World:
    w = World()
    q2 = _months(2025, 4, 6)
    all_months = _months(2025, 1, 6)
    for brand, channel in (("X", "ecommerce"), ("Y", "ecommerce"), ("W", "campaign"),
                           ("Z", "campaign"), ("C1", "ecommerce"), ("C2", "ecommerce"),
                           ("C3", "campaign"), ("C4", "campaign")):
        w.shoots(brand, channel, all_months)
    for m in q2:
        w.twin_use("X", "ecommerce", "MX", m, 13)
        for i in range(5):
            w.twin_use("Y", "ecommerce", f"MY{i}", m, 10)
        for i in range(6):
            w.twin_use("W", "campaign", f"MW{i}", m, 10)
            w.twin_use("Z", "campaign", f"MZ{i}", m, 10)
    return w


def channel() -> World:
    w = World()
    q2 = _months(2025, 4, 6)
    for brand, ch in (("SHOP", "ecommerce"), ("BIG1", "campaign"), ("BIG2", "campaign")):
        w.shoots(brand, ch, _months(2025, 1, 6))
    w.twin_use("SHOP", "ecommerce", "MS", "2025-04", 23)
    for m in q2[1:]:
        for i in range(6):
            w.twin_use("SHOP", "ecommerce", f"MS{i}", m, 10)
    for m in q2:
        for brand in ("BIG1", "BIG2"):
            for i in range(6):
                w.twin_use(brand, "campaign", f"M{brand}{i}", m, 10)
    return w


def day_rate() -> World:
    w = World()
    pre, post = _months(2024, 1, 6), _months(2024, 7, 12)
    # A's months scatter around the controls' (the estimator measures its interval on them:
    # a brand without scatter is not estimable)
    for month, days in zip(pre, (4, 5, 3, 4, 5, 3), strict=True):
        w.shoots("A", "ecommerce", [month], days=days, crew=[("P1", "photographer", 400)])
    for month, days in zip(post, (2, 3, 1, 2, 3, 1), strict=True):
        w.shoots("A", "ecommerce", [month], days=days, crew=[("P1", "photographer", 400)])
    for j, c in enumerate(("C1", "C2", "C3")):
        for i, month in enumerate(pre + post):
            w.shoots(c, "ecommerce", [month], days=4 + (i + j) % 3 - 1,
                     crew=[(f"{c}P{i}", "photographer", 300 + 10 * i) for i in range(10)])
    for m in post:
        w.twin_use("A", "ecommerce", "MA", m, 5)
    return w


def window() -> World:
    w = World()
    months = _months(2025, 1, 12)
    for brand, ch in (("B1", "ecommerce"), ("B2", "campaign")):
        w.shoots(brand, ch, months)
    for m in months:
        if m == "2025-03":
            w.twin_use("B1", "ecommerce", "MB0", m, 10)
            w.twin_use("B2", "campaign", "MB1", m, 10)
            continue
        for i in range(6):
            brand, ch = ("B1", "ecommerce") if i % 2 else ("B2", "campaign")
            w.twin_use(brand, ch, f"MB{i}", m, 10)
    return w


WORLDS = {"brands": brands, "channel": channel, "day_rate": day_rate, "window": window}
