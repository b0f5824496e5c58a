# A rotated secret's predecessor, signing beside it during the grace period (webhooks.rotation).

import core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0003_organization_names_refuse_disguising_characters'),
        ('wabas', '0003_waba_token_lifetime'),
        ('webhooks', '0003_delivery_succeeded_recent_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='outgoingwebhook',
            name='previous_secret',
            field=core.crypto.EncryptedTextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='outgoingwebhook',
            name='previous_secret_expires_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='outgoingwebhook',
            index=models.Index(condition=models.Q(('previous_secret_expires_at__isnull', False)), fields=['previous_secret_expires_at'], name='webhook_previous_secret_expiry'),
        ),
    ]
