"""One settings object for every process: worker, API, CLI and `yjflow dev`.

Values come from the environment (and a `.env` file); the two names operators already know,
`TEMPORAL_ADDRESS` and `DATABASE_URL`, are read as they are, everything else is `YJFLOW_*`.
"""

from __future__ import annotations

import base64
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.notify import SmtpConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YJFLOW_", env_file=".env", extra="ignore")

    temporal_address: str = Field(
        default="localhost:7233", validation_alias=AliasChoices("TEMPORAL_ADDRESS", "YJFLOW_TEMPORAL_ADDRESS")
    )
    temporal_namespace: str = "default"
    task_queue: str = "yjflow"
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "YJFLOW_DATABASE_URL")
    )
    data_dir: Path = Path(".yjflow")
    payload_key: str | None = Field(
        default=None, description="Base64 of a 32-byte AES key for Temporal payloads."
    )
    payload_key_id: str = "yjflow-1"
    rules_file: Path | None = Field(
        default=None, description="A YJS's overrides of non-statute rules (TOML)."
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_url: str | None = None
    token: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "yjflow@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    team_email: str | None = None
    relay_interval_seconds: float = 1.0
    log_level: str = "INFO"

    @property
    def smtp(self) -> SmtpConfig | None:
        if not self.smtp_host:
            return None
        return SmtpConfig(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=self.smtp_sender,
            use_starttls=self.smtp_starttls,
            username=self.smtp_username,
            password=self.smtp_password,
        )

    @property
    def resolved_api_url(self) -> str:
        return self.api_url or f"http://{self.api_host}:{self.api_port}"

    @cached_property
    def payload_key_bytes(self) -> bytes:
        """The payload key from settings, else the data directory's key file (made on first use)."""
        if self.payload_key:
            key = base64.b64decode(self.payload_key)
        else:
            path = self.data_dir / "payload.key"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
                path.chmod(0o600)
            key = base64.b64decode(path.read_text().strip())
        if len(key) != 32:
            raise ValueError("YJFLOW_PAYLOAD_KEY must be the base64 of exactly 32 bytes (AES-256)")
        return key
