"""`twinimpact map suggest KIND FILE`: a TOML mapping proposal, for a person to edit.

From the header (exact names, then known synonyms such as "Shoot Date" → shoot_date, "Client" →
brand_id, "Talent" → person_id, then spelling similarity by difflib) and from sample values
(dates that are not YYYY-MM-DD, numbers with currency signs or thousands separators, labels
that are not contract values). Everything it is unsure of is marked `TODO` or left as a
comment, and a TODO in a value map makes the mapping refuse to load until a person decides:
a suggestion never becomes a guess inside the warehouse.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import sys
from pathlib import Path

from etl.contracts import BOOL_FALSE, BOOL_TRUE, BY_NAME, Column, Kind
from etl.errors import UserError
from etl.mapping import normalise
from etl.sources import files, readers
from etl.sources.files import FileProblem

SAMPLE_ROWS = 1000
MAX_LABELS = 40

# header synonyms (simplified: lower case, punctuation and units removed) per contract column
COLUMN_SYNONYMS = {
    "booking_id": ["booking ref", "booking reference", "booking no", "booking number",
                   "job no", "job number", "job ref", "job id", "job", "shoot id", "booking"],
    "brand_id": ["client", "client id", "brand", "customer", "account", "client code"],
    "person_id": ["talent", "talent id", "crew member", "crew id", "freelancer", "person",
                  "supplier", "contributor", "name"],
    "model_id": ["model", "talent", "talent id", "model ref"],
    "twin_id": ["twin", "avatar", "avatar id", "digital twin", "twin ref"],
    "license_id": ["licence", "license", "licence id", "licence ref", "license ref",
                   "contract", "contract id", "agreement"],
    "usage_id": ["usage", "usage ref", "job", "generation id", "batch id", "asset batch"],
    "shoot_date": ["shoot date", "date", "shoot day", "date of shoot", "job date"],
    "created_on": ["created", "created date", "date created", "creation date"],
    "granted_on": ["granted", "signed", "date signed", "signed on", "agreement date"],
    "valid_from": ["start", "start date", "from", "effective from", "term start"],
    "valid_to": ["end", "end date", "to", "expires", "expiry", "term end"],
    "revoked_on": ["revoked", "revocation date", "withdrawn", "terminated"],
    "used_on": ["date", "used", "generated", "generated on", "published", "timestamp"],
    "channel": ["type", "usage", "shoot type", "media", "job type"],
    "channels": ["usage", "media", "permitted use", "channels allowed"],
    "region": ["country", "location", "market", "territory"],
    "regions": ["territory", "territories", "countries", "markets"],
    "days": ["days worked", "shoot days", "duration", "no of days", "days booked"],
    "assets": ["looks delivered", "looks", "images delivered", "images", "deliverables",
               "assets delivered", "shots", "outputs", "images generated"],
    "status": ["booking status", "state", "job status"],
    "cancel_reason": ["cancellation", "cancellation reason", "cancel reason", "reason"],
    "role": ["job title", "position", "discipline", "crew role", "function"],
    "day_rate": ["rate", "daily rate", "day fee", "rate per day"],
    "fee_total": ["total", "total fee", "fee", "amount", "invoice total"],
    "fee_amount": ["fee", "amount", "licence fee", "license fee"],
    "fee_paid": ["fee", "amount", "paid", "amount paid"],
    "fee_model": ["fee type", "pricing", "basis", "fee basis"],
    "currency": ["ccy", "curr"],
    "watermarked": ["watermark", "watermarked y n"],
    "disclosed": ["disclosure", "ai label", "labelled", "ai disclosed"],
    "platform": ["vendor", "provider", "tool"],
    "employed": ["employment", "employees", "jobs", "headcount", "in employment"],
    "period": ["year", "date", "quarter", "month"],
    "area": ["geography", "region", "country", "area code"],
}
# value synonyms per vocabulary value (lower case)
VALUE_SYNONYMS = {
    "completed": ["wrapped", "done", "complete", "shot", "delivered", "finished", "invoiced"],
    "cancelled": ["cxl", "canceled", "cancel", "cancelled", "void"],
    "confirmed": ["booked", "confirmed", "firm", "scheduled", "pencilled", "pencil"],
    "replaced_by_twin": ["ai", "replaced by ai", "digital twin", "twin", "ai replacement"],
    "budget": ["budget cut", "cost", "budget"],
    "schedule": ["scheduling", "date change", "rescheduled", "clash"],
    "weather": ["rain", "weather"],
    "ecommerce": ["e-com", "ecom", "e-commerce", "online", "pdp", "web", "product"],
    "campaign": ["ad", "advertising", "campaign", "ads"],
    "editorial": ["magazine", "press", "editorial"],
    "lookbook": ["look book", "lookbook"],
    "social": ["social media", "instagram", "tiktok", "social"],
    "photographer": ["photo", "photog", "photographer"],
    "photo_assistant": ["photo assistant", "assistant", "photographer's assistant",
                        "1st assistant", "first assistant"],
    "digital_tech": ["digital tech", "digi tech", "dit", "digital operator", "digitech"],
    "stylist": ["fashion stylist", "wardrobe", "stylist"],
    "hair": ["hair stylist", "hairstylist", "hairdresser", "hair"],
    "makeup": ["make-up", "mua", "make-up artist", "makeup artist", "make up"],
    "hair_makeup": ["hair & make-up", "hair and makeup", "hmu", "hair/makeup", "hair & makeup",
                    "hair and make-up", "h&mu"],
    "art_director": ["art director", "creative director"],
    "set_designer": ["set designer", "set design", "prop stylist", "props"],
    "retoucher": ["retouch", "post-production", "post production", "retoucher"],
    "videographer": ["video", "dop", "camera operator", "videographer", "director of photography"],
    "model": ["talent", "model"],
    "per_asset": ["per image", "per asset", "per use"],
    "flat_monthly": ["monthly", "flat fee", "subscription"],
    "per_campaign": ["per campaign", "campaign"],
    "true": ["y", "yes", "true", "1", "x"],
    "false": ["n", "no", "false", "0", "-"],
}
DATE_FORMATS = ("%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y",
                "%d %b %Y", "%d-%b-%Y", "%d %B %Y", "%Y%m%d")
CURRENCY_SIGNS = {"£": "GBP", "€": "EUR", "$": "USD", "kr": "SEK"}
_SIGNS_AND_SPACE = "|".join([*map(re.escape, CURRENCY_SIGNS), r"\s"])


def _simple(name: str) -> str:
    """'Day Rate (£)' → 'day rate': lower case, units in brackets and punctuation removed."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", normalise(name))
    text = re.sub(r"[_./#:-]+", " ", text)
    return " ".join(re.sub(r"[^\w&' ]", " ", text).split())


