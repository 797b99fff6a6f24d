"""Organisers' messages to delegates, written in each language of the site
(django-modeltranslation: a column per language); each delegate gets theirs."""

from modeltranslation.translator import TranslationOptions, register

from registrations.models import BulkEmail


@register(BulkEmail)
class BulkEmailTranslationOptions(TranslationOptions):
    fields = ("subject", "body")
