"""The permissions of registrations, by the names Django checks them with (`user.has_perm`).
Views, the admin and tests use these constants; templates spell them as `perms.registrations.…`.
The groups that hold them are made by migrations (Organisers, Viewers, Registration desk)."""

VIEW_REGISTRATION = "registrations.view_registration"
# Custom permissions, declared in Registration.Meta.permissions.
EXPORT_REGISTRATIONS = "registrations.export_registrations"
VIEW_SPECIAL_NEEDS = "registrations.view_special_needs"
CHECK_IN = "registrations.check_in"
CHANGE_OUTBOUND_EMAIL = "registrations.change_outboundemail"
