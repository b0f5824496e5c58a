"""LinkTotal is kept on PostgreSQL only: drop the triggers older SQLite databases were given."""

from django.db import migrations

from links.triggers import drop_on_sqlite


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0011_signup_attempt_awaiting_pin"),
    ]

    operations = [
        migrations.RunPython(drop_on_sqlite, migrations.RunPython.noop),
    ]
