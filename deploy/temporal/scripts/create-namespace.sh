#!/bin/sh
# Creates the yjflow namespace and registers yjflow's custom search attributes in it
# (workflows/search_attributes.py: YjsChildId, YjsOrderKind, YjsService, YjsCaseState, all Keyword).
# Runs once per `docker compose up` in a temporalio/admin-tools container and is safe to re-run:
# an existing namespace or search attribute is left as it is.
#
# Follows temporalio/samples-server compose/scripts/create-namespace.sh, without its MAX_ATTdMPTS typo,
# and adds the search attributes.
set -eu

NAMESPACE=${DEFAULT_NAMESPACE:-default}
RETENTION=${NAMESPACE_RETENTION:-72h}
TEMPORAL_ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
MAX_ATTEMPTS=${TEMPORAL_HEALTH_CHECK_MAX_ATTEMPTS:-30}
SLEEP_SECONDS=${TEMPORAL_HEALTH_CHECK_SLEEP_SECONDS:-5}
# name=Type pairs; keep in step with workflows/search_attributes.py.
SEARCH_ATTRIBUTES=${YJFLOW_SEARCH_ATTRIBUTES:-"YjsChildId=Keyword YjsOrderKind=Keyword YjsService=Keyword YjsCaseState=Keyword"}

# retry DESCRIPTION COMMAND...: run COMMAND until it succeeds, at most MAX_ATTEMPTS times.
retry() {
  what=$1
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
      echo "Gave up: ${what} after ${MAX_ATTEMPTS} attempts" >&2
      exit 1
    fi
    echo "Not ready: ${what} (attempt ${attempt}/${MAX_ATTEMPTS}); retrying in ${SLEEP_SECONDS}s"
    attempt=$((attempt + 1))
    sleep "$SLEEP_SECONDS"
  done
}

port_open() {
  nc -z -w 10 "${TEMPORAL_ADDRESS%:*}" "${TEMPORAL_ADDRESS##*:}"
}

namespace_ready() {
  if temporal operator namespace describe -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
    echo "Namespace '${NAMESPACE}' exists"
    return 0
  fi
  temporal operator namespace create -n "$NAMESPACE" --retention "$RETENTION" --address "$TEMPORAL_ADDRESS" \
    && echo "Namespace '${NAMESPACE}' created (retention ${RETENTION})"
}

# The list output is a table of Name and Type; a name is registered when it is a whole word in it.
search_attribute_registered() {
  temporal operator search-attribute list -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" 2>/dev/null \
    | grep -qw -- "$1"
}

search_attribute_ready() {
  name=$1
  type=$2
  if search_attribute_registered "$name"; then
    echo "Search attribute ${name} exists"
    return 0
  fi
  temporal operator search-attribute create -n "$NAMESPACE" --name "$name" --type "$type" \
    --address "$TEMPORAL_ADDRESS" \
    && search_attribute_registered "$name" \
    && echo "Search attribute ${name} (${type}) created"
}

retry "Temporal port ${TEMPORAL_ADDRESS}" port_open
retry "Temporal cluster health" temporal operator cluster health --address "$TEMPORAL_ADDRESS"
retry "namespace ${NAMESPACE}" namespace_ready

for pair in $SEARCH_ATTRIBUTES; do
  retry "search attribute ${pair%%=*}" search_attribute_ready "${pair%%=*}" "${pair#*=}"
done

echo "Namespace '${NAMESPACE}' is ready with search attributes: ${SEARCH_ATTRIBUTES}"
