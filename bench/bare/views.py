from django import forms
from django.shortcuts import redirect, render

from bench.bare.models import BareSignUp


class BareSignUpForm(forms.ModelForm):
    class Meta:
        model = BareSignUp
        fields = ["name", "email"]


def sign_up(request):
    form = BareSignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("done")
    return render(request, "bare/form.html", {"form": form})


def page(request):
    return render(request, "bare/page.html", {"items": range(20)})
