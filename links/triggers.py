"""The triggers that keep `LinkTotal` (see links.models.LinkTotal), for the migrations that install them.

SQLite drops a table's triggers whenever a migration rebuilds that table (most `AlterField`s on
SQLite do): every migration that alters links_onboardinglink must end with
`RunPython(reinstall_on_sqlite, noop)`. `links/tests/test_link_total.py` fails if one forgets.
"""

POSTGRESQL = [
    """
    CREATE FUNCTION links_total_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO links_linktotal (organization_id, links)
        SELECT organization_id, count(*) FROM new_rows GROUP BY organization_id ORDER BY organization_id
        ON CONFLICT (organization_id) DO UPDATE SET links = links_linktotal.links + EXCLUDED.links;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION links_total_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE links_linktotal t SET links = t.links - gone.n
        FROM (SELECT organization_id, count(*) AS n FROM old_rows GROUP BY organization_id) gone
        WHERE t.organization_id = gone.organization_id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION links_total_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.organization_id IS DISTINCT FROM OLD.organization_id THEN
            UPDATE links_linktotal SET links = links - 1 WHERE organization_id = OLD.organization_id;
            INSERT INTO links_linktotal (organization_id, links) VALUES (NEW.organization_id, 1)
            ON CONFLICT (organization_id) DO UPDATE SET links = links_linktotal.links + 1;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER links_total_inserted AFTER INSERT ON links_onboardinglink
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION links_total_inserted()
    """,
    """
    CREATE TRIGGER links_total_deleted AFTER DELETE ON links_onboardinglink
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION links_total_deleted()
    """,
    """
    CREATE TRIGGER links_total_moved AFTER UPDATE OF organization_id ON links_onboardinglink
    FOR EACH ROW EXECUTE FUNCTION links_total_moved()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS links_total_inserted ON links_onboardinglink",
    "DROP TRIGGER IF EXISTS links_total_deleted ON links_onboardinglink",
    "DROP TRIGGER IF EXISTS links_total_moved ON links_onboardinglink",
    "DROP FUNCTION IF EXISTS links_total_inserted()",
    "DROP FUNCTION IF EXISTS links_total_deleted()",
    "DROP FUNCTION IF EXISTS links_total_moved()",
]

SQLITE = [
    """
    CREATE TRIGGER links_total_inserted AFTER INSERT ON links_onboardinglink BEGIN
        INSERT INTO links_linktotal (organization_id, links) VALUES (NEW.organization_id, 1)
        ON CONFLICT (organization_id) DO UPDATE SET links = links + 1;
    END
    """,
    """
    CREATE TRIGGER links_total_deleted AFTER DELETE ON links_onboardinglink BEGIN
        UPDATE links_linktotal SET links = links - 1 WHERE organization_id = OLD.organization_id;
    END
    """,
    """
    CREATE TRIGGER links_total_moved AFTER UPDATE OF organization_id ON links_onboardinglink
    WHEN NEW.organization_id IS NOT OLD.organization_id BEGIN
        UPDATE links_linktotal SET links = links - 1 WHERE organization_id = OLD.organization_id;
        INSERT INTO links_linktotal (organization_id, links) VALUES (NEW.organization_id, 1)
        ON CONFLICT (organization_id) DO UPDATE SET links = links + 1;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS links_total_inserted",
    "DROP TRIGGER IF EXISTS links_total_deleted",
    "DROP TRIGGER IF EXISTS links_total_moved",
]

BACKFILL = """
    INSERT INTO links_linktotal (organization_id, links)
    SELECT organization_id, count(*) FROM links_onboardinglink GROUP BY organization_id
"""


def run_for_vendor(statements_by_vendor: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"links.LinkTotal has triggers for PostgreSQL and SQLite, not {vendor}")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return run


def reinstall_on_sqlite(apps, schema_editor) -> None:
    """After a table rebuild on SQLite: the triggers again, and the totals recounted."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in SQLITE_REVERSE + SQLITE:
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DELETE FROM links_linktotal", params=None)
    schema_editor.execute(BACKFILL, params=None)
