#!/bin/bash
# LocalStack init hook (mounted into /etc/localstack/init/ready.d/ by compose.yaml and by
# LocalStackIntegrationTest): creates what the worker expects in AWS, as infra/ creates it there.
#   capi-dispatch-dlq   the dead-letter queue (14 days' retention)
#   capi-dispatch       visibility timeout 60 s; redrive to the DLQ after 15 receives, above the worker's own
#                       attempt limit (10), as a backstop
#   meta-capi-credentials  a placeholder token (the worker runs dry in compose: META_DRY_RUN=true); put a real
#                       one with `awslocal secretsmanager put-secret-value` to send to Meta for real
# Runs once LocalStack is ready; safe to run again (existing queues and secret are kept as they are).
set -euo pipefail

PIXEL_ID="${CAPI_LOCAL_PIXEL_ID:-123456789012345}"

dlq_url="$(awslocal sqs create-queue --queue-name capi-dispatch-dlq \
  --attributes MessageRetentionPeriod=1209600 --query QueueUrl --output text)"
dlq_arn="$(awslocal sqs get-queue-attributes --queue-url "$dlq_url" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)"
redrive_policy="{\\\"deadLetterTargetArn\\\":\\\"${dlq_arn}\\\",\\\"maxReceiveCount\\\":\\\"15\\\"}"
awslocal sqs create-queue --queue-name capi-dispatch \
  --attributes "{\"VisibilityTimeout\":\"60\",\"RedrivePolicy\":\"${redrive_policy}\"}" >/dev/null

if ! awslocal secretsmanager describe-secret --secret-id meta-capi-credentials >/dev/null 2>&1; then
  awslocal secretsmanager create-secret --name meta-capi-credentials \
    --secret-string "{\"access_token\":\"local-placeholder-token\",\"pixel_id\":\"${PIXEL_ID}\"}" >/dev/null
fi

echo "capi-dispatch-worker: queues capi-dispatch, capi-dispatch-dlq and secret meta-capi-credentials ready"
