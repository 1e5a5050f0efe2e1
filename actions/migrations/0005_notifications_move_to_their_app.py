# Notification and EmailOptOut now belong to the notifications app, which took over their tables
# (notifications 0001). Only Django's state forgets them here; the tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0004_email_opt_out'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name='notification', name='user'),
                migrations.DeleteModel(name='EmailOptOut'),
                migrations.DeleteModel(name='Notification'),
            ],
        ),
    ]