def match_column(kind: Kind, source: str, taken: set[str]) -> tuple[str | None, str]:
    """(contract column, how it was found) for one source header, or (None, '')."""
    names = [c.name for c in kind.columns if c.name not in taken]
    key = normalise(source)
    if key in names:
        return key, "same name"
    simple = _simple(source)
    if simple.replace(" ", "_") in names:
        return simple.replace(" ", "_"), "same name"
    for col in names:
        if simple in COLUMN_SYNONYMS.get(col, []):
            return col, "known synonym"
    candidates = {col.replace("_", " "): col for col in names}
    for col in names:
        for syn in COLUMN_SYNONYMS.get(col, []):
            candidates.setdefault(syn, col)
    close = difflib.get_close_matches(simple, list(candidates), n=1, cutoff=0.8)
    if close:
        return candidates[close[0]], f"similar spelling to {close[0]!r}: check"
    return None, ""


def match_value(c: Column, value: str) -> tuple[str | None, str]:
    """(contract value, how) for one label of an enum or bool column."""
    vocab = list(c.vocab) if c.vocab else ["true", "false"]
    low = value.strip().lower()
    if c.type == "bool":
        if low in BOOL_TRUE:
            return "true", "contract value"
        if low in BOOL_FALSE:
            return "false", "contract value"
    if low in vocab:
        return low, "contract value"
    for target in vocab:
        if low in VALUE_SYNONYMS.get(target, []):
            return target, "known synonym"
    close = difflib.get_close_matches(low, [v.replace("_", " ") for v in vocab], n=1,
                                      cutoff=0.8)
    if close:
        return close[0].replace(" ", "_"), "similar spelling: check"
    return None, ""


