"""Sign-in → role (dashboard.auth) and the audit side store folded into meta.audit."""

from pathlib import Path

import duckdb
import pytest

from dashboard.audience import Audience
from dashboard.auth import Access, AccessError, audience_for, load_access, parse_access, role_for
from etl import audit, warehouse

ACCESS = """
[users]
"Researcher@Union.example" = "union"
"esg@brand-one.example" = "brand:BR01"
"data@union.example" = "admin"
"odd@x.example" = "superuser"
[domains]
"union.example" = "union"
"""


def test_parse_access_roles_and_skipped_entries():
    acc = parse_access(ACCESS, where="roles.toml")
    assert acc.users == {"researcher@union.example": "union", "esg@brand-one.example": "brand:BR01",
                         "data@union.example": "admin"}
    assert acc.domains == {"union.example": "union"}
    assert acc.problems == ("roles.toml: [users] 'odd@x.example' has unknown role 'superuser' "
                            "(use union, admin or brand:ID); entry ignored",)


def test_bad_toml_and_bad_section_are_clear_errors(tmp_path):
    with pytest.raises(AccessError, match=r"^roles.toml: not valid TOML"):
        parse_access("[users\n", where="roles.toml")
    with pytest.raises(AccessError, match=r"\[users\] must be a table"):
        parse_access('users = "admin"', where="roles.toml")
    with pytest.raises(AccessError, match="cannot read it"):
        load_access(tmp_path / "missing.toml")
    assert load_access(None) == Access()  # TWINIMPACT_ACCESS unset: nobody has a role


def test_role_for_verified_email_then_verified_domain_only():
    acc = parse_access(ACCESS)
    assert role_for({"email": "ESG@brand-one.example", "email_verified": True}, acc) \
        == "brand:BR01"
    assert role_for({"email": "someone@union.example", "email_verified": True}, acc) == "union"
    # an exact address and a domain apply only when the provider vouches for the address:
    # with self-registration anyone could claim the admin's e-mail
    for claims in ({"email": "data@union.example", "email_verified": False},
                   {"email": "data@union.example"},
                   {"email": "someone@union.example", "email_verified": False},
                   {"email": "someone@union.example"}, {"sub": "no-email"}):
        assert role_for(claims, acc) is None, claims


def test_audience_for_each_case():
    acc = parse_access(ACCESS)
    assert audience_for(None, acc, k=5) == Audience(role="public", k=5,
                                                    why="Not signed in: public mode.")
    assert audience_for({"email": "esg@brand-one.example", "email_verified": True}, acc,
                        k=5) == Audience(role="brand", k=None, brand="BR01",
                                         user="esg@brand-one.example")
    assert audience_for({"email": "data@union.example", "email_verified": True}, acc,
                        k=5) == Audience(role="admin", k=None, user="data@union.example")
    nobody = audience_for({"email": "x@elsewhere.example", "email_verified": True}, acc, k=7)
    assert (nobody.role, nobody.k, nobody.user) == ("public", 7, "x@elsewhere.example")
    assert nobody.why.startswith("Signed in as x@elsewhere.example, which has no role")
    assert audience_for({"email": "data@union.example", "email_verified": True},
                        acc).can_upload
    unverified = audience_for({"email": "data@union.example"}, acc, k=5)
    assert (unverified.role, unverified.can_upload) == ("public", False)


def test_audit_rows_fold_into_meta_audit_on_publish(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    audit.record(db, user="a@x.example", role="admin", action="sign-in", object="dashboard")
    audit.record(db, user="a@x.example", role="admin", action="upload",
                 object="twins: t.csv", result="ok")
    with warehouse.writer(db, fresh=True):
        pass
    audit.record(db, user="cli", role="local", action="report-export", object="BR01")
    with warehouse.writer(db):  # folding twice adds only the new row
        pass
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute('select "user", role, action, object, result from meta.audit '
                           "order by occurred_at").fetchall()
    assert rows == [("a@x.example", "admin", "sign-in", "dashboard", "ok"),
                    ("a@x.example", "admin", "upload", "twins: t.csv", "ok"),
                    ("cli", "local", "report-export", "BR01", "ok")]
    full = audit.read(db)
    assert list(full["action"]) == ["report-export", "upload", "sign-in"]  # newest first
    # a torn last line (a crash mid-append) is skipped, not fatal
    with open(audit.store(db), "a") as fh:
        fh.write('{"id": "x", "at"')
    assert len(audit.read(db)) == 3
