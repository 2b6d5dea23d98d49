#!/bin/sh
# Entrypoint of the yjflow image: `docker run yjflow worker` runs `yjflow worker`.
#
# Before a process that talks to Temporal (worker, api) starts, it refuses a missing or placeholder
# payload key. Without YJFLOW_PAYLOAD_KEY the app would make a random key inside each container, so every
# worker replica and the API would encrypt with a different key and could not read each other's payloads.
set -eu

case "${1:-}" in
  worker|api)
    case "${YJFLOW_PAYLOAD_KEY:-}" in
      ""|CHANGE_ME*)
        echo "yjflow: YJFLOW_PAYLOAD_KEY is not set. Every worker and the API must share one key:" >&2
        echo "  generate it once with: openssl rand -base64 32   (keep it: payloads cannot be read without it)" >&2
        echo "  and put YJFLOW_PAYLOAD_KEY=<that value> in the .env file next to docker-compose.yml" >&2
        exit 78  # EX_CONFIG
        ;;
    esac
    ;;
esac

case "${DATABASE_URL:-}" in
  *CHANGE_ME*)
    echo "yjflow: WARNING: DATABASE_URL still uses the CHANGE_ME password; set YJFLOW_DB_PASSWORD" >&2
    ;;
esac

exec yjflow "$@"
