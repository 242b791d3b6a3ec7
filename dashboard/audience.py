"""Who is looking: the one value that decides which brands a figure may name and whether
small cells are suppressed (CONTRACT §6–§7). Pages never decide this themselves."""

from __future__ import annotations

from dataclasses import dataclass

from etl import config

ROLES = ("public", "local", "union", "admin", "brand")


@dataclass(frozen=True)
class Audience:
    """role: `public` (anonymous, or signed in without a role, or `--public`), `local` (no
    sign-in configured, private mode: the single-user tool on 127.0.0.1), `union`, `admin`,
    `brand` (then `brand` names the one brand it may see unsuppressed).
    k: figures about fewer than k people are suppressed; None shows every figure."""

    role: str
    k: int | None
    brand: str | None = None
    user: str | None = None
    why: str = ""  # shown to the user, e.g. "signed in as x@y without a role: public mode"

    @property
    def public(self) -> bool:
        return self.k is not None

    @property
    def can_upload(self) -> bool:
        return self.role == "admin"

    @property
    def sees_audit(self) -> bool:
        return self.role == "admin"

    @property
    def person_rows(self) -> bool:
        """May see person-level rows (quarantined values): only the local single user."""
        return self.role == "local"


def public() -> Audience:
    """Always-public output: embeds, chart images, published reports."""
    return Audience(role="public", k=config.k_threshold())


def from_config(public_flag: bool = False, default_public: bool = False) -> Audience:
    """The audience when no sign-in is configured: public mode or the local user."""
    if config.public_mode(public_flag, default=default_public):
        return public()
    return Audience(role="local", k=None)
