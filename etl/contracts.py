"""The six source kinds of CONTRACT §1, in one place: columns, types, rules, keys.

No DuckDB here: the loader turns these declarations into set-based validation SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = (
    "model", "photographer", "photo_assistant", "digital_tech", "stylist", "hair", "makeup",
    "hair_makeup", "producer", "art_director", "set_designer", "retoucher", "videographer",
    "other",
)
CHANNELS = ("ecommerce", "campaign", "editorial", "lookbook", "social", "other")
TWIN_STATUSES = ("active", "retired")
FEE_MODELS = ("per_asset", "flat_monthly", "per_campaign")
BOOKING_STATUSES = ("confirmed", "completed", "cancelled")
CANCEL_REASONS = ("replaced_by_twin", "budget", "schedule", "weather", "other")
EARNINGS_BASES = ("hour", "day", "week", "month", "year")
BOOL_TRUE = ("true", "yes", "1")
BOOL_FALSE = ("false", "no", "0")
ID_MAX_LEN = 128
EARLIEST_DATE = "2000-01-01"  # dates before this are quarantined; so are dates > 1 year ahead


@dataclass(frozen=True)
class Column:
    """One contract column.

    type: id | text | date | date_or_ts | decimal | integer | bool | enum | scope_list |
          country | currency | period | area
    """

    name: str
    type: str
    required: bool = True       # the header must have it
    nullable: bool = False      # a value may be empty
    vocab: tuple[str, ...] | None = None
    min: float | None = None    # inclusive lower bound
    max: float | None = None    # inclusive upper bound
    min_exclusive: bool = False  # the lower bound itself is not allowed (days > 0)
    default: str | None = None  # value used when empty or the column is absent


@dataclass(frozen=True)
class Kind:
    name: str                   # the CLI's KIND
    table: str                  # raw.<table>
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    money: tuple[str, ...] = field(default=())  # amounts converted to the reporting currency
    money_date: str | None = None  # the column whose date picks the ECB rate

    @property
    def plain(self) -> tuple[str, ...]:
        """The columns stored uncompressed: a one-column key, unique in its raw table, which
        DuckDB's dictionary + FSST compression barely shrinks (about 2×) at a high price: for
        2M usage ids it is a third of the landing table's write (0.5 s of CPU)."""
        return self.key if len(self.key) == 1 else ()

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


C = Column
KIND_LIST: tuple[Kind, ...] = (
    Kind("twins", "twins", ("twin_id",), (
        C("twin_id", "id"),
        C("model_id", "id"),
        C("created_on", "date"),
        C("platform", "text", required=False, nullable=True),
        C("status", "enum", required=False, nullable=True, vocab=TWIN_STATUSES,
          default="active"),
    )),
    Kind("licenses", "licenses", ("license_id",), (
        C("license_id", "id"),
        C("twin_id", "id"),
        C("brand_id", "id"),
        C("granted_on", "date"),
        C("valid_from", "date"),
        C("valid_to", "date", required=False, nullable=True),  # ≥ valid_from
        C("channels", "scope_list", required=False, nullable=True, vocab=CHANNELS, default="*"),
        C("regions", "scope_list", required=False, nullable=True, default="*"),  # countries
        C("fee_model", "enum", vocab=FEE_MODELS),
        C("fee_amount", "decimal", min=0),
        C("currency", "currency"),
        C("revoked_on", "date", required=False, nullable=True),
        # empty = not stated: the rights scorecard counts it unknown, never met
        C("exclusive", "bool", required=False, nullable=True),
        C("training_allowed", "bool", required=False, nullable=True),
    ), money=("fee_amount",), money_date="granted_on"),
    Kind("twin-usage", "twin_usage", ("usage_id",), (
        C("usage_id", "id"),
        C("used_on", "date_or_ts"),
        C("twin_id", "id"),
        C("brand_id", "id"),
        C("license_id", "id", required=False, nullable=True),
        C("channel", "enum", vocab=CHANNELS),
        C("region", "country"),
        C("assets", "integer", min=1),
        C("fee_paid", "decimal", min=0),
        C("currency", "currency"),
        C("watermarked", "bool"),
        C("disclosed", "bool"),
    ), money=("fee_paid",), money_date="used_on"),
    Kind("bookings", "bookings", ("booking_id",), (
        C("booking_id", "id"),
        C("brand_id", "id"),
        C("shoot_date", "date"),
        C("channel", "enum", vocab=CHANNELS),
        C("region", "country"),
        C("days", "decimal", min=0, min_exclusive=True, max=60),
        C("assets", "integer", min=0),
        C("status", "enum", vocab=BOOKING_STATUSES),
        C("cancel_reason", "enum", required=False, nullable=True, vocab=CANCEL_REASONS),
    )),
    Kind("booking-crew", "booking_crew", ("booking_id", "person_id", "role"), (
        C("booking_id", "id"),
        C("person_id", "id"),
        C("role", "enum", vocab=ROLES),
        C("days", "decimal", min=0, min_exclusive=True),
        C("day_rate", "decimal", min=0),
        C("fee_total", "decimal", required=False, nullable=True, min=0),
        C("currency", "currency"),
    )),  # money converted in staging at the booking's shoot_date (see sql/raw/tables.sql)
    Kind("crew-employment", "crew_employment", ("period", "area", "role", "source"), (
        C("period", "period"),
        C("area", "area"),
        C("role", "enum", vocab=ROLES),
        C("employed", "integer", min=0),
        C("hours_worked", "decimal", required=False, nullable=True, min=0),
        C("median_earnings", "decimal", required=False, nullable=True, min=0),
        C("mean_earnings", "decimal", required=False, nullable=True, min=0),
        C("earnings_basis", "enum", required=False, nullable=True, vocab=EARNINGS_BASES),
        C("currency", "currency", required=False, nullable=True),
        C("source", "text"),
        C("source_url", "text", required=False, nullable=True),  # our extension: kept if given
        # our extension: the source's caveats and status flags for the row (fetch-nomis)
        C("note", "text", required=False, nullable=True),
    )),
)
del C

KINDS: tuple[str, ...] = tuple(k.name for k in KIND_LIST)
BY_NAME: dict[str, Kind] = {k.name: k for k in KIND_LIST}
