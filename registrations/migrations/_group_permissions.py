"""The grant and revoke steps of the migrations that give new models' permissions to the staff
groups: Organisers get every permission of the models, Viewers the view permissions named.
A module of the migrations (its leading underscore keeps Django from taking it for one), so it
stays as frozen as they are; later migrations write a new helper rather than change this one."""

from django.contrib.auth.management import create_permissions


def group_permissions(models: list[str], viewers: list[str] = ()):
    """(grant, revoke) for migrations.RunPython: the permissions of `models` (model names in
    lower case) to Organisers, and the codenames in `viewers` to Viewers."""

    def permissions_of(apps, db):
        Permission = apps.get_model("auth", "Permission")
        return Permission.objects.using(db).filter(
            content_type__app_label="registrations", content_type__model__in=models
        )

    def grant(apps, schema_editor):
        db = schema_editor.connection.alias
        # Permissions are created after migrate by default; these are needed now.
        app_config = apps.get_app_config("registrations")
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
        app_config.models_module = None

        Group = apps.get_model("auth", "Group")
        permissions = permissions_of(apps, db)
        for group in Group.objects.using(db).filter(name="Organisers"):
            group.permissions.add(*permissions)
        if viewers:
            for group in Group.objects.using(db).filter(name="Viewers"):
                group.permissions.add(*permissions.filter(codename__in=viewers))

    def revoke(apps, schema_editor):
        db = schema_editor.connection.alias
        Group = apps.get_model("auth", "Group")
        permissions = permissions_of(apps, db)
        for group in Group.objects.using(db).filter(name__in=["Organisers", "Viewers"]):
            group.permissions.remove(*permissions)

    return grant, revoke
