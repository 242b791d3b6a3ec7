"""`demo --dirty`: realistic bad rows appended to the clean files, one per rule they break.

Each row breaks exactly one contract rule, uses ids no clean row uses, and is listed with its
file line (header = line 1) so a test can check that the load quarantines exactly these rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

# kind → rows to append: (what is wrong, {column: value}); unnamed columns come from a clean row
BAD_ROWS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "bookings": [
        ("shoot_date is not a date (month 13)", {"booking_id": "BK-DIRTY-1", "shoot_date": "2024-13-05"}),
        ("channel is not in the vocabulary", {"booking_id": "BK-DIRTY-2", "channel": "billboard"}),
        ("days is 0 (must be > 0)", {"booking_id": "BK-DIRTY-3", "days": "0"}),
        ("booking_id is empty", {"booking_id": ""}),
    ],
    "twin-usage": [
        ("fee_paid is negative", {"usage_id": "US-DIRTY-1", "fee_paid": "-12.50"}),
        ("usage_id repeated in the file (first copy)", {"usage_id": "US-DIRTY-2"}),
        ("usage_id repeated in the file (second copy)", {"usage_id": "US-DIRTY-2", "assets": "3"}),
        ("assets is 0 (must be ≥ 1)", {"usage_id": "US-DIRTY-3", "assets": "0"}),
        ("watermarked is not a boolean", {"usage_id": "US-DIRTY-4", "watermarked": "maybe"}),
    ],
    "booking-crew": [
        ("person_id is empty", {"person_id": ""}),
        ("role is not in the vocabulary", {"person_id": "GB-caterer-00001", "role": "caterer"}),
    ],
    "licenses": [
        ("granted_on is before 2000", {"license_id": "LI-DIRTY-1", "granted_on": "1999-12-31"}),
        ("fee_model is not in the vocabulary", {"license_id": "LI-DIRTY-2", "fee_model": "per_view"}),
    ],
    "twins": [
        ("created_on is more than a year ahead", {"twin_id": "TW-DIRTY-1", "created_on": "2031-01-01"}),
    ],
    "crew-employment": [
        ("employed is negative", {"period": "2025-Q1", "area": "GB", "role": "other",
                                  "employed": "-3"}),
    ],
}


def inject(paths: dict[str, Path]) -> list[dict]:
    """Append the bad rows to each file; return [{kind, file, line, problem}]."""
    injected = []
    for kind, rows in BAD_ROWS.items():
        path = paths[kind]
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            template = next(reader)
            n_lines = 2 + sum(1 for _ in reader)  # header + template + the rest
        with path.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for problem, values in rows:
                row = dict(zip(header, template, strict=True))
                row.update(values)
                writer.writerow([row[c] for c in header])
                n_lines += 1
                injected.append({"kind": kind, "file": str(path), "line": n_lines,
                                 "problem": problem})
    return injected
