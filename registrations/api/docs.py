"""The documentation page: Swagger UI from drf-spectacular-sidecar's static files (no CDN).
Its setup script is served as a file of its own (the split view), so that the site's strict
Content-Security-Policy (scripts from the site only) needs no exception."""

from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny


class ApiDocsView(SpectacularSwaggerSplitView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    url_name = "api:openapi"
    # drf-spectacular's page, with the request's CSP nonce on its one inline <style>.
    template_name = "registrations/api/swagger_ui.html"
    title = "Conference registration API"
