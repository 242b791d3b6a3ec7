"""Sign-in to audience: the access file (TWINIMPACT_ACCESS, CONTRACT §7) maps a signed-in
user's verified e-mail (or the provider's stable `sub`) to a role. Pure functions, no
Streamlit, so every rule is unit-tested."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.audience import Audience, public

NAMED_ROLES = ("union", "admin")
_BRAND = re.compile(r"^brand:([A-Za-z0-9_.\-]+)$")


class AccessError(ValueError):
    """The access file cannot be read or says something that is not a role."""


@dataclass(frozen=True)
class Access:
    """The parsed access file: verified e-mail → role, verified e-mail domain → role, the
    provider's `sub` → role."""

    users: dict[str, str] = field(default_factory=dict)
    domains: dict[str, str] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # entries skipped, each a sentence naming the entry


def _check_role(role: object) -> str | None:
    if not isinstance(role, str):
        return None
    role = role.strip()
    if role in NAMED_ROLES or _BRAND.match(role):
        return role
    return None


def parse_access(text: str, where: str = "access file") -> Access:
    """Parse the access TOML; a bad file raises AccessError, a bad entry is skipped and named."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessError(f"{where}: not valid TOML ({exc})") from None
    problems: list[str] = []
    unknown = sorted(set(doc) - {"users", "domains", "subjects"})
    if unknown:
        problems.append(f"{where}: unknown section(s) {', '.join(map(repr, unknown))} ignored")
    tables: dict[str, dict[str, str]] = {"users": {}, "domains": {}, "subjects": {}}
    for section, out in tables.items():
        entries = doc.get(section, {})
        if not isinstance(entries, dict):
            raise AccessError(f"{where}: [{section}] must be a table of \"name\" = \"role\"")
        for key, value in entries.items():
            role = _check_role(value)
            if role is None:
                problems.append(f"{where}: [{section}] {key!r} has unknown role {value!r} "
                                "(use union, admin or brand:ID); entry ignored")
                continue
            # a `sub` is the provider's exact identifier; e-mails and domains ignore case
            out[key.strip() if section == "subjects" else key.strip().lower().lstrip("@")] = role
    return Access(users=tables["users"], domains=tables["domains"],
                  subjects=tables["subjects"], problems=tuple(problems))


def load_access(path: str | os.PathLike | None = None) -> Access:
    """The access file named by TWINIMPACT_ACCESS (or `path`); none named → no roles."""
    value = path or os.environ.get("TWINIMPACT_ACCESS", "").strip()
    if not value:
        return Access()
    p = Path(value).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise AccessError(f"TWINIMPACT_ACCESS={str(p)!r}: cannot read it "
                          f"({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise AccessError(f"TWINIMPACT_ACCESS={str(p)!r}: not UTF-8 text") from None
    return parse_access(text, where=str(p))


def verified(claims: dict) -> bool:
    """The provider vouches for the e-mail claim (`email_verified` true; some providers send
    the string "true")."""
    v = claims.get("email_verified")
    return v is True or (isinstance(v, str) and v.strip().lower() == "true")


def role_for(claims: dict, access: Access) -> str | None:
    """The role for a signed-in user's claims: the provider's `sub` ([subjects]) first, then
    a verified e-mail exactly ([users]), then its domain ([domains]). An e-mail the provider
    does not mark verified matches nothing: anyone could register it."""
    sub = str(claims.get("sub") or "").strip()
    if sub and sub in access.subjects:
        return access.subjects[sub]
    email = str(claims.get("email") or "").strip().lower()
    if not email or not verified(claims):
        return None
    if email in access.users:
        return access.users[email]
    if "@" in email:
        return access.domains.get(email.rsplit("@", 1)[1])
    return None


def audience_for(claims: dict | None, access: Access, k: int | None = None) -> Audience:
    """The audience of a run with sign-in configured: claims None means not signed in."""
    anon = public()
    k = anon.k if k is None else k
    if not claims:
        return Audience(role="public", k=k, why="Not signed in: public mode.")
    user = str(claims.get("email") or claims.get("sub") or "unknown user")
    role = role_for(claims, access)
    if role is None:
        why = (f"Signed in as {user}, which has no role in the access file: public mode. "
               "Ask your administrator for access.")
        if claims.get("email") and not verified(claims):
            why += (" (Your provider did not mark this e-mail as verified, so no e-mail or "
                    "domain entry applies.)")
        return Audience(role="public", k=k, user=user, why=why)
    m = _BRAND.match(role)
    if m:
        return Audience(role="brand", k=None, brand=m.group(1), user=user)
    return Audience(role=role, k=None, user=user)
