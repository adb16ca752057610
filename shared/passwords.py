"""How strong a sign-in password must be, and the refusal of too many wrong ones: one rule
for the grid's people and the province's staff alike (services/grid/login.py,
services/province/login.py)."""

from __future__ import annotations

from shared.errors import DomainError

MIN_PASSWORD_LENGTH = 8


class TooManyAttempts(DomainError):
    """Sign-in refused for a while (429 with Retry-After): too many wrong passwords."""

    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class WeakPassword(DomainError):
    status = 422
    title = "Password too weak"


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.isdigit() or password.isalpha():
        raise WeakPassword(
            f"密码至少 {MIN_PASSWORD_LENGTH} 位，且须同时含有字母和数字（或其他字符）",
            invalid_params=[{"name": "password", "reason": "密码太弱", "location": "json"}],
        )
