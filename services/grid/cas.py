"""Campus sign-in over CAS (统一身份认证): the grid validates a service ticket with the
campus's CAS server and learns the person's staff or student number.

CAS 2.0 (``/serviceValidate``) and 3.0 (``/p3/serviceValidate``) answer the same XML:
``cas:authenticationSuccess`` with ``cas:user`` (and, in 3.0, ``cas:attributes``), or
``cas:authenticationFailure`` with a code. The number is the ``cas:user`` or, when
``CAMPUS_CAS_ATTRIBUTE`` names one, that attribute. The answer is parsed with defusedxml (no
DTD, no entities: a CAS server is trusted to authenticate, not to run our parser out of
memory). Parsing is pure (``number_from_response``); ``validate_ticket`` adds the one HTTP
call. Each failure is a ``DomainError`` whose Chinese detail the console shows as it is.
Which person the number names, and whether they may sign in, are the sign-in's own rules
(services/grid/login.py), asked by the endpoint (services/grid/api/auth.py).
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from shared.errors import DomainError, Forbidden, Unauthorized, UnprocessableEntity

VALIDATE_PATHS = {"2": "/serviceValidate", "3": "/p3/serviceValidate"}
MAX_ANSWER_BYTES = 256 * 1024  # a validation answer is a few hundred bytes
MAX_NUMBER_LENGTH = 64  # sign_in_names.name
# No proxy from the environment: the CAS server is the campus's own, reached directly.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class TicketRefused(Unauthorized):
    """The CAS server refused the ticket (wrong, used already, expired, other service)."""


class NotRegistered(Forbidden):
    """The CAS knows the person; the platform does not (no one has that number)."""


class CasUnavailable(DomainError):
    status = 502
    title = "Bad Gateway"


class CasTimeout(CasUnavailable):
    status = 504
    title = "Gateway Timeout"


class CasMalformed(CasUnavailable):
    """The answer is not a CAS validation answer we can read."""


REFUSED = "统一身份认证未通过：登录票据无效或已过期，请重新登录"
DOWN = "统一身份认证服务暂时无法访问，请稍后再试或使用密码登录"
SLOW = "统一身份认证服务响应超时，请稍后再试或使用密码登录"
MALFORMED = "统一身份认证服务返回的内容无法识别，请联系安全保卫处"
NOT_REGISTERED = "该统一身份账号未在平台登记，请联系安全保卫处"
SIGN_IN_CLOSED = "该账号未开通登录或登录权限已被收回，请联系安全保卫处"
NOT_CONFIGURED = "本平台未启用统一身份认证，请使用工号/学号和密码登录"


@dataclass(frozen=True)
class CasConfig:
    """The settings' CAS part: server URL, protocol version, attribute, timeout."""

    url: str
    version: str = "3"
    attribute: str = ""  # empty: the CAS user is the number
    timeout_seconds: float = 5.0


def validate_url(config: CasConfig, service: str, ticket: str) -> str:
    path = VALIDATE_PATHS.get(config.version, VALIDATE_PATHS["3"])
    query = urllib.parse.urlencode({"service": service, "ticket": ticket})
    return f"{config.url.rstrip('/')}{path}?{query}"


def check_service(service: str, expected: str) -> None:
    """The ticket must be for this platform's own callback: a ticket issued for another
    service (or a callback elsewhere) is refused before the CAS server is asked."""
    if service != expected:
        reason = "登录回调地址不是本平台的地址"
        raise UnprocessableEntity(
            reason, invalid_params=[{"name": "service", "reason": reason, "location": "json"}]
        )


def _local(tag: str) -> str:
    """An element's name without its namespace (servers differ in prefixes)."""
    return tag.rpartition("}")[2]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def number_from_response(body: bytes, attribute: str = "") -> str:
    """The staff or student number a validation answer carries (the ``cas:user``, or the
    attribute named), or TicketRefused / CasMalformed."""
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise CasMalformed(MALFORMED) from exc
    if _local(root.tag) != "serviceResponse":
        raise CasMalformed(MALFORMED)
    if _child(root, "authenticationFailure") is not None:
        raise TicketRefused(REFUSED)
    success = _child(root, "authenticationSuccess")
    if success is None:
        raise CasMalformed(MALFORMED)
    if attribute:
        attributes = _child(success, "attributes")
        values = [_text(a) for a in (attributes if attributes is not None else [])]
        names = [_local(a.tag) for a in (attributes if attributes is not None else [])]
        number = next((v for n, v in zip(names, values, strict=True) if n == attribute and v), "")
    else:
        number = _text(_child(success, "user"))
    if not number or len(number) > MAX_NUMBER_LENGTH:
        raise CasMalformed(MALFORMED)
    return number


def validate_ticket(config: CasConfig, service: str, ticket: str) -> str:
    """Ask the CAS server whether ``ticket`` signs someone in to ``service``; their number.
    CasTimeout / CasUnavailable when it cannot answer in time."""
    request = urllib.request.Request(
        validate_url(config, service, ticket), headers={"Accept": "application/xml"}
    )
    try:
        with _OPENER.open(request, timeout=config.timeout_seconds) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
    except TimeoutError as exc:
        raise CasTimeout(SLOW) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise CasTimeout(SLOW) from exc
        raise CasUnavailable(DOWN) from exc
    except (OSError, ValueError) as exc:  # reset connection, bad status line, bad URL
        raise CasUnavailable(DOWN) from exc
    if len(body) > MAX_ANSWER_BYTES:
        raise CasMalformed(MALFORMED)
    return number_from_response(body, config.attribute)
