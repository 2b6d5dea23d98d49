#!/bin/sh
# Creates and migrates Temporal's two databases, `temporal` and `temporal_visibility`, with
# temporal-sql-tool (postgres12 plugin), as temporalio/samples-server compose/scripts/setup-postgres.sh does.
# Runs once per `docker compose up` in the temporal-admin-tools container and is safe to re-run:
# `create` accepts an existing database, `setup-schema -v 0.0` leaves a newer schema alone, and
# `update-schema` applies only the versions not yet applied (so upgrading admin-tools and server together
# migrates the schema).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required (temporal-sql-tool reads the password from it)}"
DB_PORT=${DB_PORT:-5432}
DBNAME=${DBNAME:-temporal}
VISIBILITY_DBNAME=${VISIBILITY_DBNAME:-temporal_visibility}
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

echo "Waiting for PostgreSQL at ${POSTGRES_SEEDS}:${DB_PORT}..."
attempt=1
until nc -z -w 10 "$POSTGRES_SEEDS" "$DB_PORT"; do
  if [ "$attempt" -ge 30 ]; then
    echo "PostgreSQL did not answer after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

setup_db() {
  db=$1
  versioned=$2
  echo "Setting up database ${db} from ${versioned}"
  sql_tool --db "$db" create
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$versioned"
}

setup_db "$DBNAME" "$SCHEMA_DIR/temporal/versioned"
setup_db "$VISIBILITY_DBNAME" "$SCHEMA_DIR/visibility/versioned"

echo "Temporal schema setup complete"
