"""The OpenAPI document: every operation lists the problem details it may answer with, so that
clients (and schemathesis) can rely on every response matching the document."""

from drf_spectacular.openapi import AutoSchema

from registrations.api.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer

PROBLEM_DESCRIPTIONS = {
    "400": "The request is not valid (field errors in `errors`).",
    "401": "No token, or an invalid, expired or revoked one.",
    "403": "The token's scopes or its user's permissions do not allow this.",
    "404": "No such conference, registration, session or check-in.",
    "409": (
        "A rule refused the change (registration closed, no places left, a clash, a visit "
        "that asks for identity data…)."
    ),
    "429": "Too many requests: wait for the time in Retry-After.",
}


class ApiAutoSchema(AutoSchema):
    def get_description(self) -> str:
        # The views' docstrings are written for this code's readers; operations describe
        # themselves with their summary (and a description where one is given).
        return ""

    def get_tags(self) -> list[str]:
        if not self.view.get_authenticators():
            return ["public"]
        return ["check-in" if "check-ins" in self.path else "registrations"]

    def _problem_statuses(self) -> list[str]:
        public = not self.view.get_authenticators()
        statuses = ["400", "404", "429"]
        if not public:
            statuses += ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            statuses.append("409")
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if not self.view.get_authenticators() and self.method == "GET":
            responses["304"] = {"description": "Not modified since the ETag or date given."}
        for status_code in self._problem_statuses():
            if status_code in responses:
                continue
            response = self._get_response_for_code(
                ProblemSerializer, status_code, media_types=[PROBLEM_CONTENT_TYPE]
            )
            response["description"] = PROBLEM_DESCRIPTIONS[status_code]
            responses[status_code] = response
        return responses


# Django's slug converter, and what DRF's cursors are made of (base64, URL-quoted).
PATH_PATTERNS = {"slug": r"^[-a-zA-Z0-9_]+$", "reference": r"^[-a-zA-Z0-9_]+$"}
CURSOR_PATTERN = r"^[A-Za-z0-9%=_-]*$"


def parameter_patterns(result: dict, generator, request, public) -> dict:
    """Path and cursor parameters take only what their converters match (a postprocessing hook):
    other characters never reach the views."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in PATH_PATTERNS:
                    parameter["schema"]["pattern"] = PATH_PATTERNS[parameter["name"]]
                elif parameter["in"] == "query" and parameter["name"] == "cursor":
                    parameter["schema"]["pattern"] = CURSOR_PATTERN
    return result
