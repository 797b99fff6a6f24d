"""Webhook endpoints, their deliveries and the log of attempts; the outbox's emails to organisers
about an endpoint. Organisers may do everything with them (0012's group); Viewers nothing: an
endpoint holds its secret, and the log what the organisers' systems answered."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from registrations.migrations._group_permissions import group_permissions

MODELS = ["webhookendpoint", "webhookdelivery", "webhookdeliveryattempt"]


grant, revoke = group_permissions(MODELS)


class Migration(migrations.Migration):

    dependencies = [
        ("registrations", "0022_api_tokens"),
        ('conference', '0005_translations'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('delivery_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='delivery id')),
                ('event', models.CharField(choices=[('registration.created', 'Registration created'), ('registration.confirmed', 'Registration confirmed'), ('registration.waitlisted', 'Registration on the waiting list'), ('registration.cancelled', 'Registration cancelled'), ('registration.updated', 'Registration updated'), ('checkin.created', 'Delegate checked in'), ('webhook.test', 'Test event')], max_length=40, verbose_name='event')),
                ('payload', models.JSONField(verbose_name='payload')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending (unconfirmed)'), ('delivered', 'Delivered'), ('failed', 'Failed'), ('withdrawn', 'Withdrawn')], default='queued', max_length=10, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next attempt at')),
                ('sending_started_at', models.DateTimeField(blank=True, null=True, verbose_name='sending started at')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered at')),
            ],
            options={
                'verbose_name': 'webhook delivery',
                'verbose_name_plural': 'webhook deliveries',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='WebhookDeliveryAttempt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='attempt')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('duration_ms', models.PositiveIntegerField(verbose_name='duration (ms)')),
                ('status_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='status code')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('response_body', models.TextField(blank=True, verbose_name='response (start)')),
            ],
            options={
                'verbose_name': 'delivery attempt',
                'verbose_name_plural': 'delivery attempts',
                'ordering': ['delivery', 'number'],
            },
        ),
        migrations.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('url', models.URLField(max_length=500, verbose_name='URL')),
                ('description', models.CharField(blank=True, max_length=200, verbose_name='description')),
                ('secret', models.CharField(editable=False, max_length=128, verbose_name='secret')),
                ('events', models.JSONField(default=list, verbose_name='events')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('consecutive_failures', models.PositiveIntegerField(default=0, verbose_name='consecutive failed deliveries')),
                ('disabled_at', models.DateTimeField(blank=True, null=True, verbose_name='disabled at')),
                ('disabled_reason', models.CharField(blank=True, max_length=200, verbose_name='why disabled')),
            ],
            options={
                'verbose_name': 'webhook endpoint',
                'verbose_name_plural': 'webhook endpoints',
                'ordering': ['conference', 'url', 'pk'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='outboundemail',
            name='outbound_email_has_a_subject',
        ),
        migrations.AlterField(
            model_name='outboundemail',
            name='kind',
            field=models.CharField(choices=[('confirmed', 'Registration confirmed'), ('waitlisted', 'Placed on the waiting list'), ('promoted', 'Promoted from the waiting list'), ('cancelled', 'Registration cancelled'), ('already_registered', 'Already registered'), ('session_promoted', 'Place in a session freed up'), ('session_moved', 'Session moved'), ('details_changed', 'Details changed'), ('sessions_changed', 'Sessions changed'), ('management_link', 'Personal link'), ('reminder', 'Reminder before the conference'), ('bulk', 'Message from the organisers'), ('pending', 'Received, pending approval'), ('approved', 'Approved'), ('rejected', 'Not accepted'), ('substituted', 'Replaced by a colleague'), ('delegation', 'Delegation registered'), ('certificate', 'Certificate of attendance'), ('webhook_disabled', 'Webhook endpoint disabled')], max_length=30, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='registration',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='webhook_deliveries', to='registrations.registration', verbose_name='registration'),
        ),
        migrations.AddField(
            model_name='webhookdeliveryattempt',
            name='delivery',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attempt_log', to='registrations.webhookdelivery', verbose_name='delivery'),
        ),
        migrations.AddField(
            model_name='webhookendpoint',
            name='conference',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhook_endpoints', to='conference.conference', verbose_name='conference'),
        ),
        migrations.AddField(
            model_name='webhookendpoint',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='endpoint',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='registrations.webhookendpoint', verbose_name='endpoint'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='webhook_endpoint',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='registrations.webhookendpoint', verbose_name='webhook endpoint'),
        ),
        migrations.AddConstraint(
            model_name='outboundemail',
            constraint=models.CheckConstraint(condition=models.Q(('registration__isnull', False), ('delegation__isnull', False), ('webhook_endpoint__isnull', False), _connector='OR'), name='outbound_email_has_a_subject'),
        ),
        migrations.AddIndex(
            model_name='webhookdelivery',
            index=models.Index(fields=['status', 'next_attempt_at'], name='registratio_status_8b51c1_idx'),
        ),
        migrations.RunPython(grant, revoke),
    ]
