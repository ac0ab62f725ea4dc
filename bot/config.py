"""Configuration: one frozen dataclass read from the environment and validated once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

TOKEN_RE = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,}$")
SECRET_FIELDS = {"token", "hash_secret", "webhook_secret"}
SECRET_ENV = ("TELEGRAM_BOT_TOKEN", "BOT_HASH_SECRET", "BOT_WEBHOOK_SECRET")
# Anything shaped like a bot token, even when pasted into the wrong variable.
TOKEN_SHAPE = re.compile(r"\d{3,15}:[A-Za-z0-9_-]{30,}")
# The token's part after the colon is the secret; it is hidden on its own too (a URL may
# carry the token with the colon percent-encoded) once it is long enough not to be a
# common word. Other secrets are hidden once they are this long.
MIN_HIDDEN_PART = 8
REDACTED = "<redacted>"


def hidden_values(token: str, *secrets: str | None) -> list[str]:
    """The strings never to show: the token, its secret part, and the other secrets; longest first."""
    part = token.partition(":")[2]
    values = {token, *secrets, part if len(part) >= MIN_HIDDEN_PART else None}
    return sorted((v for v in values if v), key=len, reverse=True)


def env_hidden_values(env: Mapping[str, str]) -> list[str]:
    token, *secrets = (env.get(name, "").strip() for name in SECRET_ENV)
    return hidden_values(token, *secrets, db_password(env.get("BOT_DB_URL", "").strip()))


def db_password(url: str | None) -> str | None:
    """The password inside a database URL, if any (never shown)."""
    if not url:
        return None
    try:
        return urlsplit(url).password or None
    except ValueError:
        return None


def describe_db(url: str) -> str:
    """host:port/database of a database URL: how messages name the database (no user, no password)."""
    parts = urlsplit(url)
    return f"postgresql://{parts.hostname or ''}:{parts.port or 5432}{parts.path}"


def redact_url(url: str) -> str:
    """A database URL with its password replaced by the marker."""
    password = db_password(url)
    if not password:
        return url
    head, _, tail = url.rpartition("@")
    user = head.partition("://")[2].partition(":")[0]
    return f"{url.partition('://')[0]}://{user}:{REDACTED}@{tail}"


def scrub(text: str, hidden: list[str]) -> str:
    """The text with every hidden value (in any letter case) and anything token-shaped replaced."""
    for value in hidden:
        text = re.sub(re.escape(value), REDACTED, text, flags=re.IGNORECASE)
    return TOKEN_SHAPE.sub(REDACTED, text)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable, never a secret value."""


@dataclass(frozen=True)
class Config:
    token: str = field(default="", repr=False)
    api_base_url: str | None = None
    db_path: Path = Path("data/tanya-netral.sqlite3")
    hash_secret: str | None = field(default=None, repr=False)
    curators: frozenset[int] = frozenset()
    retention_days: int = 365
    knowledge_dir: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "telegram"
    webhook_secret: str | None = field(default=None, repr=False)
    flood_per_minute: int = 20
    log_level: str = "INFO"
    learn_approvals: int = 1  # curators who must approve a taught phrasing before the bot uses it
    send_window: int = 1
    # PostgreSQL instead of the SQLite file at db_path: replicas share it (bot.questionlog.postgres).
    db_url: str | None = field(default=None, repr=False)
    replica_timeout: int = 15  # seconds without a heartbeat before a replica's updates are taken over

    def hidden(self) -> list[str]:
        """Every value never to show (log lines, error messages, `config`)."""
        return hidden_values(self.token, self.hash_secret, self.webhook_secret, db_password(self.db_url))

    def redacted(self) -> dict[str, str]:
        """Every setting as text, secrets replaced by a marker saying whether they are set."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                out[f.name] = "<set>" if value else "<not set>"
            elif f.name == "db_url" and value:
                out[f.name] = redact_url(value)
            elif isinstance(value, frozenset):
                out[f.name] = ",".join(str(v) for v in sorted(value)) or "-"
            else:
                out[f.name] = "-" if value is None else str(value)
        return out


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def from_env(env: Mapping[str, str] | None = None, *, require_token: bool = True) -> Config:
    """Read and validate the settings; raise ConfigError with a one-line reason, secrets redacted."""
    env = os.environ if env is None else env
    try:
        return _read(env, require_token)
    except ConfigError as exc:
        # A value echoed back may be a secret pasted into the wrong setting.
        raise ConfigError(scrub(str(exc), env_hidden_values(env))) from None


def _read(env: Mapping[str, str], require_token: bool) -> Config:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if require_token:
        if not token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)")
        if not TOKEN_RE.match(token):
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed (expected <digits>:<secret> from @BotFather)")
    curators: set[int] = set()
    for part in re.split(r"[,\s]+", env.get("BOT_CURATORS", "").strip()):
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError(f"BOT_CURATORS must be Telegram user ids separated by commas, got {part!r}")
        curators.add(int(part))
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or None
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    webhook_url = env.get("BOT_WEBHOOK_URL", "").strip() or None
    if webhook_url and not webhook_url.startswith("https://"):
        raise ConfigError("BOT_WEBHOOK_URL must be a public https:// URL")
    webhook_secret = env.get("BOT_WEBHOOK_SECRET", "").strip() or None
    if webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", webhook_secret):
        raise ConfigError("BOT_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1-256 characters)")
    if webhook_url and not webhook_secret:
        raise ConfigError("BOT_WEBHOOK_SECRET is required when BOT_WEBHOOK_URL is set")
    db_url = env.get("BOT_DB_URL", "").strip() or None
    hash_secret = env.get("BOT_HASH_SECRET", "").strip() or None
    if db_url:
        if not db_url.startswith(("postgresql://", "postgres://")):
            raise ConfigError("BOT_DB_URL must be a postgresql://user:password@host:port/database URL")
        try:
            urlsplit(db_url).port
        except ValueError:
            raise ConfigError("BOT_DB_URL has a malformed port") from None
        if not hash_secret:
            raise ConfigError("BOT_HASH_SECRET is required when BOT_DB_URL is set (every replica must "
                              "use the same one; make it with `openssl rand -hex 32`)")
    raw_level = env.get("BOT_LOG_LEVEL", "INFO").strip()
    level = raw_level.upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"BOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {raw_level!r}")
    return Config(
        token=token,
        api_base_url=base_url,
        db_path=Path(env.get("BOT_DB_PATH", "").strip() or "data/tanya-netral.sqlite3"),
        hash_secret=hash_secret,
        curators=frozenset(curators),
        retention_days=_int(env, "BOT_RETENTION_DAYS", 365, 1, 36500),
        knowledge_dir=env.get("BOT_KNOWLEDGE_DIR", "").strip() or None,
        webhook_url=webhook_url,
        webhook_listen=env.get("BOT_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=_int(env, "BOT_WEBHOOK_PORT", 8443, 1, 65535),
        webhook_path=(env.get("BOT_WEBHOOK_PATH", "").strip() or "telegram").strip("/"),
        webhook_secret=webhook_secret,
        flood_per_minute=_int(env, "BOT_FLOOD_PER_MINUTE", 20, 1, 1000),
        log_level=level,
        learn_approvals=_int(env, "BOT_LEARN_APPROVALS", 1, 1, 5),
        send_window=_int(env, "BOT_SEND_WINDOW", 1, 1, 64),
        db_url=db_url,
        replica_timeout=_int(env, "BOT_REPLICA_TIMEOUT", 15, 2, 3600),
    )
