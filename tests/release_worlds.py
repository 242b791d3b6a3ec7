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
                 region: str = "GB", licence: str = "") -> None:
        if model not in self.models:
            self.models.add(model)
            self.rows["twins"].append(f"T{model},{model},2024-01-01")
        n = len(self.rows["twin-usage"])
        self.rows["twin-usage"].append(
            f"U{n},{month}-12,T{model},{brand},{licence},{channel},{region},{images},"
            f"{images * 10},"
            "EUR,true,true")


def build(world: World, folder: Path, *options: str) -> Path:
    """Load the world through `twinimpact load` (with `options`, e.g. `--currency USD`); the
    warehouse path."""
    from etl import cli

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "world.duckdb"
    for kind in ("twins", "bookings", "booking-crew", "twin-usage"):
        if not world.rows[kind]:
            continue
        path = folder / f"{kind}.csv"
        path.write_text(HEADERS[kind] + "\n" + "\n".join(world.rows[kind]) + "\n")
        assert cli.main(["load", kind, str(path), "--db", str(db), *options]) == 0, kind
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


# ---------------------------------------------------------------- hidden worlds
# Shapes unlike the four above, attacked by tests/test_attacks_hidden.py (issue 19's
# acceptance: "on hidden worlds ... no protected value can be pinned").

_CONTROLS = ("C1", "C2", "C3")


def _controls(w: World, months: list[str]) -> None:
    """Three never-adopting brands in e-commerce, 2–4 days a month, ten photographers each
    (rates 300..390): the DiD's controls, every crew cell of theirs well above k."""
    for j, c in enumerate(_CONTROLS):
        for i, month in enumerate(months):
            w.shoots(c, "ecommerce", [month], days=4 + (i + j) % 3 - 1,
                     crew=[(f"{c}P{p}", "photographer", 300 + 10 * p) for p in range(10)])


def pre_period_rate() -> World:
    """Adopter A (from 2024-04, one model MA, 5 images a month) books 4, 5, 3 days in
    2024-01..03 with one photographer, P1 at 400 a day, and 2, 3, 1, … days a month after
    with six others (Q0..Q5, 300..350). P1's pre-period: 12 crew days, 4,800 income (the
    cells crew_days/crew_income 2024-Q1 × brand A, primary). The crew figures displaced are
    the DiD (A's shortfall against the controls: 18 shoot days in 2024) × A's pre-period crew
    days per shoot day (12 ÷ 12 = 1) × its pre-period median day rate (P1's 400): 18 days,
    7,200. Shared out by who worked after adoption (six people) they were shown, and then
    7,200 ÷ 18 = P1's day rate and (18 ÷ the DiD's 18) × A's shown 12 shoot days of 2024-Q1
    = P1's 12 days (× 400: the income)."""
    w = World()
    pre, post = _months(2024, 1, 3), _months(2024, 4, 12)
    for month, days in zip(pre, (4, 5, 3), strict=True):
        w.shoots("A", "ecommerce", [month], days=days, crew=[("P1", "photographer", 400)])
    for i, month in enumerate(post):
        w.shoots("A", "ecommerce", [month], days=(2, 3, 1)[i % 3],
                 crew=[(f"Q{j}", "photographer", 300 + 10 * j) for j in range(6)])
    _controls(w, pre + post)
    for m in post:
        w.twin_use("A", "ecommerce", "MA", m, 5)
    return w


def one_channel() -> World:
    """SOLO is the only brand in `social`, with one model (15 images a month, 2025-04..06:
    45 in Q2): its brand cells are its channel's cells. E1 and E2 use six models each in
    e-commerce, 10 images each a month (180 each in Q2); 405 in all."""
    w = World()
    for brand, ch in (("SOLO", "social"), ("E1", "ecommerce"), ("E2", "ecommerce")):
        w.shoots(brand, ch, _months(2025, 1, 6))
    for m in _months(2025, 4, 6):
        w.twin_use("SOLO", "social", "MS", m, 15)
        for brand in ("E1", "E2"):
            for i in range(6):
                w.twin_use(brand, "ecommerce", f"M{brand}{i}", m, 10)
    return w


