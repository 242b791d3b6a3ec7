"""The Streamlit side of sign-in: st.login/st.user → Audience (rules in dashboard.auth), the
sidebar's sign-in/sign-out, and the audit row of each sign-in."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from dashboard import auth
from dashboard.audience import Audience, from_config, public
from dashboard.serve import is_loopback
from dashboard.text import plain
from etl import audit, config


def _secrets_files() -> list[Path]:
    return [Path.cwd() / ".streamlit" / "secrets.toml",
            Path.home() / ".streamlit" / "secrets.toml"]


def configured() -> bool:
    """Sign-in is on when .streamlit/secrets.toml has an [auth] section (or cannot be read:
    then nobody can sign in, and everyone gets public mode rather than the local view)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, OSError, ValueError):
        return any(p.exists() for p in _secrets_files())  # present but broken: fail closed


@st.cache_data(max_entries=4, show_spinner=False)
def _access(path: str, stamp: str) -> auth.Access | str:
    # `stamp` (mtime+size) is only part of the key: an edited access file applies at once.
    try:
        return auth.load_access(path)
    except auth.AccessError as exc:
        return str(exc)


def access() -> auth.Access | str:
    """The parsed access file, or the error that makes it unusable."""
    path = os.environ.get("TWINIMPACT_ACCESS", "").strip()
    if not path:
        return auth.Access()
    try:
        s = os.stat(os.path.expanduser(path))
        stamp = f"{s.st_mtime_ns}-{s.st_size}"
    except OSError:
        stamp = "missing"
    return _access(path, stamp)


def _claims() -> dict | None:
    user = st.user
    if not user.get("is_logged_in"):
        return None
    return {k: user.get(k) for k in user}


# a request that came through a reverse proxy carries one of these
_FORWARDED = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
              "x-real-ip")


def remote_visit() -> str:
    """Why this browser session is not the single user on this machine ('' when it is): it
    came through a proxy, or asked for a host name that is not a loopback address."""
    try:
        headers = {k.lower(): v for k, v in (st.context.headers or {}).items()}
    except Exception:  # noqa: BLE001 — outside a browser session (tests, scripts)
        return ""
    if any(h in headers for h in _FORWARDED):
        return "this page was reached through a proxy"
    host = headers.get("host", "")
    if host.startswith("["):  # [::1]:8501
        name = host[1:].split("]", 1)[0]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if name and not is_loopback(name):
        return f"this page was reached as {name}"
    return ""


def audience() -> Audience:
    """Who is looking: no [auth] → public or the local user (a visit from elsewhere is public
    unless the operator passed --private); else the signed-in user's role."""
    if not configured():
        aud = from_config()
        if aud.role == "local" and not config.private_mode():
            why = remote_visit()
            if why:
                return Audience(role="public", k=config.k_threshold(),
                                why=f"No sign-in is configured and {why}: public mode. "
                                    "The operator can serve the private view on purpose "
                                    "with `twinimpact dashboard --private`.")
        return aud
    acc = access()
    claims = _claims()
    if isinstance(acc, str):
        aud = public()
        who = f"Signed in as {claims.get('email') or claims.get('sub')}, but " if claims else ""
        aud = Audience(role="public", k=aud.k, user=(claims or {}).get("email"),
                       why=f"{who}the access file cannot be used ({acc}): public mode.")
    else:
        aud = auth.audience_for(claims, acc, k=config.k_threshold())
    if claims:
        _audit_sign_in(claims, aud)
    return aud


def role_label(aud: Audience) -> str:
    return f"brand:{aud.brand}" if aud.role == "brand" else aud.role


# Sign-ins already recorded by this server: (sub, iat) names one sign-in across the browser
# sessions (tabs, reloads) that its cookie opens.
_seen: set[tuple[str, str]] = set()
_seen_lock = threading.Lock()


def _audit_sign_in(claims: dict, aud: Audience) -> None:
    """One audit row per sign-in, not per page run, tab or reload."""
    key = (str(claims.get("sub")), str(claims.get("iat") or id(st.session_state)))
    if st.session_state.get("_ti_audited") == key:
        return
    st.session_state["_ti_audited"] = key
    with _seen_lock:
        if key in _seen:
            return
        if len(_seen) > 100_000:
            _seen.clear()
        _seen.add(key)
    try:
        audit.record(config.db_path(), user=aud.user or str(claims.get("sub")),
                     role=role_label(aud), action="sign-in", object="dashboard")
    except OSError as exc:  # an unwritable audit store must not lock everyone out
        st.warning(plain(f"Could not record this sign-in in the audit log ({exc.strerror})."))


def record_export(what: str, aud: Audience) -> None:
    """Audit one report export from the dashboard (who, role, which report): `aud` is the
    audience the page resolved (the download runs outside its script run)."""
    try:
        audit.record(config.db_path(), user=aud.user or ("local" if aud.role == "local"
                                                         else "anonymous"),
                     role=role_label(aud), action="report-export", object=what)
    except OSError:
        pass  # the download itself must not fail because the log cannot be written


def sidebar(aud: Audience | None = None) -> None:
    """Sign-in/sign-out (one click each), the signed-in user and role, and why, if public."""
    if not configured():
        return
    aud = aud or audience()
    with st.sidebar:
        if st.user.get("is_logged_in"):
            st.caption(f"Signed in as **{plain(aud.user or '')}** · role "
                       f"**{plain(role_label(aud))}**")
            if aud.why:
                st.info(plain(aud.why), icon=":material/lock:")
            acc = access()
            if aud.role == "admin" and isinstance(acc, auth.Access):
                for problem in acc.problems:  # entries skipped in the access file
                    st.warning(plain(problem))
            st.button("Sign out", on_click=st.logout, key="ti_sign_out",
                      icon=":material/logout:")
        else:
            st.caption("Public mode: small figures are suppressed.")
            if aud.why and "access file" in aud.why:
                st.warning(plain(aud.why))
            if _readable():
                st.button("Sign in", on_click=st.login, key="ti_sign_in",
                          icon=":material/login:")
            else:
                st.error("Sign-in is configured but .streamlit/secrets.toml cannot be read: "
                         "public mode for everyone until an administrator fixes it.")


def _readable() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, OSError, ValueError):
        return False
