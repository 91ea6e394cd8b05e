"""The database's refusal to change or remove audit entries, one statement per item.

Used by the migration that installs them (and by the test harness, which must lift them to
empty its scratch database between tests).
"""

TABLE = "audit_auditentry"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END""",
    # INSERT OR REPLACE / REPLACE INTO delete the old row without firing DELETE triggers
    # (recursive_triggers is off), so refuse any insert that lands on an existing key.
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_replace BEFORE INSERT ON {TABLE}
WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: replacing an entry refused'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    "DROP TRIGGER IF EXISTS audit_no_replace",
]

POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING
    MESSAGE = 'audit trail is append-only: ' || TG_OP || ' refused',
    ERRCODE = 'integrity_constraint_violation';
END $$""",
    f"""CREATE OR REPLACE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    # Row triggers do not fire on TRUNCATE.
    f"""CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]


def install_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRES_INSTALL}[vendor]


def remove_sql(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRES_REMOVE}[vendor]
