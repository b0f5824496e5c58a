"""`LinkTotal`, kept by triggers on links_onboardinglink (PostgreSQL and SQLite, the two supported)."""

from django.db import migrations, models

from links.triggers import (
    BACKFILL,
    POSTGRESQL,
    POSTGRESQL_REVERSE,
    SQLITE,
    SQLITE_REVERSE,
    run_for_vendor,
)


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
            run_for_vendor({"postgresql": [*POSTGRESQL, BACKFILL], "sqlite": [*SQLITE, BACKFILL]}),
            run_for_vendor({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