def k_minus_one() -> World:
    """Brand K has exactly k − 1 = 4 models and L six, 10 images each a month in 2025-01..03
    (K 40 a month, 120 in Q1; L 60 and 180; 100 a month in all)."""
    w = World()
    for brand in ("K", "L"):
        w.shoots(brand, "ecommerce", _months(2025, 1, 3))
    for m in _months(2025, 1, 3):
        for i in range(4):
            w.twin_use("K", "ecommerce", f"MK{i}", m, 10)
        for i in range(6):
            w.twin_use("L", "ecommerce", f"ML{i}", m, 10)
    return w


def lone_stylist() -> World:
    """One stylist, S1 at 250 a day, works every shoot of three brands in three regions (G1
    in GB, F1 in FR, D1 in DE; 2 days a month, 2025-01..03) beside six photographers of each
    brand (18 in all, 300..350 a day). Stylist crew days: 3 brands × 3 months × 2 = 18 (6 a
    month), income 4,500; photographers 108 days; each brand 42 days a quarter."""
    w = World()
    for brand, region in (("G1", "GB"), ("F1", "FR"), ("D1", "DE")):
        w.shoots(brand, "ecommerce", _months(2025, 1, 3), region=region,
                 crew=[("S1", "stylist", 250)]
                 + [(f"{brand}P{i}", "photographer", 300 + 10 * i) for i in range(6)])
    return w


def lone_region() -> World:
    """R, home region FR, is the only brand there, with one model (12 images a month,
    2025-04..06: 36): the FR cells are R's. G1 and G2 (GB) use six models each (10 images each
    a month: 180 each in Q2); 396 in all."""
    w = World()
    w.shoots("R", "ecommerce", _months(2025, 1, 6), region="FR")
    for brand in ("G1", "G2"):
        w.shoots(brand, "ecommerce", _months(2025, 1, 6))
    for m in _months(2025, 4, 6):
        w.twin_use("R", "ecommerce", "MR", m, 12, region="FR")
        for brand in ("G1", "G2"):
            for i in range(6):
                w.twin_use(brand, "ecommerce", f"M{brand}{i}", m, 10)
    return w


def late_export() -> World:
    """An export from 2024-12 to 2025-02: 2024 is one quarter of one month (December: two
    models, 10 images each: 20 = 2024-Q4 = 2024), 2025 one quarter of two months (January:
    six models, 60; February: one model, 10; Q1 = 2025 = 70). Brands B1 (even models) and
    B2 (odd), bookings in those three months."""
    w = World()
    months = ["2024-12", "2025-01", "2025-02"]
    for brand in ("B1", "B2"):
        w.shoots(brand, "ecommerce", months)
    for m, n in zip(months, (2, 6, 1), strict=True):
        for i in range(n):
            w.twin_use(f"B{i % 2 + 1}", "ecommerce", f"ML{i}", m, 10)
    return w


def only_adopter() -> World:
    """In 2025-01 only brand A uses twins (two models, 10 images each: 20, so the month's
    industry cell is A's); in 2025-02 and 03 A, B and C use six models each (60 a brand, 180
    a month). Q1: 380, A 140."""
    w = World()
    for brand in ("A", "B", "C"):
        w.shoots(brand, "ecommerce", _months(2025, 1, 3))
    for i in range(2):
        w.twin_use("A", "ecommerce", f"MA{i}", "2025-01", 10)
    for m in ("2025-02", "2025-03"):
        for brand in ("A", "B", "C"):
            for i in range(6):
                w.twin_use(brand, "ecommerce", f"M{brand}{i}", m, 10)
    return w


