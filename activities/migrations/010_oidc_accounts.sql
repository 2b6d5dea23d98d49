-- Organisational sign-in (OpenID Connect): which provider account is which yjflow user, sign-ins in
-- progress, and which page sessions began at a provider (so sign-out can end the provider's session too).

-- An account at an OpenID provider, by the pair the protocol makes unique (issuer, subject), linked to
-- the yjflow user its first sign-in created. `matched` is which claims the mapping matched at the latest
-- sign-in (the role and services themselves are the user's, in users and user_services), so an
-- administrator can see why someone holds their role.
CREATE TABLE oidc_accounts (
    issuer           text        NOT NULL,
    subject          text        NOT NULL,
    username         text        NOT NULL REFERENCES users (username),
    matched          text[]      NOT NULL DEFAULT '{}',
    linked_at        timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject),
    UNIQUE (issuer, username)
);

-- A sign-in sent to the provider and not yet back. The state is also in the browser's cookie (only its
-- hash here); the PKCE verifier and the nonce never leave the server. Used once, then deleted.
CREATE TABLE oidc_sign_in_attempts (
    state_hash     text        PRIMARY KEY,
    issuer         text        NOT NULL,
    code_verifier  text        NOT NULL,
    nonce          text        NOT NULL,
    next_path      text        NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX oidc_sign_in_attempts_expires_at ON oidc_sign_in_attempts (expires_at);

-- A page session that began with a provider sign-in.
CREATE TABLE oidc_web_sessions (
    session_hash  text PRIMARY KEY REFERENCES web_sessions (session_hash),
    issuer        text NOT NULL,
    subject       text NOT NULL
);
