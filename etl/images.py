"""Content credentials read from an image's own bytes: its C2PA manifest, else its XMP label.

No DuckDB and no files here: `check(data)` takes the bytes and returns one `image-checks`
row's facts (etl/scan_images.py stores them; the Check an image page shows them).

- The C2PA manifest is read and validated by `c2pa-python` (the Content Authenticity
  Initiative's library), offline. A signer is *trusted* only when its chain ends in one of the
  anchors given (`anchors`, PEM); without anchors every signer is untrusted, whatever the
  library's own defaults.
- The IPTC digital source type is also read from the XMP packet (JPEG APP1, PNG iTXt, WebP
  `XMP ` chunk) with a small reader of our own: many generators write only that.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from xml.etree import ElementTree

IPTC_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# IPTC digital source types that say "made by generative AI" (METHODOLOGY.md, "Images")
AI_SOURCE_TYPES = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia")
IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XMP_MAX = 1 << 20  # an XMP packet larger than this is not read (nothing we need is that long)
TRAINING_ENTRIES = ("ai_training", "ai_generative_training")  # c2pa. or cawg. prefixed

MIME = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif",
        "heic": "image/heic"}
EXTENSIONS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp",
              ".avif": "avif", ".heic": "heic", ".heif": "heic"}


class Unreadable(Exception):
    """The bytes are not an image this reader handles (the reason is the message)."""


def sniff(data: bytes) -> str | None:
    """The image format from the first bytes (never from the file name), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand in (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"):
            return "heic"
    return None


# ---- XMP ---------------------------------------------------------------------------------

def xmp_packet(data: bytes, fmt: str) -> bytes | None:
    """The XMP packet embedded in a JPEG, PNG or WebP file, or None."""
    try:
        if fmt == "jpeg":
            return _jpeg_xmp(data)
        if fmt == "png":
            return _png_xmp(data)
        if fmt == "webp":
            return _webp_xmp(data)
    except (struct.error, zlib.error, IndexError):
        return None  # a damaged container: no label can be read from it
    return None


def _jpeg_xmp(data: bytes) -> bytes | None:
    head = b"http://ns.adobe.com/xap/1.0/\x00"
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no more metadata
            return None
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        body = data[i + 4:i + 2 + length]
        if marker == 0xE1 and body.startswith(head):
            return body[len(head):]
        i += 2 + length
    return None


def _png_xmp(data: bytes) -> bytes | None:
    i = 8
    while i + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + length]
        if ctype == b"iTXt" and body.startswith(b"XML:com.adobe.xmp\x00"):
            rest = body[len(b"XML:com.adobe.xmp\x00"):]
            compressed = rest[0] == 1
            rest = rest[2:]  # compression flag and method
            rest = rest.split(b"\x00", 2)[2]  # language tag, translated keyword
            return zlib.decompress(rest, bufsize=XMP_MAX)[:XMP_MAX] if compressed else rest
        if ctype == b"IEND":
            return None
        i += 12 + length
    return None


def _webp_xmp(data: bytes) -> bytes | None:
    i = 12
    while i + 8 <= len(data):
        ctype, length = struct.unpack("<4sI", data[i:i + 8])
        if ctype == b"XMP ":
            return data[i + 8:i + 8 + length]
        i += 8 + length + (length & 1)
    return None


def xmp_source_type(packet: bytes | None) -> str | None:
    """`Iptc4xmpExt:DigitalSourceType` of an XMP packet (the IPTC code's last part, e.g.
    `trainedAlgorithmicMedia`, or the value as given when it is not an IPTC code)."""
    if not packet or len(packet) > XMP_MAX or b"<!DOCTYPE" in packet.upper():
        return None  # entities are never expanded: no DOCTYPE, no entity bombs
    try:
        root = ElementTree.fromstring(packet.strip(b"\x00 \r\n\t"))
    except ElementTree.ParseError:
        return None
    key = f"{{{IPTC_EXT_NS}}}DigitalSourceType"
    for el in root.iter():
        value = el.attrib.get(key)
        if value is None and el.tag == key:
            value = el.text or el.attrib.get(f"{{{RDF_NS}}}resource")
        if value and value.strip():
            return short_type(value.strip())
    return None


def short_type(value: str | None) -> str | None:
    """An IPTC digital source type URI → its code (`trainedAlgorithmicMedia`)."""
    if not value:
        return None
    return value[len(IPTC_TYPES):] if value.startswith(IPTC_TYPES) else value


# ---- C2PA --------------------------------------------------------------------------------

def _context(anchors: str | None):
    import c2pa

    settings = {"version": 1, "verify": {"verify_trust": True}}
    if anchors:
        settings["trust"] = {"trust_anchors": anchors}
    return c2pa.Context.from_dict(settings)


