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
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "YJFLOW_DATABASE_URL"))
    data_dir: Path = Path(".yjflow")
    payload_key: str | None = Field(default=None, description="Base64 of a 32-byte AES key for Temporal payloads.")
    payload_key_id: str = "yjflow-1"
    victim_master_key: str | None = Field(
        default=None, description="Base64 of a 32-byte AES key wrapping each victim's own key."
    )
    victim_master_key_id: str = "victim-1"
    rules_file: Path | None = Field(default=None, description="A YJS's overrides of non-statute rules (TOML).")
    retention_file: Path | None = Field(
        default=None,
        description="Per-service retention periods (TOML, [services.<yjs>.<kind>]); else the shipped ones.",
    )
    corrections_file: Path | None = Field(
        default=None, description="A YJS's correction policy (TOML): which corrections need a manager."
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_url: str | None = None
    api_keep_alive_seconds: float = Field(
        default=75.0,
        gt=0,
        description="How long the API keeps an idle HTTP connection open. Longer than clients' own idle expiry "
        "(httpx 5 s, most proxies 60 s), so a client never sends on a connection the server is closing "
        "(seen as a ReadError when both sides used 5 s).",
    )
    secure_cookies: bool = Field(
        default=False,
        description="The API is reached over TLS (a proxy in front terminating it): the session cookie is "
        "Secure and HSTS is sent, whatever scheme the request reaches the API with. Set it in production.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Comma-separated addresses (or '*') of the proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto `yjflow api` believes: the client's address (sign-in throttling, logs) and scheme.",
    )
    auth_failures_allowed: int = Field(
        default=10,
        ge=1,
        description="Failed sign-ins or bad API tokens one address may make in auth_failure_window_seconds "
        "before it is made to wait (429 with Retry-After) until the oldest failure leaves the window.",
    )
    auth_failure_window_seconds: float = Field(default=300.0, gt=0)
    temporal_ui_origin: str | None = Field(
        default=None,
        description="The Temporal UI's origin (scheme://host[:port]), the one origin whose browser calls the "
        "API's codec server (/codec) may make (CORS); unset, no browser may.",
    )
    token: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "yjflow@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    team_email: str | None = None
    relay_interval_seconds: float = 1.0
    max_cached_workflows: int = Field(
        default=500,
        ge=0,
        description="Workflows a worker keeps in memory between tasks (Temporal's sticky cache); it bounds the "
        "worker's memory (about 0.43 MB per cached order, bench/RESULTS.md). An evicted workflow is replayed "
        "from its history on its next task, which costs CPU, never correctness.",
    )
    log_level: str = "INFO"
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Where this process's /metrics endpoints listen (0.0.0.0 inside a container).",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of yjflow's own Prometheus metrics for this process (off when unset).",
    )
    temporal_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Port of the Temporal SDK's Prometheus exporter in a worker (off when unset).",
    )
    metrics_interval_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often the store's figures (inbox, deadlines, watermark) are read for the metrics.",
    )

    # Organisational sign-in for the pages (OpenID Connect); off unless the issuer is set.
    oidc_issuer: str | None = Field(
        default=None,
        description="The OpenID provider's issuer URL (its discovery document is at <issuer>/.well-known/"
        "openid-configuration); set it to offer 'Sign in with your organisation' on the sign-in page.",
    )
    oidc_client_id: str | None = Field(default=None, description="yjflow's client id at the provider.")
    oidc_client_secret: str | None = Field(default=None, description="yjflow's client secret at the provider.")
    oidc_redirect_base: str | None = Field(
        default=None,
        description="The pages' public base URL (https://yjflow.example.gov.uk); the provider sends browsers "
        "back to <base>/app/sign-in/organisation/callback, and to <base>/app/signed-out after its sign-out. "
        "Unset, the address the request came to is used.",
    )
    oidc_scopes: str = Field(
        default="openid profile email",
        description="The scopes asked for, space-separated; add the one your provider needs for a groups "
        "claim (e.g. 'groups').",
    )
    oidc_mapping: str | None = Field(
        default=None,
        description='Claims to roles and services as JSON: {"groups": {"<group>": {"role": "case_worker", '
        '"services": ["luton"]}}}.',
    )
    oidc_mapping_file: Path | None = Field(default=None, description="The same mapping in a JSON file.")
    oidc_username_claim: str = Field(
        default="preferred_username",
        description="The claim a first sign-in's username comes from (then email, then the subject).",
    )
    oidc_provider_name: str = Field(
        default="your organisation", description="How the sign-in page names the provider: 'Sign in with …'."
    )

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

    @property
    def dev_key_file(self) -> Path:
        return self.data_dir / "payload.key"

    @property
    def dev_victim_key_file(self) -> Path:
        return self.data_dir / "victim-master.key"

    def ensure_dev_payload_key(self) -> None:
        """`yjflow dev` only: make key files in the data directory on first start, then keep them."""
        for configured, path in (
            (self.payload_key, self.dev_key_file),
            (self.victim_master_key, self.dev_victim_key_file),
        ):
            if configured or path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)

    @cached_property
    def victim_master_key_bytes(self) -> bytes:
        """The key that wraps every victim's own key; never the payload key, so one leak is not both."""
        key = _key_from("YJFLOW_VICTIM_MASTER_KEY", self.victim_master_key, self.dev_victim_key_file)
        if key == self.payload_key_bytes:
            raise ValueError("YJFLOW_VICTIM_MASTER_KEY must differ from YJFLOW_PAYLOAD_KEY")
        return key

    @cached_property
    def payload_key_bytes(self) -> bytes:
        """The payload key from YJFLOW_PAYLOAD_KEY, else the dev key file; never invented here, because
        workers with different keys could not read each other's histories."""
        return _key_from("YJFLOW_PAYLOAD_KEY", self.payload_key, self.dev_key_file)


def _key_from(name: str, configured: str | None, dev_file: Path) -> bytes:
    if configured:
        source, text = name, configured
    elif dev_file.exists():
        source, text = str(dev_file), dev_file.read_text().strip()
    else:
        raise ValueError(
            f"no key: set {name} to the base64 of 32 random bytes "
            "(e.g. python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())'), "
            "the same for every worker and client"
        )
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as e:
        raise ValueError(f"{source} is not valid base64: {e}") from None
    if len(key) != 32:
        raise ValueError(f"{source} must be the base64 of exactly 32 bytes (AES-256), not {len(key)}")
    return key
