#!/bin/sh
# Creates yjflow's own role and database, separate from Temporal's `temporal` and `temporal_visibility`
# (those are created and migrated by the temporal-admin-tools service with temporal-sql-tool).
#
# The postgres image runs files in /docker-entrypoint-initdb.d ONLY when it initialises an empty data
# directory, i.e. on the first `docker compose up`. Changing YJFLOW_DB_PASSWORD later does not change the
# role's password: run `ALTER ROLE yjflow PASSWORD '…'` by hand, or start again with `docker compose down -v`
# (which deletes every database).
#
# The body runs in a subshell because the image *sources* init scripts that are not executable, and its
# `set -u` must not leak into the image's entrypoint.
(
set -eu

: "${YJFLOW_DB_NAME:=yjflow}"
: "${YJFLOW_DB_USER:=yjflow}"
: "${YJFLOW_DB_PASSWORD:?YJFLOW_DB_PASSWORD must be set}"

echo "yjflow init: creating role ${YJFLOW_DB_USER} and database ${YJFLOW_DB_NAME}"

# psql variables (:"name" quotes an identifier, :'name' a literal) keep the password out of the SQL text.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
    -v db="$YJFLOW_DB_NAME" -v role="$YJFLOW_DB_USER" -v password="$YJFLOW_DB_PASSWORD" <<'EOSQL'
-- A plain login role: not a superuser, cannot create roles or databases. It owns only its database,
-- so the application cannot read or change Temporal's tables.
CREATE ROLE :"role" LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";
EOSQL

echo "yjflow init: done"
)
