#!/usr/bin/env bash
# Builds the worker image from the repository's Dockerfile and pushes it to ECR as $ECR_REPOSITORY:$IMAGE_TAG.
# With BUILD_IMAGE=false (a rollback to an earlier tag) it only checks that the tag exists.
# Environment: REGISTRY (from amazon-ecr-login), ECR_REPOSITORY, IMAGE_TAG, BUILD_IMAGE (true|false).
set -euo pipefail

: "${REGISTRY:?REGISTRY is not set (the ECR login step provides it)}"
: "${ECR_REPOSITORY:?ECR_REPOSITORY is not set}"
: "${IMAGE_TAG:?IMAGE_TAG is not set}"
build="${BUILD_IMAGE:-true}"
image="${REGISTRY}/${ECR_REPOSITORY}:${IMAGE_TAG}"

tag_exists() {
  aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids "imageTag=${IMAGE_TAG}" \
    >/dev/null 2>&1
}

if [ "$build" != "true" ]; then
  tag_exists || { echo "image ${image} does not exist: nothing to roll back to" >&2; exit 1; }
  echo "deploying existing image ${image}"
  exit 0
fi

if tag_exists; then
  # Tags are immutable in the repository: the same commit was built and pushed before (a re-run).
  echo "image ${image} already pushed"
  exit 0
fi

# The task definition runs on X86_64 (infra/.../WorkerService.java): build for that platform.
docker build --platform linux/amd64 --tag "$image" .
docker push "$image"
echo "pushed ${image}"
