"""The signature of a webhook request, as the README's API section describes it to receivers:
HMAC-SHA256, keyed with the endpoint's secret, over the timestamp, a full stop and the exact
body; in hexadecimal, after "sha256=". The timestamp (Unix seconds, its own header) is signed
too, so a receiver that refuses old timestamps also refuses a recorded request played again."""

import hashlib
import hmac
import secrets

WEBHOOK_ID_HEADER = "Webhook-Id"
WEBHOOK_EVENT_HEADER = "Webhook-Event"
WEBHOOK_TIMESTAMP_HEADER = "Webhook-Timestamp"
WEBHOOK_SIGNATURE_HEADER = "Webhook-Signature"


def webhook_secret_new() -> str:
    """A secret with 256 bits of randomness, safe to paste into a configuration file."""
    return f"whsec_{secrets.token_urlsafe(32)}"


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_signature_valid(*, secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """What a receiver does (in constant time); the tests' receiver uses it."""
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, signature)
