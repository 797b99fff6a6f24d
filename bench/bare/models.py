from django.db import models


class BareSignUp(models.Model):
    """The one row the bare form writes."""

    name = models.CharField(max_length=100)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
