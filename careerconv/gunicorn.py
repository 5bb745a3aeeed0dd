"""gunicorn's configuration for the compose file's web service (`--config python:careerconv.gunicorn`): its own
log lines as JSON too when LOG_FORMAT=json, and no access log of its own (careerconv.requestid logs each request
with its request id, without query strings)."""

import os

accesslog = None
# Nothing to control from inside a container (it is restarted instead), and no socket left in a home folder.
control_socket_disable = True
# Longer than a request may take, so that a restart during an upgrade lets requests in flight finish.
graceful_timeout = 30

if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["console"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": [], "level": "INFO", "propagate": False},
        },
    }
