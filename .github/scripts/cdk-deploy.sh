#!/usr/bin/env bash
# `cdk deploy` of infra/ with the deployment's context taken from the environment (repository variables in
# deploy.yml), so the values committed in infra/cdk.context.json (examples) are never deployed by accident.
# Required: AWS_REGION, VPC_ID, AVAILABILITY_ZONES, PRIVATE_SUBNET_IDS (comma-separated, one zone per subnet,
# same order), ECR_REPOSITORY, IMAGE_TAG. Optional: ALARM_TOPIC_ARN, GRAPH_API_VERSION, META_CAPI_SECRET_NAME,
# BACKLOG_PER_TASK_TARGET, READONLY_ROOT_FILESYSTEM, EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS, SOURCE_TOPIC_ARN.
# The account is the one of the assumed role.
set -euo pipefail
cd "$(dirname "$0")/../../infra"

# The cdk CLI; keep it at least as new as aws-cdk-lib in infra/pom.xml (dependabot does not see this line).
CDK_CLI="aws-cdk@2.1148.1"

context=(
  -c "region=${AWS_REGION:?AWS_REGION is not set}"
  -c "vpcId=${VPC_ID:?VPC_ID is not set}"
  -c "availabilityZones=${AVAILABILITY_ZONES:?AVAILABILITY_ZONES is not set}"
  -c "privateSubnetIds=${PRIVATE_SUBNET_IDS:?PRIVATE_SUBNET_IDS is not set}"
  -c "imageRepository=${ECR_REPOSITORY:?ECR_REPOSITORY is not set}"
  -c "imageTag=${IMAGE_TAG:?IMAGE_TAG is not set}"
)
[ -z "${ALARM_TOPIC_ARN:-}" ] || context+=(-c "alarmTopicArn=${ALARM_TOPIC_ARN}")
[ -z "${GRAPH_API_VERSION:-}" ] || context+=(-c "graphApiVersion=${GRAPH_API_VERSION}")
[ -z "${META_CAPI_SECRET_NAME:-}" ] || context+=(-c "secretName=${META_CAPI_SECRET_NAME}")
[ -z "${BACKLOG_PER_TASK_TARGET:-}" ] || context+=(-c "backlogPerTaskTarget=${BACKLOG_PER_TASK_TARGET}")
[ -z "${READONLY_ROOT_FILESYSTEM:-}" ] || context+=(-c "readonlyRootFilesystem=${READONLY_ROOT_FILESYSTEM}")
[ -z "${EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS:-}" ] \
  || context+=(-c "eventAgeP95AlarmThresholdSeconds=${EVENT_AGE_P95_ALARM_THRESHOLD_SECONDS}")
# Once used, keep SOURCE_TOPIC_ARN set: a deployment without it removes the queue's subscription to the topic.
[ -z "${SOURCE_TOPIC_ARN:-}" ] || context+=(-c "sourceTopicArn=${SOURCE_TOPIC_ARN}")

echo "cdk deploy: image ${ECR_REPOSITORY}:${IMAGE_TAG} in ${AWS_REGION}"
npx --yes "$CDK_CLI" deploy CapiDispatchWorker \
  --require-approval never \
  --no-notices \
  --progress events \
  "${context[@]}"
