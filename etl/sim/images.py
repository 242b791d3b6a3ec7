"""The demo's sample images: a few dozen small pictures for a sample of twin uses.

Written to `<demo folder>/images/` with `images-map.csv` (file → usage_id) beside them, then
scanned by `scan-images` like any published image. What each image carries is drawn from
the seed, so the folder is the same on every run except the signatures (fresh keys, made at
build time and never committed):

- most are signed by the demo studio (its CA is written as `demo-trust-anchor.pem` and the
  demo scans with it, so those signers are *trusted*) and declare generative AI;
- some are signed by another, unknown studio (not trusted);
- some were changed after signing (tampered: invalid);
- some carry only an IPTC/XMP digital source type, some nothing at all.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from etl.sim import signing

# (kind, share of the sample); the rest of each image's facts are drawn per kind
KINDS = (("signed", 0.55), ("signed_composite", 0.10), ("other_signer", 0.08),
         ("tampered", 0.09), ("iptc_only", 0.09), ("unsigned", 0.09))
FORMATS = ("jpeg", "jpeg", "png", "webp")
EXT = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
TRAINING = ("notAllowed", "notAllowed", "notAllowed", "allowed", "constrained", None)
SAMPLE = 36


def sample_uses(con, n: int = SAMPLE) -> list[str]:
    """`n` usage ids spread evenly over the loaded uses in id order (deterministic)."""
    ids = [r[0] for r in con.execute("select usage_id from raw.twin_usage order by usage_id"
                                     ).fetchall()]
    if not ids:
        return []
    step = max(1, len(ids) // n)
    return ids[::step][:n]


def write(folder: Path, usage_ids: list[str], seed: int) -> tuple[Path, Path]:
    """Write the images, the map and the demo anchor; returns (images folder, map file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("twin-use-*"):  # another seed's images would be scanned too
        stale.unlink()
    rng = np.random.default_rng([seed, 21])
    studio = signing.make_chain("Demo Twin Studio (SIMULATED)", "demo signing key")
    stranger = signing.make_chain("Unknown Studio (SIMULATED)", "unknown key")
    (folder / "demo-trust-anchor.pem").write_bytes(studio.ca_pem)
    names, shares = zip(*KINDS, strict=True)
    kinds = rng.choice(len(names), size=len(usage_ids), p=np.array(shares) / sum(shares))
    rows = []
    for i, (usage_id, k) in enumerate(zip(usage_ids, kinds, strict=True)):
        kind = names[k]
        fmt = FORMATS[int(rng.integers(len(FORMATS)))]
        colour = tuple(int(c) for c in rng.integers(40, 230, size=3))
        training = TRAINING[int(rng.integers(len(TRAINING)))]
        source = ("compositeWithTrainedAlgorithmicMedia" if kind == "signed_composite"
                  else "trainedAlgorithmicMedia")
        if kind == "iptc_only":
            data = signing.picture(fmt, colour=colour, source_type=source)
        elif kind == "unsigned":
            data = signing.picture(fmt, colour=colour)
        else:
            chain = stranger if kind == "other_signer" else studio
            data = signing.sign(signing.picture(fmt, colour=colour), fmt, chain,
                                signing.manifest(source_type=source, training=training,
                                                 generator="Demo Twin Studio",
                                                 title=f"twin use {usage_id}"))
            if kind == "tampered":
                data = signing.tamper(data, fmt)
        name = f"twin-use-{i + 1:03d}{EXT[fmt]}"
        (folder / name).write_bytes(data)
        rows.append((name, usage_id))
    map_path = folder.parent / "images-map.csv"
    with open(map_path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "usage_id"])
        w.writerows(rows)
    return folder, map_path
