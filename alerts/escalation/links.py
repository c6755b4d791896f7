"""Signed one-tap links: "I'm handling it" for one contact and one alarm (itsdangerous).

The token names the alarm and the contact and expires; the web route shows a confirmation page
(GET never changes anything: SMS apps and mail scanners open links on their own) and accepts on
POST with actor `family:<contact_id>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "anju-accept-v1"
DEFAULT_MAX_AGE_S = 24 * 3600


class LinkError(ValueError):
    """A link that is forged, altered or too old."""


@dataclass(frozen=True, slots=True)
class LinkClaim:
    alarm_id: str
    contact_id: str


class LinkSigner:
    def __init__(self, secret: str, base_url: str, *, max_age_s: int = DEFAULT_MAX_AGE_S) -> None:
        if len(secret) < 16:
            raise ValueError("the link secret must have at least 16 characters")
        self._s = URLSafeTimedSerializer(secret, salt=SALT)
        self.base_url = base_url.rstrip("/")
        self.max_age_s = max_age_s

    def token(self, alarm_id: str, contact_id: str) -> str:
        return str(self._s.dumps({"a": alarm_id, "c": contact_id}))

    def url(self, alarm_id: str, contact_id: str) -> str:
        return f"{self.base_url}/l/{self.token(alarm_id, contact_id)}"

    def verify(self, token: str) -> LinkClaim:
        try:
            data = self._s.loads(token, max_age=self.max_age_s)
        except SignatureExpired as exc:
            raise LinkError("the link has expired") from exc
        except BadSignature as exc:
            raise LinkError("the link is not valid") from exc
        if not isinstance(data, dict) or not {"a", "c"} <= data.keys():
            raise LinkError("the link is not valid")
        return LinkClaim(str(data["a"]), str(data["c"]))
