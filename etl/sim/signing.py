"""Sample images with content credentials: a throwaway certificate chain, signing, XMP labels.

For the demo and the tests only. The chain is made fresh each time (never committed): a CA
and a leaf made with `cryptography`, shaped as c2pa-python requires (the leaf: KeyUsage
digitalSignature, ExtendedKeyUsage emailProtection, subject and authority key identifiers;
the CA: BasicConstraints ca, keyCertSign, a subject key identifier). Signatures differ on
every run (fresh keys, ECDSA); the images' pixels and labels do not.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass

from etl.images import IPTC_TYPES, MIME


@dataclass(frozen=True)
class Chain:
    chain_pem: bytes  # the leaf, then the CA
    key_pem: bytes    # the leaf's private key
    ca_pem: bytes     # the trust anchor a verifier would be given


def make_chain(org: str = "Demo Twin Studio", cn: str = "Demo signing key") -> Chain:
    """A CA and a leaf certificate for `org` (valid from yesterday for a year)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])

    def usage(**on: bool) -> x509.KeyUsage:
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                               "data_encipherment", "key_agreement", "key_cert_sign",
                               "crl_sign", "encipher_only", "decipher_only"), False)
        return x509.KeyUsage(**{**flags, **on})

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"{org} Root CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(digital_signature=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))

    def pem(cert) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    return Chain(pem(leaf) + pem(ca),
                 key.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()),
                 pem(ca))


def xmp(source_type: str) -> bytes:
    """A minimal XMP packet stating the IPTC digital source type (its code)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'Iptc4xmpExt:DigitalSourceType="{IPTC_TYPES}{source_type}"/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


def picture(fmt: str = "jpeg", size: int = 48, colour: tuple[int, int, int] = (180, 90, 60),
            source_type: str | None = None) -> bytes:
    """A small plain image (a colour block with a stripe), with an XMP label if asked."""
    from PIL import Image, ImageDraw
    from PIL.PngImagePlugin import PngInfo

    img = Image.new("RGB", (size, size), colour)
    ImageDraw.Draw(img).rectangle((0, size // 3, size, size // 2), fill=(240, 240, 235))
    out = io.BytesIO()
    packet = xmp(source_type) if source_type else None
    if fmt == "png":
        info = PngInfo()
        if packet:
            info.add_itxt("XML:com.adobe.xmp", packet.decode())
        img.save(out, "PNG", pnginfo=info)
    elif fmt == "webp":
        img.save(out, "WEBP", quality=80, **({"xmp": packet} if packet else {}))
    else:
        img.save(out, "JPEG", quality=85, **({"xmp": packet} if packet else {}))
    return out.getvalue()


def manifest(*, source_type: str | None = "trainedAlgorithmicMedia",
             training: str | None = "notAllowed", generator: str = "Demo Twin Studio",
             title: str = "twin image") -> dict:
    """A C2PA manifest definition: a `created` action with its digital source type and, if
    `training` is given (allowed / notAllowed / constrained), a training-and-mining assertion."""
    action = {"action": "c2pa.created"}
    if source_type:
        action["digitalSourceType"] = IPTC_TYPES + source_type
    assertions = [{"label": "c2pa.actions", "data": {"actions": [action]}}]
    if training:
        assertions.append({"label": "c2pa.training-mining", "data": {"entries": {
            f"c2pa.{e}": {"use": training} for e in
            ("ai_generative_training", "ai_training", "data_mining")}}})
    return {"claim_generator_info": [{"name": generator, "version": "1.0"}], "title": title,
            "assertions": assertions}


def sign(data: bytes, fmt: str, chain: Chain, definition: dict) -> bytes:
    """The image with a signed C2PA manifest embedded (no thumbnail: samples stay small)."""
    import c2pa

    info = c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain.chain_pem,
                               private_key=chain.key_pem, ta_url=None)
    out = io.BytesIO()
    with c2pa.Signer.from_info(info) as signer, \
            c2pa.Context.from_dict({"version": 1,
                                    "builder": {"thumbnail": {"enabled": False}}}) as ctx, \
            c2pa.Builder(json.dumps(definition), context=ctx) as builder:
        builder.sign(signer, MIME[fmt], io.BytesIO(data), out)
    return out.getvalue()


def tamper(data: bytes, fmt: str) -> bytes:
    """The signed image with one byte of its pixel data changed, its container kept sound
    (a PNG chunk's checksum recomputed), as an edit after signing would leave it: the
    manifest's hash of the image no longer matches."""
    import struct
    import zlib

    b = bytearray(data)
    if fmt == "jpeg":
        b[len(b) - 60] ^= 0x55  # inside the entropy-coded scan, before the end marker
        return bytes(b)
    i = 8 if fmt == "png" else 12
    while i + 8 <= len(b):
        if fmt == "png":
            length, ctype = struct.unpack(">I4s", b[i:i + 8])
            if ctype == b"IDAT":
                b[i + 8 + length // 2] ^= 0x55
                b[i + 8 + length:i + 12 + length] = struct.pack(
                    ">I", zlib.crc32(bytes(b[i + 4:i + 8 + length])))
                return bytes(b)
            i += 12 + length
        else:
            ctype, length = struct.unpack("<4sI", b[i:i + 8])
            if ctype in (b"VP8 ", b"VP8L"):
                b[i + 8 + length - 4] ^= 0x55
                return bytes(b)
            i += 8 + length + (length & 1)
    raise ValueError(f"no pixel data found in this {fmt} image")
