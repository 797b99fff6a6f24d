"""Organisers' messages to delegates, written in each language of the site
(django-modeltranslation: a column per language); each delegate gets theirs."""

from modeltranslation.translator import TranslationOptions, register

from registrations.models import BulkEmail, Question, QuestionChoice


@register(BulkEmail)
class BulkEmailTranslationOptions(TranslationOptions):
    fields = ("subject", "body")


@register(Question)
class QuestionTranslationOptions(TranslationOptions):
    fields = ("label", "help_text")


@register(QuestionChoice)
class QuestionChoiceTranslationOptions(TranslationOptions):
    fields = ("label",)
