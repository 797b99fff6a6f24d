"""Gunicorn's access log without secrets. Personal links (`/<lang>/manage/enter/<token>/`) and
agenda feeds (`/agenda/<token>.ics`) carry their token in the path: it is masked as `<token>`.
Query strings (searches by surname at the desk and in the admin) are dropped. The referrer
gets the same treatment. Used by the Docker image and the compose file:
`gunicorn --logger-class config.gunicorn_logging.AccessLogger`.

A line costs what its format asks for: gunicorn's Logger.access() builds every atom it knows for
each request (the whole environ, every request and response header, each escaped), about
0.35 M instructions, as much as 4 % of a cached page. The atoms of gunicorn's default format
are worked out here one by one as the line is formatted (0.15 M a line); any other atom is
taken from gunicorn's own, masked, as before."""

import traceback

from gunicorn.glogging import Logger  # type: ignore[import-untyped]  # gunicorn has no stubs

from config.log_masking import path_for_log

# The atoms of the access log format that hold a path or an address, in gunicorn's names
# (environ variables as {name}e, request headers as {name}i).
_PATH_ATOMS = ("U", "f", "{raw_uri}e", "{path_info}e", "{http_referer}e", "{referer}i")


def _escaped(value):
    """As gunicorn's SafeAtoms keeps a value: a text's double quotes escaped."""
    return value.replace('"', '\\"') if isinstance(value, str) else value


class _Atoms(dict):
    """The atoms of one access line, each worked out when the format asks for it: the ones of
    gunicorn's default format (h l u t r s b f a) as AccessLogger.atoms() and gunicorn's
    SafeAtoms give them, every other from those two at once (tests/test_gunicorn_logging.py
    checks that both ways give the same values)."""

    def __init__(self, logger: "AccessLogger", resp, req, environ, request_time) -> None:
        super().__init__()
        self.logger = logger
        self.resp, self.req, self.environ, self.request_time = resp, req, environ, request_time
        self.every: dict | None = None

    def __bool__(self) -> bool:
        # logging takes a lone mapping as the format's arguments only if it is true.
        return True

    def __missing__(self, key: str):
        environ = self.environ
        if key == "h":
            value = _escaped(environ.get("REMOTE_ADDR", "-"))
        elif key == "l":
            value = "-"
        elif key == "u":
            value = _escaped(self.logger._get_user(environ) or "-")
        elif key == "t":
            value = _escaped(self.logger.now())
        elif key == "r":
            value = _escaped(self.logger.request_line(environ))
        elif key == "s":
            status = self.resp.status
            value = _escaped(status.split(None, 1)[0] if isinstance(status, str) else status)
        elif key == "b":
            sent = getattr(self.resp, "sent", None)
            value = (sent is not None and str(sent)) or "-"
        elif key == "f":
            value = _escaped(path_for_log(environ.get("HTTP_REFERER", "-")))
        elif key == "a":
            value = _escaped(environ.get("HTTP_USER_AGENT", "-"))
        else:
            if self.every is None:
                self.every = self.logger.atoms_wrapper_class(
                    self.logger.atoms(self.resp, self.req, environ, self.request_time)
                )
            return self.every[key]
        self[key] = value
        return value


class AccessLogger(Logger):
    """Gunicorn's logger, whose access log atoms hold no token and no query string."""

    @staticmethod
    def request_line(environ) -> str:
        """The request line, its path without query string and tokens."""
        path = path_for_log(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        return f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = self.request_line(environ)
        for name in _PATH_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = path_for_log(atoms[name])
        atoms["q"] = ""
        atoms["{query_string}e"] = ""
        return atoms

    def access(self, resp, req, environ, request_time) -> None:
        """Gunicorn's Logger.access, the atoms worked out as the format asks for them."""
        cfg = self.cfg
        if not (
            cfg.accesslog
            or cfg.logconfig
            or cfg.logconfig_dict
            or cfg.logconfig_json
            or (cfg.syslog and not cfg.disable_redirect_access_to_syslog)
        ):
            return
        try:
            self.access_log.info(
                cfg.access_log_format, _Atoms(self, resp, req, environ, request_time)
            )
        except Exception:
            self.error(traceback.format_exc())
