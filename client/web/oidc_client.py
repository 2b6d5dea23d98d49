"""The OpenID Connect relying party, through authlib: discovery, the authorization code request with PKCE
(S256) and a nonce, the code exchange, and the ID token's checks (signature against the provider's JWKS,
issuer, audience, expiry, nonce, at_hash).

The provider's discovery document is read at sign-in time and kept for `METADATA_LIFETIME`, so a key or
endpoint the provider rotates is picked up without a restart.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError

from activities.oidc_accounts import OidcConfig

METADATA_LIFETIME = 300.0
HTTP_TIMEOUT = 10.0


class ProviderError(Exception):
    """The provider could not be used or answered something yjflow must not accept; the message says which."""


_apps: dict[tuple[str, str, str | None, str], tuple[float, StarletteOAuth2App]] = {}


def _app(config: OidcConfig) -> StarletteOAuth2App:
    key = (config.issuer, config.client_id, config.client_secret, config.scopes)
    kept = _apps.get(key)
    if kept is not None and time.monotonic() - kept[0] < METADATA_LIFETIME:
        return kept[1]
    oauth = OAuth()
    app: StarletteOAuth2App = oauth.register(
        "organisation",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": config.scopes, "code_challenge_method": "S256", "timeout": HTTP_TIMEOUT},
    )
    _apps.clear()
    _apps[key] = (time.monotonic(), app)
    return app


async def _metadata(config: OidcConfig) -> dict[str, Any]:
    app = _app(config)
    try:
        metadata: dict[str, Any] = await app.load_server_metadata()
    except Exception as e:
        _apps.clear()
        raise ProviderError(f"the provider's discovery document at {config.issuer} could not be read: {e}") from e
    # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for, or another
    # provider could stand in for it.
    if metadata.get("issuer", "").rstrip("/") != config.issuer:
        _apps.clear()
        raise ProviderError(
            f"the provider's discovery document names issuer {metadata.get('issuer')!r}, not {config.issuer!r}"
        )
    return metadata


async def authorization_request(config: OidcConfig, redirect_uri: str) -> dict[str, str]:
    """The provider's authorization URL and what the callback needs: state, code_verifier, nonce."""
    await _metadata(config)
    rv: dict[str, str] = await _app(config).create_authorization_url(redirect_uri)
    return rv


async def exchange(config: OidcConfig, redirect_uri: str, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
    """The code exchanged at the token endpoint, and the ID token's claims once every check passes."""
    await _metadata(config)
    app = _app(config)
    try:
        token = await app.fetch_access_token(redirect_uri=redirect_uri, code=code, code_verifier=code_verifier)
    except OAuthError as e:
        raise ProviderError(f"the provider refused the sign-in code: {e.error}: {e.description}") from e
    except Exception as e:
        raise ProviderError(f"the provider's token endpoint could not be reached: {e}") from e
    if "id_token" not in token:
        raise ProviderError("the provider answered without an ID token: is 'openid' among YJFLOW_OIDC_SCOPES?")
    try:
        claims = await app.parse_id_token(
            token, nonce=nonce, claims_options={"iss": {"essential": True, "values": [config.issuer]}}
        )
    except (JoseError, ValueError) as e:
        raise ProviderError(f"the provider's ID token was refused: {e}") from e
    merged = dict(claims)
    # Many providers put groups and names in userinfo only, not the ID token: ask, when it is offered.
    metadata = await _metadata(config)
    if metadata.get("userinfo_endpoint") and "access_token" in token:
        try:
            info = await app.userinfo(token=token)
        except Exception as e:
            raise ProviderError(f"the provider's userinfo endpoint could not be read: {e}") from e
        # Userinfo's subject must be the ID token's (OIDC Core §5.3.2), or its claims are someone else's.
        if info.get("sub") != merged.get("sub"):
            raise ProviderError("the provider's userinfo is for another subject than its ID token")
        merged = {**dict(info), **merged}
    return merged


async def end_session_url(config: OidcConfig, post_logout_redirect_uri: str) -> str | None:
    """Where the browser goes to end the provider's session too, when the provider offers it."""
    try:
        metadata = await _metadata(config)
    except ProviderError:
        return None  # yjflow's own session has ended; the provider's can be ended there
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode({"client_id": config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
