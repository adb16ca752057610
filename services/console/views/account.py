"""Sign-in and sign-out (grid's /auth/login), changing one's own password."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from services.console import auth
from services.console.client import ServiceError, call
from services.console.views.common import api, flash_error, safe_next

blp = Blueprint("auth", __name__)
ATTEMPT_HOURS = (1, 6, 24)


@blp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"))
    error = None
    status = 200
    if request.method == "POST":
        account = (request.form.get("login") or "").strip()
        password = request.form.get("password") or ""
        if not account or not password:
            asked = "账号" if auth.province_mode() else "工号/学号"
            error, status = f"请输入{asked}和密码", 422
        else:
            try:
                reply = call(
                    auth.sign_in_service(),
                    "POST",
                    "/auth/login",
                    token=None,
                    json_body={"login": account, "password": password},
                )
            except ServiceError as exc:
                status = exc.status if exc.status in (401, 403, 429) else 503
                if exc.status == 429:
                    error = _too_many(exc)
                elif exc.status == 401:
                    error = "账号或密码错误"
                elif exc.status == 403:
                    error = "该账号尚未分配角色，请联系安全保卫处"
                else:
                    error = "登录服务暂时无法访问，请稍后再试"
            else:
                auth.sign_in(reply.json())
                # ``next`` is a path inside the console: under CONSOLE_URL_PREFIX, below it.
                return redirect(request.script_root + target)
    elif request.args.get("expired"):
        flash("登录已过期，请重新登录", "info")
    return render_template("login.html", error=error, next=target), status


def _too_many(exc: ServiceError) -> str:
    wait = int(exc.problem.get("retry_after") or 60)
    return f"登录失败次数过多，请 {max(1, -(-wait // 60))} 分钟后再试"


# The grid's answers to a CAS ticket whose Chinese reason the page shows (services/grid/cas.py).
CAS_REFUSALS = (401, 403, 404, 422, 429, 502, 504)
CAS_FAILED = "统一身份认证登录未能完成，请稍后再试或使用密码登录"


@blp.route("/login/cas")
def cas():
    """Campus sign-in (统一身份认证): without a ticket the browser goes to the CAS server;
    back with one, the grid validates it and the session starts as for a password."""
    if not auth.cas_enabled():
        return redirect(url_for("auth.login"))
    ticket = request.args.get("ticket", "")
    target = auth.cas_returned() if ticket else None
    if target is None:
        return redirect(auth.cas_login_url(safe_next(request.args.get("next"))))
    try:
        auth.cas_sign_in(ticket)
    except ServiceError as exc:
        status = exc.status if exc.status in CAS_REFUSALS else 503
        error = (
            exc.detail if exc.status in CAS_REFUSALS and not exc.detail.isascii() else CAS_FAILED
        )
        error = _too_many(exc) if exc.status == 429 else error
        return render_template("login.html", error=error, next=target), status
    return redirect(request.script_root + target)


@blp.route("/logout", methods=["POST"])
def logout():
    """Sign out for good: the grid revokes the token, so neither a copy of this cookie nor
    the token itself works any more (services/console/auth.py)."""
    token = session.get("token")
    if token:
        auth.forget(token)
        try:
            call(auth.sign_in_service(), "POST", "/auth/logout", token=token)
        except ServiceError as exc:  # expired already (401), or the grid is unreachable
            if exc.status != 401:
                current_app.logger.warning("sign-out not recorded by the grid: %s", exc)
    session.clear()
    flash("您已安全退出", "info")
    return redirect(url_for("auth.login"))


@blp.route("/account/password", methods=["GET", "POST"])
def password():
    if auth.province_mode():  # the province's staff get new passwords from its operator
        abort(404)
    if request.method == "POST":
        new = request.form.get("new_password") or ""
        if new != (request.form.get("confirm_password") or ""):
            flash("两次输入的新密码不一致", "error")
        else:
            try:
                api(
                    "grid",
                    "POST",
                    "/auth/password",
                    json_body={
                        "current_password": request.form.get("current_password") or "",
                        "new_password": new,
                    },
                )
            except ServiceError as exc:
                if exc.status == 401:
                    flash("当前密码不正确", "error")
                else:
                    flash_error(exc)
            else:
                # The grid revoked every token signed in with the old password, this one too.
                auth.forget(session.get("token") or "")
                session.clear()
                flash("密码已修改，请用新密码重新登录", "success")
                return redirect(url_for("auth.login"))
    return render_template("password.html")


@blp.route("/security/sign-in-attempts")
def attempts():
    """The security office's view of failed sign-ins (grid ``GET /auth/attempts``: others
    get the grid's 403)."""
    if auth.province_mode():
        abort(404)
    hours = request.args.get("hours", type=int) or 24
    hours = hours if hours in ATTEMPT_HOURS else 24
    groups = api("grid", "GET", "/auth/attempts", params={"hours": hours}).json()
    return render_template("sign_in_attempts.html", groups=groups, hours=hours)


@blp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)
