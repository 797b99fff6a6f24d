# Written for the final purge reminder (registrations.privacy.reminder): the outbox's emails
# to a conference's organisers about its retention schedule. The kinds and the constraint
# include those of the webhooks' and visa letters' migrations, which it follows.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0028_visa_letter_emails"),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundemail',
            name='retention_schedule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='registrations.retentionschedule', verbose_name='retention schedule'),
        ),
        migrations.AlterField(
            model_name='outboundemail',
            name='kind',
            field=models.CharField(choices=[('confirmed', 'Registration confirmed'), ('waitlisted', 'Placed on the waiting list'), ('promoted', 'Promoted from the waiting list'), ('cancelled', 'Registration cancelled'), ('already_registered', 'Already registered'), ('session_promoted', 'Place in a session freed up'), ('session_moved', 'Session moved'), ('details_changed', 'Details changed'), ('sessions_changed', 'Sessions changed'), ('management_link', 'Personal link'), ('reminder', 'Reminder before the conference'), ('bulk', 'Message from the organisers'), ('pending', 'Received, pending approval'), ('approved', 'Approved'), ('rejected', 'Not accepted'), ('substituted', 'Replaced by a colleague'), ('delegation', 'Delegation registered'), ('certificate', 'Certificate of attendance'), ('visa_received', 'Visa letter request received'), ('visa_approved', 'Visa letter sent'), ('visa_refused', 'Visa letter refused'), ('webhook_disabled', 'Webhook endpoint disabled'), ('final_purge_reminder', 'Final purge of personal data ahead')], max_length=30, verbose_name='kind'),
        ),
        migrations.RemoveConstraint(
            model_name='outboundemail',
            name='outbound_email_has_a_subject',
        ),
        migrations.AddConstraint(
            model_name='outboundemail',
            constraint=models.CheckConstraint(condition=models.Q(('registration__isnull', False), ('delegation__isnull', False), ('webhook_endpoint__isnull', False), ('retention_schedule__isnull', False), _connector='OR'), name='outbound_email_has_a_subject'),
        ),
    ]
