"""One image's content credentials in words, for the Check an image page (pure functions).

The facts come from `etl.images.check`. Text written by whoever made the image (signer,
generator) is returned as it is: the page shows it as text, never as Markdown or HTML.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from etl.images import AI_SOURCE_TYPES

MAX_MB_DEFAULT = 20
WORDS = {
    "trainedAlgorithmicMedia": "made by generative AI (trained algorithmic media)",
    "compositeWithTrainedAlgorithmicMedia": "a composite that includes generative-AI elements",
    "algorithmicMedia": "made by an algorithm without training data",
    "digitalCapture": "a photograph or scan captured by a device",
    "compositeCapture": "a composite of captured images",
    "compositeSynthetic": "a composite that includes synthetic elements",
    "composite": "a composite of several images",
    "digitalArt": "digital art made by a person",
    "minorHumanEdits": "captured, with minor human edits",
    "humanEdits": "captured, with human edits",
    "screenCapture": "a screen capture",
}
TRAINING = {
    "not_allowed": "says the image may NOT be used to train AI models",
    "constrained": "allows AI training only under constraints",
    "allowed": "allows AI training",
    "absent": "says nothing about AI training",
}


def max_mb() -> int:
    """The page's size cap in MB: TWINIMPACT_MAX_IMAGE_MB, default 20."""
    raw = os.environ.get("TWINIMPACT_MAX_IMAGE_MB", "").strip()
    return int(raw) if raw.isdigit() and int(raw) >= 1 else MAX_MB_DEFAULT


def trust_path() -> Path | None:
    """The PEM file of trust anchors named by TWINIMPACT_TRUST, if any."""
    path = os.environ.get("TWINIMPACT_TRUST", "").strip()
    return Path(path) if path else None


def anchors() -> tuple[str | None, str]:
    """The trust anchors the page judges signers by (PEM text from the file named by
    TWINIMPACT_TRUST, or None) and a sentence saying which."""
    path = trust_path()
    if path is None:
        return None, ("No trust list is configured here, so no signer can be confirmed: "
                      "every signer shows as not trusted.")
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None, "The configured trust list cannot be read: no signer is trusted."
    if "-----BEGIN CERTIFICATE-----" not in text:
        return None, "The configured trust list holds no certificate: no signer is trusted."
    return text, "Signers are judged against the trust list this site's operator configured."


def words(code: str | None) -> str | None:
    return None if code is None else WORDS.get(code, code)


def verdict(row: dict) -> str:
    """The one-line answer: does the image itself say it was made by AI?"""
    if row["source_type"] in AI_SOURCE_TYPES:
        how = ("its content credentials, which still match the image"
               if row["validation"] == "valid" else
               "its content credentials, which NO LONGER match the image")
        return f"This image declares it was made with generative AI, in {how}."
    if row["xmp_source_type"] in AI_SOURCE_TYPES:
        return ("This image declares it was made with generative AI, in its IPTC metadata "
                "(an unsigned label anyone can add or remove).")
    if row["manifest"]:
        return ("This image carries content credentials, but they do not declare generative "
                "AI.")
    return ("This image carries no AI label: no content credentials and no IPTC digital "
            "source type. That proves nothing about how it was made (see below).")


def findings(row: dict) -> list[str]:
    """Plain sentences, one per fact (without free text: see `free_text`)."""
    out = []
    if row["manifest"]:
        if row["validation"] == "valid":
            out.append("Content credentials (C2PA): present, and valid: the signature and the "
                       "image's hash check out, so the image is as it was signed.")
        else:
            codes = [c for c in row["validation_codes"] if not c.endswith(".untrusted")]
            out.append("Content credentials (C2PA): present but INVALID: the image or its "
                       "manifest changed after signing (" + (", ".join(codes) or "see codes")
                       + ").")
        out.append("Signer: trusted — its certificate chains to a configured trust anchor."
                   if row["trusted"] else
                   "Signer: not trusted here — anyone can make a certificate in any name, so "
                   "the name below is what the certificate says, not a confirmed identity.")
        out.append("How it was made (the credentials' actions): "
                   + (words(row["source_type"]) or "not stated") + ".")
        out.append("AI training: the credentials " + TRAINING[row["training"] or "absent"]
                   + ".")
        out.append("Time signed: " + ("a trusted timestamp is attached (below)."
                                      if row["signed_at"] else
                                      "no trusted timestamp (the signer's own clock is not "
                                      "evidence)."))
    else:
        out.append("Content credentials (C2PA): none in this file.")
    out.append("IPTC digital source type (XMP metadata): "
               + (words(row["xmp_source_type"]) or "none") + ".")
    return out


def free_text(row: dict) -> list[tuple[str, str]]:
    """(label, value as written in the image) pairs: to be shown as text only."""
    pairs = [("Signer organisation", row["signer_org"]), ("Signer name", row["signer_cn"]),
             ("Made with (claim generator)", row["claim_generator"]),
             ("Signed at (trusted timestamp)", row["signed_at"]),
             ("Validation codes", ", ".join(row["validation_codes"]) or None),
             ("SHA-256 of the file", row["sha256"])]
    return [(k, str(v)) for k, v in pairs if v]


def load(db: Path, data: bytes, suffix: str, *, brand: str | None = None,
         usage_id: str | None = None, trust: Path | None = None) -> dict:
    """Load one checked image into the warehouse as `twinimpact scan-images` would (an
    admin's choice on the page): written to a private temporary folder, scanned with its
    links, removed. Returns the scan's load result; UserError on bad links."""
    from etl import scan_images

    tmp = Path(tempfile.mkdtemp(prefix="twinimpact-check-"))
    try:
        path = tmp / f"checked-image{suffix.lower()[:6] if suffix.startswith('.') else ''}"
        path.write_bytes(data)
        link_map = None
        if usage_id:
            link_map = tmp / "map.csv"
            with open(link_map, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows([("sha256", "usage_id"),
                                          (hashlib.sha256(data).hexdigest(), usage_id)])
        result, _ = scan_images.scan(db, [path], map_path=link_map, brand=brand or None,
                                     trust=trust)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
