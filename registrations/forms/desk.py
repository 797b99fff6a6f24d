"""Forms of the registration desk."""

from django import forms


class CheckInForm(forms.Form):
    registration = forms.CharField(max_length=12)


class UndoForm(forms.Form):
    check_in = forms.IntegerField(min_value=1)
