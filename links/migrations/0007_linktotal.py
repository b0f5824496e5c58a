"""`LinkTotal`, kept by triggers on links_onboardinglink (PostgreSQL and SQLite, the two supported)."""

from django.db import migrations, models

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


def _run(statements_by_vendor: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"links.LinkTotal has triggers for PostgreSQL and SQLite, not {vendor}")
        for statement in statements_by_vendor[vendor]:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0006_link_created_index"),
        ("organizations", "0002_branding"),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkTotal",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="organizations.organization",
                    ),
                ),
                ("links", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