def _date_format(values: list[str]) -> tuple[str | None, str]:
    if all(re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", v) for v in values):
        return None, ""
    fits = []
    for fmt in DATE_FORMATS:
        try:
            for v in values:
                dt.datetime.strptime(v, fmt)
        except ValueError:
            continue
        fits.append(fmt)
    if not fits:
        return "TODO", f"no common date format fits samples such as {values[0]!r}: write one"
    note = f"fits all {len(values)} samples"
    if "%d/%m/%Y" in fits and "%m/%d/%Y" in fits:
        note += "; %m/%d/%Y (US order) fits too: check which the system writes"
    return fits[0], note


def _number_format(values: list[str]) -> tuple[dict | None, str, str | None]:
    """(number format, note, currency its sign implies) or (None, '', None) when plain."""
    signs = {s for v in values for s in CURRENCY_SIGNS if s in v}
    stripped = [v for v in (re.sub(_SIGNS_AND_SPACE, "", v) for v in values) if v]
    fmt: dict = {}
    if signs:
        fmt["strip"] = sorted(signs)
    if any(re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", v) for v in stripped):
        fmt.update(decimal=".", thousands=",")
    elif any(re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", v) for v in stripped) or \
            any(re.fullmatch(r"[+-]?\d+,\d+", v) for v in stripped):
        fmt.update(decimal=",", thousands=".")
    if any(re.search(r"\d \d{3}", v) for v in values):
        fmt["thousands"] = " "
    if not fmt:
        return None, "", None
    currency = CURRENCY_SIGNS[sorted(signs)[0]] if len(signs) == 1 else None
    return fmt, "from the samples: check", currency


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _q(str(value))


def _samples(path: Path, encoding: str | None) -> tuple[list[str], dict[str, list[str]]]:
    """The file's header and up to SAMPLE_ROWS non-empty values per column (as text)."""
    import duckdb

    sf = files.inspect(path, encoding)
    con = duckdb.connect()
    try:
        if sf.encoding:
            import tempfile
            tmp = tempfile.TemporaryDirectory(prefix="twinimpact-")
            files.transcode_to_utf8(sf, Path(tmp.name) / "utf8.csv")
        header, _ = readers.land(con, sf)
        cols = ", ".join(f"c{i}" for i in range(len(header)))
        rows = con.execute(f"select {cols} from temp._src limit {SAMPLE_ROWS}"  # noqa: S608
                           ).fetchall() if header else []
    except duckdb.Error as exc:
        raise FileProblem(f"cannot read the file ({str(exc).splitlines()[0][:200]})") from exc
    finally:
        con.close()
    values = {h: [str(r[i]).strip() for r in rows if r[i] is not None and str(r[i]).strip()]
              for i, h in enumerate(header)}
    return header, values


def suggest(kind: str, path: Path, encoding: str | None = None) -> str:
    """The proposal as TOML text with comments."""
    k = BY_NAME[kind]
    header, values = _samples(path, encoding)
    columns: list[tuple[str, str, str]] = []   # (source, contract, how)
    unused: list[str] = []
    taken: set[str] = set()
    for h in header:
        if not h.strip():
            continue
        col, how = match_column(k, h, taken)
        if col is None:
            unused.append(h)
        else:
            taken.add(col)
            columns.append((h, col, how))
    lines = [f"# Mapping proposed by `twinimpact map suggest {kind} {path.name}`.",
             "# Check every line, replace each TODO, then: "
             f"twinimpact validate {kind} FILE --map THIS.toml",
             "# A value a [values.*] map does not list is quarantined, never passed through.",
             f'kind = "{kind}"', ""]
    if unused:
        lines += ["# columns the contract does not use (map one in [columns] if it should be)",
                  f"ignore = {_toml_value(unused)}", ""]
    lines.append("[columns]  # source column = contract column")
    for src, col, how in columns:
        entry = f"{_q(src)} = {_q(col)}"
        lines.append(entry if how == "same name" and normalise(src) == col else
                     f"{entry}  # {how}")
    value_maps: list[str] = []
    formats: list[str] = []
    currency_hint: tuple[str, str] | None = None
    for src, col, _ in columns:
        c = k.column(col)
        sample = values.get(src, [])
        if not sample:
            continue
        if c.type in ("enum", "bool") or (c.type == "scope_list" and c.vocab):
            labels = list(dict.fromkeys(sample))
            if c.type == "scope_list":
                labels = list(dict.fromkeys(x.strip() for v in labels for x in v.split(";")
                                            if x.strip() and x.strip() != "*"))
            if c.type == "scope_list" or all(match_value(c, v)[1] == "contract value"
                                             for v in labels):
                continue  # already contract values (lists are mapped whole, not per item)
            value_maps += ["", f"[values.{col}]  # from {_q(src)}: each label this file "
                               "uses; unlisted ones are quarantined"]
            for v in labels[:MAX_LABELS]:
                target, how = match_value(c, v)
                vocab = "|".join(c.vocab) if c.vocab else "true|false"
                value_maps.append(f"{_q(v)} = {_q(target)}" + (
                    f"  # {how}" if how and how != "contract value" else "") if target else
                    f"{_q(v)} = \"TODO\"  # one of {vocab}")
            if len(labels) > MAX_LABELS:
                value_maps.append(f"# … {len(labels) - MAX_LABELS} more labels in the file")
        elif c.type in ("date", "date_or_ts"):
            fmt, note = _date_format(sample)
            if fmt:
                formats.append(f"{col} = {_q(fmt)}  # {note}")
        elif c.type in ("decimal", "integer"):
            fmt, note, currency = _number_format(sample)
            if fmt:
                formats.append(f"{col} = {_toml_value(fmt)}  # {note}")
            if currency:
                currency_hint = (currency, src)
    lines += value_maps
    if formats:
        lines += ["", "[formats]  # dates: strptime codes; numbers: decimal, thousands, strip"]
        lines += formats
    missing = [c for c in k.columns if c.name not in taken]
    constants = []
    for c in missing:
        if c.name == "currency" and currency_hint:
            constants.append(f"currency = {_q(currency_hint[0])}  # from the sign in "
                             f"{_q(currency_hint[1])}: check")
        elif c.required and c.default is None:
            what = ("the brand this export is from (a one-brand file)"
                    if c.name == "brand_id" else "a value for every row")
            constants.append(f"# {c.name} = \"TODO\"  # required and not found in the file: "
                             f"map a column in [columns] or give {what}")
    if constants:
        lines += ["", "[constants]  # contract columns the file lacks, one value for every row"]
        lines += constants
    return "\n".join(lines) + "\n"


def cmd_map(args) -> int:
    if args.map_command == "suggest":
        path = Path(args.file)
        try:
            text = suggest(args.kind, path, args.encoding)
        except FileProblem as exc:
            raise UserError(f"{path}: {exc}") from exc
        sys.stdout.write(text)
    return 0
