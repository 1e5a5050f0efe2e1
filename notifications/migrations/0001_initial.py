# The notification and e-mail opt-out models move here from actions/. Their tables keep their
# names (actions_notification, actions_emailoptout): this migration only tells Django's state
# that the models now belong to this app; the database is not touched.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables were created by these actions migrations.
        ('actions', '0004_email_opt_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='EmailOptOut',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('verb', models.CharField(max_length=40)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='email_opt_outs', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'actions_emailoptout',
                        'constraints': [models.UniqueConstraint(fields=('user', 'verb'), name='unique_email_opt_out')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('verb', models.CharField(max_length=40)),
                        ('message', models.CharField(max_length=500)),
                        ('url', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'actions_notification',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['user', 'read_at'], name='actions_not_user_id_0db5ae_idx')],
                    },
                ),
            ],
        ),
    ]
