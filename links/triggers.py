"""The PostgreSQL triggers that keep `LinkTotal` (see links.models.LinkTotal), for the migrations
that install them. On SQLite there are none: links.selectors.link_total simply counts.
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

# Installed on SQLite by migration 0007 before LinkTotal became PostgreSQL-only; 0012 drops them.
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS links_total_inserted",
    "DROP TRIGGER IF EXISTS links_total_deleted",
    "DROP TRIGGER IF EXISTS links_total_moved",
]

BACKFILL = """
    INSERT INTO links_linktotal (organization_id, links)
    SELECT organization_id, count(*) FROM links_onboardinglink GROUP BY organization_id
"""


def on_postgresql(statements: list[str]):
    """A RunPython function executing `statements` on PostgreSQL; elsewhere (SQLite) nothing."""

    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


def drop_on_sqlite(apps, schema_editor) -> None:
    """Older SQLite databases got the triggers too: drop them and their totals (SQLite counts)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in SQLITE_REVERSE:
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DELETE FROM links_linktotal", params=None)
