"""Gunicorn's access log without secrets. Personal links (`/<lang>/manage/enter/<token>/`) and
agenda feeds (`/agenda/<token>.ics`) carry their token in the path: it is masked as `<token>`.
Query strings (searches by surname at the desk and in the admin) are dropped. The referrer
gets the same treatment. Used by the Docker image and the compose file:
`gunicorn --logger-class config.gunicorn_logging.AccessLogger`."""

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn has no stubs

from config.log_masking import path_for_log

# The atoms of the access log format that hold a path or an address, in gunicorn's names
# (environ variables as {name}e, request headers as {name}i).
_PATH_ATOMS = ("U", "f", "{raw_uri}e", "{path_info}e", "{http_referer}e", "{referer}i")


class AccessLogger(Logger):
    """Gunicorn's logger, whose access log atoms hold no token and no query string."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = path_for_log(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["r"] = f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"
        for name in _PATH_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = path_for_log(atoms[name])
        atoms["q"] = ""
        atoms["{query_string}e"] = ""
        return atoms
