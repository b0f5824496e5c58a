"""`LinkTotal`, kept by triggers on links_onboardinglink (PostgreSQL; SQLite counts instead)."""

from django.db import migrations, models

from links.triggers import (
    BACKFILL,
    POSTGRESQL,
    POSTGRESQL_REVERSE,
    on_postgresql,
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
            on_postgresql([*POSTGRESQL, BACKFILL]),
            on_postgresql(POSTGRESQL_REVERSE),
        ),
    ]
