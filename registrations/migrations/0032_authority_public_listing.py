from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0031_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="authority",
            name="public_listing",
            field=models.CharField(
                choices=[
                    ("by_membership", "As its membership says (members listed)"),
                    ("listed", "Listed"),
                    ("hidden", "Not listed"),
                ],
                default="by_membership",
                help_text=(
                    "Whether the authority is named among those taking part in a conference "
                    "(the public API), once it has a confirmed delegate. Members are listed "
                    "unless marked not listed; others only when marked listed, having agreed to it."
                ),
                max_length=20,
                verbose_name="listed publicly",
            ),
        ),
    ]
