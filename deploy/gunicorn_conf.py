"""gunicorn settings shared by every service (override on the command line).

Used by `campus-safety run`, docker-compose and the systemd units:
    gunicorn --config python:deploy.gunicorn_conf 'services.hazards:create_app()'
"""

import os

from shared.config import trusted_proxies_from_environment

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 10000
max_requests_jitter = 500
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
# gunicorn's control socket defaults to one shared path (~/.gunicorn/gunicorn.ctl): the five
# web processes of a host (four services and the console) would fight over it.
control_socket_disable = True
# What gunicorn itself refuses, before the app, with a plain-text 400 (not problem+json):
# a request line or a header line over 8190 bytes, more than 100 headers. The shipped nginx
# refuses long URLs and headers first (8 KB) with problem+json; only a client on the server
# itself meets these (docs/operations.md, "Limits a client meets").
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100
# X-Forwarded-Proto (and SCRIPT_NAME) only from the peers the apps trust for
# X-Forwarded-For: CAMPUS_TRUSTED_PROXIES, read as the apps read it (shared.config; by
# default nginx's proxy_bind address, shared.client_ip.PROXY_SOURCE).
# gunicorn wants one comma-separated string here (a list is refused at start-up).
forwarded_allow_ips = ",".join(
    address.strip() for address in trusted_proxies_from_environment().split(",") if address.strip()
)