def signed_crew() -> World:
    """Two adopters from 2024-07 (one model each). A books 4, 5, 3 days a month before and 2,
    3, 1 after, with six photographers (Q0..Q5, 300..350) throughout: a shortfall. B books
    3, 4, 5 before and 6, 7, 8 after with one photographer, P1 at 400: B's DiD is negative,
    and so are its crew figures displaced (one person behind them: primary), against the
    controls' 2–4 days."""
    w = World()
    pre, post = _months(2024, 1, 6), _months(2024, 7, 12)
    six = [(f"Q{j}", "photographer", 300 + 10 * j) for j in range(6)]
    for i, month in enumerate(pre):
        w.shoots("A", "ecommerce", [month], days=(4, 5, 3)[i % 3], crew=six)
        w.shoots("B", "ecommerce", [month], days=(3, 4, 5)[i % 3],
                 crew=[("P1", "photographer", 400)])
    for i, month in enumerate(post):
        w.shoots("A", "ecommerce", [month], days=(2, 3, 1)[i % 3], crew=six)
        w.shoots("B", "ecommerce", [month], days=(6, 7, 8)[i % 3],
                 crew=[("P1", "photographer", 400)])
    _controls(w, pre + post)
    for m in post:
        w.twin_use("A", "ecommerce", "MA", m, 5)
        w.twin_use("B", "ecommerce", "MB", m, 5)
    return w


def usd() -> World:
    """Twin fees paid in EUR into a warehouse that reports in USD (loaded with `--currency
    USD`): brand X one model (13 images a month, 2025-04..06, 130 EUR a month), brand Y six
    (10 images, 100 EUR each a month)."""
    w = World()
    for brand in ("X", "Y"):
        w.shoots(brand, "ecommerce", _months(2025, 1, 6))
    for m in _months(2025, 4, 6):
        w.twin_use("X", "ecommerce", "MX", m, 13)
        for i in range(6):
            w.twin_use("Y", "ecommerce", f"MY{i}", m, 10)
    return w


def reasons() -> World:
    """Every image is unlicensed (no licence file): six models' uses name no licence
    (`no_licence`, 10 images each a month, 2025-04..06: 180), one model's name an unknown
    licence L404 (`unknown_licence`, 7 a month: 21). Unlicensed images in Q2: 201."""
    w = World()
    w.shoots("A", "ecommerce", _months(2025, 1, 6))
    for m in _months(2025, 4, 6):
        for i in range(6):
            w.twin_use("A", "ecommerce", f"MN{i}", m, 10)
        w.twin_use("A", "ecommerce", "MU", m, 7, licence="L404")
    return w


def pre_period_total() -> World:
    """Adopter A (from 2024-04, one model) books 4, 5, 3 days in 2024-01..03 and 2, 3, 1, …
    after, always with six photographers (Q0..Q5): its pre-period crew days are 6 × 12 = 72
    (2024-Q1). B never adopts and books 2 days a month with one photographer, P1 (6 crew days
    a quarter: primary). The controls C1..C3 book 10 photographers each. A's crew figures
    displaced are shown (six people): 108 days in 2024 against a DiD of 18, so a reader has
    A's pre-period crew days per shoot day (6) and, with A's shown 12 shoot days of 2024-Q1,
    its crew days then: 72, a cell the release hides as B's partner."""
    w = World()
    pre, post = _months(2024, 1, 3), _months(2024, 4, 12)
    six = [(f"Q{j}", "photographer", 300 + 10 * j) for j in range(6)]
    for month, days in zip(pre, (4, 5, 3), strict=True):
        w.shoots("A", "ecommerce", [month], days=days, crew=six)
    for i, month in enumerate(post):
        w.shoots("A", "ecommerce", [month], days=(2, 3, 1)[i % 3], crew=six)
    for month in pre + post:
        w.shoots("B", "ecommerce", [month], days=2, crew=[("P1", "photographer", 400)])
    _controls(w, pre + post)
    for m in post:
        w.twin_use("A", "ecommerce", "MA", m, 5)
    return w


HIDDEN = {"pre_period_rate": pre_period_rate, "one_channel": one_channel,
          "k_minus_one": k_minus_one, "lone_stylist": lone_stylist,
          "lone_region": lone_region, "late_export": late_export,
          "only_adopter": only_adopter, "signed_crew": signed_crew, "usd": usd,
          "reasons": reasons, "pre_period_total": pre_period_total}
"""The hidden worlds; `usd` loads with `--currency USD`."""
