#!/usr/bin/env bash
# Puts one conversion message on the local queue (the `local` profile's embedded SQS), with event_time set
# to now so the worker's 7-day check passes. Needs only curl.
#   scripts/send-local-event.sh [message.json]     default: docs/examples/website-purchase.json
# LOCAL_SQS_PORT (default 9324) and QUEUE (default capi-dispatch) select the queue.
set -euo pipefail

file="${1:-$(dirname "$0")/../docs/examples/website-purchase.json}"
port="${LOCAL_SQS_PORT:-9324}"
queue="${QUEUE:-capi-dispatch}"
now="$(date +%s)"

body="$(sed -E "s/\"event_time\"[[:space:]]*:[[:space:]]*[0-9]+/\"event_time\": ${now}/" "$file")"
curl --silent --show-error --fail \
  --data "Action=SendMessage" \
  --data-urlencode "MessageBody=${body}" \
  "http://127.0.0.1:${port}/000000000000/${queue}"
echo