def read_manifest(data: bytes, fmt: str, anchors: str | None = None) -> dict | None:
    """The library's report (its JSON) on the image's C2PA manifest store, or None if the
    image has none. Unreadable on any other library error."""
    import c2pa

    try:
        with _context(anchors) as ctx, \
                c2pa.Reader(MIME[fmt], io.BytesIO(data), None, ctx) as reader:
            return json.loads(reader.json())
    except c2pa.C2paError.ManifestNotFound:
        return None
    except c2pa.C2paError as exc:
        first = " ".join(str(exc).split())[:200]
        raise Unreadable(f"the C2PA library cannot read its manifest ({first})") from exc


def _actions_source_types(manifest: dict) -> list[str]:
    found = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).split(".v")[0] not in ("c2pa.actions",):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if isinstance(action, dict) and action.get("digitalSourceType"):
                found.append(short_type(str(action["digitalSourceType"])))
    return found


def training(manifest: dict) -> str:
    """The training-and-mining assertion on AI training: not_allowed (either training entry
    says notAllowed), constrained, allowed, or absent (no assertion or no training entry)."""
    uses = []
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", ""))
        if label.split(".v")[0] not in ("c2pa.training-mining", "cawg.training-mining"):
            continue
        for name, entry in ((assertion.get("data") or {}).get("entries") or {}).items():
            if name.split(".", 1)[-1] in TRAINING_ENTRIES and isinstance(entry, dict):
                uses.append(str(entry.get("use", "")))
    for use, word in (("notAllowed", "not_allowed"), ("constrained", "constrained"),
                      ("allowed", "allowed")):
        if use in uses:
            return word
    return "absent"


def _successes(store: dict) -> set[str]:
    results = (store.get("validation_results") or {}).get("activeManifest") or {}
    return {str(s.get("code")) for s in results.get("success") or [] if isinstance(s, dict)}


def _generator(manifest: dict) -> str | None:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict) and info[0].get("name"):
        version = info[0].get("version")
        return f"{info[0]['name']}{' ' + str(version) if version else ''}"
    return manifest.get("claim_generator") or None


def _signer(manifest: dict) -> tuple[str | None, str | None, str | None]:
    sig = manifest.get("signature_info") or {}
    return sig.get("issuer") or None, sig.get("common_name") or None, sig.get("time") or None


def check(data: bytes, anchors: str | None = None) -> dict:
    """One image's content credentials (the columns of an image-checks row, without the file
    and link columns). Unreadable when the bytes are not a JPEG, PNG, WebP, AVIF or HEIC
    image or the library cannot read its manifest."""
    import hashlib

    fmt = sniff(data)
    if fmt is None:
        raise Unreadable("not a JPEG, PNG, WebP, AVIF or HEIC image (its first bytes say "
                         "otherwise, whatever its name)")
    _decodable(data, fmt)
    store = read_manifest(data, fmt, anchors)
    xmp_type = xmp_source_type(xmp_packet(data, fmt))
    row = {"sha256": hashlib.sha256(data).hexdigest(), "format": fmt, "bytes": len(data),
           "manifest": store is not None, "validation": None, "validation_codes": [],
           "trusted": None, "signer_org": None, "signer_cn": None, "claim_generator": None,
           "signed_at": None, "source_type": None, "training": None,
           "xmp_source_type": xmp_type}
    if store is not None:
        active = (store.get("manifests") or {}).get(store.get("active_manifest") or "") or {}
        state = store.get("validation_state")
        codes = [str(s.get("code")) for s in store.get("validation_status") or []
                 if isinstance(s, dict)]
        types = _actions_source_types(active)
        row.update(
            validation="valid" if state in ("Valid", "Trusted") else "invalid",
            validation_codes=codes,
            # the signer chains to an anchor given, whether or not the image still matches
            trusted=bool(anchors) and "signingCredential.trusted" in _successes(store),
            claim_generator=_generator(active),
            source_type=next((t for t in types if t in AI_SOURCE_TYPES),
                             types[0] if types else None),
            training=training(active))
        row["signer_org"], row["signer_cn"], row["signed_at"] = _signer(active)
    row["ai_declared"] = (row["source_type"] in AI_SOURCE_TYPES
                          or xmp_type in AI_SOURCE_TYPES)
    return row


def _decodable(data: bytes, fmt: str) -> None:
    """Unreadable when Pillow cannot parse the image's header and structure (JPEG, PNG,
    WebP); AVIF and HEIC are left to the C2PA library."""
    if fmt not in ("jpeg", "png", "webp"):
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
        first = " ".join(str(exc).split())[:120]
        raise Unreadable(f"a damaged {fmt.upper()} image ({first})") from exc
