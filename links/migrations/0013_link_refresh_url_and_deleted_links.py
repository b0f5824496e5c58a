import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """A link's refreshUrl, and what is kept of a deleted link that had one (links.refresh)."""

    dependencies = [
        ("links", "0012_linktotal_postgresql_only"),
        ("organizations", "0003_organization_names_refuse_disguising_characters"),
    ]

    operations = [
        migrations.AddField(
            model_name="onboardinglink",
            name="refresh_url",
            field=models.CharField(blank=True, max_length=2048, null=True),
        ),
        migrations.CreateModel(
            name="DeletedLink",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        editable=False, help_text="The deleted link's id.", primary_key=True, serialize=False
                    ),
                ),
                ("external_id", models.CharField(blank=True, max_length=255, null=True)),
                ("refresh_url", models.CharField(max_length=2048)),
                ("deleted_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="organizations.organization"
                    ),
                ),
            ],
        ),
    ]
