from django.db import migrations, models


class Migration(migrations.Migration):
    """The signup funnel's columns (links.funnel). Database defaults, so a server still running the
    previous release keeps inserting links while this one rolls out."""

    dependencies = [("links", "0013_link_refresh_url_and_deleted_links")]

    operations = [
        migrations.AddField(
            model_name="onboardinglink",
            name="open_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="onboardinglink",
            name="started_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="onboardinglink",
            name="start_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="onboardinglink",
            name="finished_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="signupattempt",
            name="stopped_at_step",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
    ]
