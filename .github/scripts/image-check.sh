#!/usr/bin/env bash
# Proves the worker's image on a machine where no container registry answers (this project's CI machine):
#   1. a private Docker daemon (its own socket, data and exec dirs, no iptables, no bridge), from Debian's
#      docker.io;
#   2. a runtime base image made here: debootstrap of Debian bookworm (from the mirror apt already uses) with
#      Debian's openjdk-17-jre-headless, imported as capi-base:local and kept between runs;
#   3. `docker build` of the repository's Dockerfile from the jar that `mvn package` built (JAR_SOURCE=context),
#      AppCDS training run included;
#   4. the container started as ECS starts it (read-only root, /tmp volume, 0.25 CPU, 512 MB) with the
#      contract's variables pointing at stand-ins on 127.0.0.1 (the project's embedded ElasticMQ for SQS, its
#      WireMock for Secrets Manager and the Graph API, both from the test class path): it must become healthy
#      by its own HEALTHCHECK, deliver one event and exit within 25 s of SIGTERM.
# Prints the timings, the image size, the start-up time and how many classes came from the AppCDS archive.
# Any problem fails the script with a non-zero exit. Needs root (it starts dockerd) and the Maven registry.
#
# Environment:
#   IMAGE_CHECK_CACHE_DIR   where the daemon's data (and so capi-base:local) is kept (/var/tmp/capi-image-check)
#   IMAGE_CHECK_COMPARE_CDS 1: also start the image once without its AppCDS archive and compare (adds ~1.5 min)
#   IMAGE_CHECK_HEALTH_TIMEOUT  seconds the container has to become healthy (240)
#   IMAGE_CHECK_MIRROR      Debian mirror for debootstrap (default: the first one apt's sources name)
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE="capi-dispatch-worker:check"
BASE_IMAGE="capi-base:local"
BASE_SUITE="bookworm"
BASE_PACKAGES="openjdk-17-jre-headless,passwd"
# Changing the recipe (suite, packages, trimming) rebuilds the cached base image.
BASE_RECIPE="v1 ${BASE_SUITE} minbase ${BASE_PACKAGES} trimmed LANG=C.UTF-8"
CACHE_DIR="${IMAGE_CHECK_CACHE_DIR:-/var/tmp/capi-image-check}"
COMPARE_CDS="${IMAGE_CHECK_COMPARE_CDS:-0}"
HEALTH_TIMEOUT="${IMAGE_CHECK_HEALTH_TIMEOUT:-240}"
# The task's size (infra/.../WorkerService.java): 256 CPU units, 512 MiB.
TASK_CPUS="0.25"
TASK_MEMORY="512m"

started_ms="$(date +%s%3N)"
now_ms() { date +%s%3N; }
seconds_since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%01d' $((ms / 1000)) $(((ms % 1000) / 100)); }
step() { printf '\n==> [%6ss] %s\n' "$(seconds_since "$started_ms")" "$*"; }
fail() { printf 'image-check: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root: the check starts its own Docker daemon"

install_debian_packages() {
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

work="$(mktemp -d /tmp/capi-image-check.XXXXXX)"
dockerd_pid=""
stand_ins_pid=""
containers=()
cleanup() {
  local status=$?
  set +e
  if [ -n "$dockerd_pid" ]; then
    for container in "${containers[@]}"; do
      docker rm -f -v "$container" >/dev/null 2>&1
    done
    # Keep the cache to what the next run can use: the base image and recent build steps.
    docker image prune -f >/dev/null 2>&1
    docker builder prune -f --keep-storage 2GB >/dev/null 2>&1
  fi
  if [ -n "$stand_ins_pid" ]; then
    kill "$stand_ins_pid" 2>/dev/null
    wait "$stand_ins_pid" 2>/dev/null
  fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
      echo "image-check: dockerd ($dockerd_pid) did not stop in 30 s: killing it" >&2
      kill -KILL "$dockerd_pid" 2>/dev/null
    fi
    wait "$dockerd_pid" 2>/dev/null
    # What a daemon that had to be killed leaves mounted (network namespaces, container layers).
    awk -v work="$work/" -v cache="$CACHE_DIR/" 'index($2, work) == 1 || index($2, cache) == 1 { print $2 }' \
      /proc/mounts | sort -r | while read -r mount_point; do umount "$mount_point" || umount -l "$mount_point"; done
  fi
  rm -rf "$work"
  [ "$status" -eq 0 ] || echo "image-check: exit status $status (daemon stopped, temporary files removed)" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "tools"
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  install_debian_packages "${missing[@]}"
fi
command -v java >/dev/null 2>&1 || fail "java is needed (the stand-ins run on the test class path)"
command -v mvn >/dev/null 2>&1 || fail "Maven is needed (the stand-ins' class path)"
# A client that can drive BuildKit: one with the buildx plugin, or one older than 23 (BuildKit built in).
# Debian's own comes first: a newer client elsewhere on PATH may lack the buildx plugin it would need.
buildkit_client() {
  local major
  "$1" buildx version >/dev/null 2>&1 && return 0
  major="$("$1" --version 2>/dev/null | sed -nE 's/^Docker version ([0-9]+)\..*/\1/p')"
  [ -n "$major" ] && [ "$major" -lt 23 ]
}
docker_cli=""
for candidate in /usr/bin/docker "$(dirname "$(command -v dockerd)")/docker" "$(command -v docker || true)"; do
  if [ -x "$candidate" ] && buildkit_client "$candidate"; then docker_cli="$candidate"; break; fi
done
[ -n "$docker_cli" ] || fail "no docker client that can build with BuildKit (one with buildx, or Debian's docker.io)"
docker() { "$docker_cli" "$@"; }
export DOCKER_CONFIG="$work/docker-config"   # no credential helpers or contexts from the machine's config
export DOCKER_BUILDKIT=1                      # the Dockerfile needs BuildKit (it skips the stages not used)
mkdir -p "$DOCKER_CONFIG"
echo "dockerd: $(dockerd --version)"
echo "client:  $docker_cli ($("$docker_cli" --version))"
echo "debootstrap: $(dpkg-query -W -f '${Version}' debootstrap 2>/dev/null || echo unknown)"

step "the packaged jar"
shopt -s nullglob
jars=(target/capi-dispatch-worker-*.jar)
if [ "${#jars[@]}" -eq 0 ] || [ ! -f target/test-classes/ai/track/capidispatch/support/EmbeddedSqs.class ]; then
  echo "no jar or test classes in target/: mvn -B -ntp -q -DskipTests package"
  mvn -B -ntp -q -DskipTests package
  jars=(target/capi-dispatch-worker-*.jar)
fi
shopt -u nullglob
[ "${#jars[@]}" -eq 1 ] || fail "expected exactly one target/capi-dispatch-worker-*.jar, found ${#jars[@]}: run mvn clean package"
echo "${jars[0]} ($(du -h "${jars[0]}" | cut -f1))"

step "private Docker daemon"
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/lock"
# One check at a time per cache: two daemons must never share a data root.
flock -w 900 9 || fail "another image check held $CACHE_DIR/lock for 15 minutes"
export DOCKER_HOST="unix://$work/docker.sock"
start_dockerd() {
  local driver="$1"
  mkdir -p "$CACHE_DIR/$driver" "$work/exec"
  # Namespaces of its own, in case it finds a system containerd running and shares it.
  dockerd --data-root "$CACHE_DIR/$driver" --exec-root "$work/exec" --pidfile "$work/docker.pid" \
    -H "$DOCKER_HOST" --storage-driver "$driver" --iptables=false --bridge=none \
    --containerd-namespace capi-image-check --containerd-plugins-namespace capi-image-check-plugins \
    >"$work/dockerd-$driver.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      echo "dockerd pid $dockerd_pid, storage driver $driver, data root $CACHE_DIR/$driver"
      return 0
    fi
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd with $driver did not come up:" >&2
  tail -n 15 "$work/dockerd-$driver.log" >&2
  kill "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  dockerd_pid=""
  return 1
}
start_dockerd overlay2 || { echo "falling back to the vfs storage driver (slower, larger)"; start_dockerd vfs; } \
  || fail "no Docker daemon could be started (logs above)"
# Containers left behind by a run that was killed.
mapfile -t stale < <(docker ps -aq --filter label=capi-image-check)
[ "${#stale[@]}" -eq 0 ] || docker rm -f -v "${stale[@]}" >/dev/null

step "stand-ins for SQS, Secrets Manager and the Graph API on 127.0.0.1 (starting in the background)"
cat >"$work/ImageCheckStandIns.java" <<'JAVA'
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import ai.track.capidispatch.support.EmbeddedSqs;
import ai.track.capidispatch.support.TestInfrastructure;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The tests' stand-ins as a process: ElasticMQ (SQS), WireMock (Secrets Manager and the Graph API). */
public class ImageCheckStandIns {
    public static void main(String[] args) throws Exception {
        EmbeddedSqs sqs = TestInfrastructure.sqs();
        String dlq = sqs.createQueue("capi-dispatch-dlq", Map.of());
        String queue = sqs.createQueue("capi-dispatch", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30"));
        TestInfrastructure.stubSecret(TestInfrastructure.twoPixelSecret());
        TestInfrastructure.wireMock().stubFor(post(urlPathMatching("/v[0-9.]+/[0-9]+/events"))
                .willReturn(okJson("{\"events_received\":1,\"fbtrace_id\":\"ImageCheckTrace\"}")));
        int workerPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            workerPort = socket.getLocalPort();
        }
        String env = String.join("\n", "SQS_ENDPOINT=" + sqs.endpoint(), "QUEUE_URL=" + queue, "DLQ_URL=" + dlq,
                "STAND_IN_URL=http://127.0.0.1:" + TestInfrastructure.wireMock().port(),
                "WORKER_PORT=" + workerPort, "PIXEL_ID=" + TestInfrastructure.PIXEL_ID,
                "ACCESS_TOKEN=" + TestInfrastructure.ACCESS_TOKEN, "");
        Path ready = Path.of(args[0]);
        Files.writeString(Path.of(args[0] + ".tmp"), env);
        Files.move(Path.of(args[0] + ".tmp"), ready, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }
}
JAVA
# The test class path (ElasticMQ, WireMock, the tests' support classes), then the program above in Java's
# source-file mode. The subshell becomes the Java process (exec), so its PID is the one to stop.
(
  mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt"
  exec java -cp "target/test-classes:$(cat "$work/classpath.txt")" "$work/ImageCheckStandIns.java" \
    "$work/stand-ins.env"
) >"$work/stand-ins.log" 2>&1 &
stand_ins_pid=$!
echo "pid $stand_ins_pid; they start while the image is made"

step "runtime base image $BASE_IMAGE"
debian_mirror() {
  # The first Debian archive apt's sources name for a plain suite (not -security, -updates): one-line
  # sources.list files and deb822 .sources files.
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
         if ($(i + 1) !~ /-/) { print $i; exit } }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         { uri = ""; plain = 0; deb = 0
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^Types:/ && $i ~ /[[:space:]]deb([[:space:]]|$)/) deb = 1
             if ($i ~ /^URIs:/) { split($i, u, /[[:space:]]+/); uri = u[2] }
             if ($i ~ /^Suites:/) { n = split($i, s, /[[:space:]]+/); for (j = 2; j <= n; j++) if (s[j] !~ /-/) plain = 1 }
           }
           if (deb && plain && uri != "") { print uri; exit } }' "$file"
  done
}
base_recipe_found="$(docker image inspect -f '{{index .Config.Labels "capi.base.recipe"}}' "$BASE_IMAGE" 2>/dev/null || true)"
if [ "$base_recipe_found" = "$BASE_RECIPE" ]; then
  echo "cached ($BASE_RECIPE)"
else
  mirror="${IMAGE_CHECK_MIRROR:-$(debian_mirror | head -n 1)}"
  [ -n "$mirror" ] || fail "no Debian mirror found in /etc/apt/sources.list{,.d/}; set IMAGE_CHECK_MIRROR"
  echo "debootstrap --variant=minbase --include=$BASE_PACKAGES $BASE_SUITE from $mirror"
  debootstrap_started="$(now_ms)"
  rootfs="$work/rootfs"
  # Two stages, so that dpkg in the second may skip its fsync calls (force-unsafe-io): the tree is thrown
  # away after the import, and dpkg's syncing is most of the install time on a virtual disk.
  if ! { debootstrap --foreign --variant=minbase --include="$BASE_PACKAGES" "$BASE_SUITE" "$rootfs" "$mirror" \
        && echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/image-check-unsafe-io" \
        && chroot "$rootfs" /debootstrap/debootstrap --second-stage; } >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    fail "debootstrap failed"
  fi
  rm -f "$rootfs/etc/dpkg/dpkg.cfg.d/image-check-unsafe-io"
  echo "debootstrap: $(seconds_since "$debootstrap_started") s"
  # What a container never needs: downloaded packages, package lists, documentation, translations.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/info "$rootfs"/usr/share/locale
  # (usr/bin/java is an absolute symbolic link: it would resolve on this machine, not in the root filesystem.)
  if ! compgen -G "$rootfs/usr/lib/jvm/*/bin/java" >/dev/null || [ ! -x "$rootfs/bin/bash" ] \
      || [ ! -x "$rootfs/usr/sbin/useradd" ]; then
    fail "the base root filesystem lacks java, bash or useradd"
  fi
  tar -C "$rootfs" -c . | docker import \
    --change "LABEL capi.base.recipe=\"$BASE_RECIPE\"" \
    --change "ENV LANG=C.UTF-8" \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi
echo "$BASE_IMAGE: $(( $(docker image inspect -f '{{.Size}}' "$BASE_IMAGE") / 1000000 )) MB," \
  "$(docker run --rm --network host --entrypoint java "$BASE_IMAGE" -version 2>&1 | head -n 1)"

step "docker build (JAR_SOURCE=context, RUNTIME_IMAGE=$BASE_IMAGE)"
build_started="$(now_ms)"
if ! docker build --network host --progress plain --build-arg JAR_SOURCE=context \
    --build-arg RUNTIME_IMAGE="$BASE_IMAGE" --tag "$IMAGE" . >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  fail "docker build failed"
fi
echo "built in $(seconds_since "$build_started") s"
grep -E '\[cds.*(Written dynamic archive|klasses;)' "$work/build.log" | sed -E 's/^#[0-9]+ [0-9.]+ /  AppCDS training: /' || true
image_size_mb=$(( $(docker image inspect -f '{{.Size}}' "$IMAGE") / 1000000 ))
echo "image $IMAGE: ${image_size_mb} MB; layers:"
docker history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | awk -F '\t' '$1 != "0B"' \
  | cut -c1-110 | sed 's/^/  /'
docker run --rm --network host --entrypoint id "$IMAGE" | sed 's/^/  runs as: /'
[ "$(docker run --rm --network host --entrypoint id "$IMAGE" -u)" != "0" ] || fail "the image runs as root"

step "stand-ins ready"
for _ in $(seq 1 120); do
  [ -f "$work/stand-ins.env" ] && break
  kill -0 "$stand_ins_pid" 2>/dev/null || { tail -n 30 "$work/stand-ins.log" >&2; fail "the stand-ins did not start"; }
  sleep 0.5
done
[ -f "$work/stand-ins.env" ] || fail "the stand-ins did not start within 60 s of the image being built"
SQS_ENDPOINT="" QUEUE_URL="" DLQ_URL="" STAND_IN_URL="" WORKER_PORT="" PIXEL_ID="" ACCESS_TOKEN=""
# shellcheck disable=SC1091 # written just above by the stand-ins
. "$work/stand-ins.env"
echo "SQS (ElasticMQ) $SQS_ENDPOINT, Secrets Manager and Graph API (WireMock) $STAND_IN_URL, worker port $WORKER_PORT"

# CPU-seconds a container has used, from its cgroup (v1 cgroupfs, v2 cgroupfs or systemd); "n/a" if not found.
container_cpu_seconds() {
  local id usage
  id="$(docker inspect -f '{{.Id}}' "$1")"
  for usage in "/sys/fs/cgroup/cpuacct/docker/$id/cpuacct.usage" "/sys/fs/cgroup/cpu,cpuacct/docker/$id/cpuacct.usage"; do
    [ -r "$usage" ] && { awk '{ printf "%.1f", $1 / 1e9 }' "$usage"; return; }
  done
  for usage in "/sys/fs/cgroup/docker/$id/cpu.stat" "/sys/fs/cgroup/system.slice/docker-$id.scope/cpu.stat"; do
    [ -r "$usage" ] && { awk '$1 == "usage_usec" { printf "%.1f", $2 / 1e6 }' "$usage"; return; }
  done
  echo "n/a"
}

limits=()
if [ "$(docker info --format '{{.CPUCfsQuota}} {{.MemoryLimit}}')" = "true true" ]; then
  limits=(--cpus "$TASK_CPUS" --memory "$TASK_MEMORY")
else
  echo "WARNING: this daemon cannot limit CPU or memory: the container runs with the whole machine" >&2
fi

# Starts the image as the task definition does and waits for Docker's health status. The image's own
# HEALTHCHECK command runs, every second instead of every 10 s so the time to healthy is measured closely.
# Sets: run_container (name), healthy_seconds, started_line.
run_until_healthy() {
  local label="$1"; shift
  run_container="capi-image-check-$label-$$"
  local run_started status
  run_started="$(now_ms)"
  docker run --detach --name "$run_container" --label capi-image-check --network host --read-only \
    "${limits[@]}" --health-interval 1s \
    -e SQS_QUEUE_URL="$QUEUE_URL" -e SQS_DLQ_URL="$DLQ_URL" -e AWS_REGION=us-east-1 \
    -e AWS_ACCESS_KEY_ID=test -e AWS_SECRET_ACCESS_KEY=test \
    -e AWS_ENDPOINT_URL="$STAND_IN_URL" -e AWS_ENDPOINT_URL_SQS="$SQS_ENDPOINT" \
    -e META_GRAPH_URL="$STAND_IN_URL" -e SERVER_PORT="$WORKER_PORT" \
    -e MANAGEMENT_CLOUDWATCH_METRICS_EXPORT_ENABLED=false \
    "$@" "$IMAGE" >/dev/null
  containers+=("$run_container")
  while :; do
    status="$(docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' "$run_container")"
    case "$status" in
      "running healthy") break ;;
      running*) ;;
      *) docker logs --tail 40 "$run_container" >&2; fail "$label: the container stopped ($status)" ;;
    esac
    if [ $(( $(now_ms) - run_started )) -gt $(( HEALTH_TIMEOUT * 1000 )) ]; then
      docker logs --tail 40 "$run_container" >&2
      fail "$label: not healthy within ${HEALTH_TIMEOUT} s ($status)"
    fi
    sleep 0.25
  done
  healthy_seconds="$(seconds_since "$run_started")"
  started_line="$(docker logs "$run_container" 2>/dev/null | grep -o 'Started CapiDispatchWorkerApplication in [0-9.]* seconds (process running for [0-9.]*)' || echo 'no "Started" line')"
}

queue_depth() {
  curl -fsS -d Action=GetQueueAttributes -d AttributeName.1=All "$1" | tr -d '\n' \
    | grep -oE 'ApproximateNumberOf(Messages|MessagesNotVisible)</Name>[[:space:]]*<Value>[0-9]+' \
    | grep -oE '[0-9]+$' | awk '{ n += $1 } END { print n + 0 }'
}
graph_requests() {
  curl -fsS -X POST -d "{\"method\":\"POST\",\"urlPathPattern\":\"/v[0-9.]+/$PIXEL_ID/events\"}" \
    "$STAND_IN_URL/__admin/requests/count" | grep -oE '"count"[[:space:]]*:[[:space:]]*[0-9]+' | grep -oE '[0-9]+$'
}

step "docker run as the task runs it (read-only root, /tmp volume, ${TASK_CPUS} CPU, ${TASK_MEMORY})"
# JDK_JAVA_OPTIONS adds to the image's JAVA_TOOL_OPTIONS: the class-load log shows where each class came from.
run_until_healthy cds -e JDK_JAVA_OPTIONS="-Xlog:class+load=info:file=/tmp/class-load.log"
main_container="$run_container"
cds_healthy_seconds="$healthy_seconds"
cds_cpu_seconds="$(container_cpu_seconds "$main_container")"
echo "healthy ${cds_healthy_seconds} s after docker run (CPU used: ${cds_cpu_seconds} s); $started_line"
read -r from_app_archive from_jdk_archive loaded < <(docker exec "$main_container" awk '
  / source: / { all++ } / source: shared objects file \(top\)/ { top++; next }
  / source: shared objects file/ { base++ } END { print top + 0, base + 0, all + 0 }' /tmp/class-load.log)
echo "classes loaded: $loaded; from the image's AppCDS archive: $from_app_archive; from the JDK's archive: $from_jdk_archive"
[ "$from_app_archive" -gt 0 ] || fail "no class came from /app/app.jsa: the AppCDS archive is not used"
curl -fsS "http://127.0.0.1:$WORKER_PORT/health" | sed 's/^/GET \/health: /'; echo
docker stats --no-stream --format 'memory after start: {{.MemUsage}}' "$main_container"

step "one event through the image: SQS stand-in -> worker -> Graph API stand-in"
body="{\"event\":{\"event_name\":\"Purchase\",\"event_time\":$(date +%s),\"action_source\":\"website\",\"event_source_url\":\"https://shop.example.com/done\",\"user_data\":{\"em\":\"Image.Check@Example.com\",\"client_user_agent\":\"Mozilla/5.0\"},\"custom_data\":{\"value\":5,\"currency\":\"USD\"}}}"
curl -fsS -d Action=SendMessage --data-urlencode "MessageBody=$body" "$QUEUE_URL" >/dev/null
sent="$(now_ms)"
until [ "$(graph_requests)" -ge 1 ] && [ "$(queue_depth "$QUEUE_URL")" -eq 0 ]; do
  [ $(( $(now_ms) - sent )) -lt 60000 ] || { docker logs --tail 30 "$main_container" >&2; fail "the event was not delivered and deleted within 60 s"; }
  sleep 0.5
done
echo "delivered to the Graph API stand-in and deleted from the queue in $(seconds_since "$sent") s"
[ "$(queue_depth "$DLQ_URL")" -eq 0 ] || fail "something was dead-lettered"
docker logs "$main_container" 2>/dev/null >"$work/worker.log"
grep -q '"record":"DispatchAttempt"' "$work/worker.log" || fail "no DispatchAttempt log record"
if grep -qiE "image\.check@example\.com|$ACCESS_TOKEN" "$work/worker.log"; then
  fail "raw customer data or the access token in the logs"
fi
if grep -qv '^{.*}$' "$work/worker.log"; then
  fail "a line on stdout that is not one JSON object: $(grep -v '^{.*}$' "$work/worker.log" | head -n 1 | cut -c1-200)"
fi

step "SIGTERM (docker stop) and exit"
stop_started="$(now_ms)"
docker stop --time 30 "$main_container" >/dev/null
stop_seconds="$(seconds_since "$stop_started")"
exit_code="$(docker inspect -f '{{.State.ExitCode}}' "$main_container")"
echo "stopped in ${stop_seconds} s, exit code $exit_code"
[ $(( $(now_ms) - stop_started )) -le 25000 ] || fail "the worker took more than 25 s to exit after SIGTERM"
case "$exit_code" in 0 | 143) ;; *) fail "unexpected exit code $exit_code after SIGTERM" ;; esac

if [ "$COMPARE_CDS" = "1" ]; then
  step "the same start without the AppCDS archive (IMAGE_CHECK_COMPARE_CDS=1)"
  tool_options="$(docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" \
    | sed -n 's/^JAVA_TOOL_OPTIONS=//p' | sed -E 's/ ?-XX:SharedArchiveFile=[^ ]*//; s/ ?-Xshare:auto//')"
  run_until_healthy nocds -e JAVA_TOOL_OPTIONS="$tool_options"
  nocds_cpu_seconds="$(container_cpu_seconds "$run_container")"
  echo "healthy ${healthy_seconds} s after docker run (CPU used: ${nocds_cpu_seconds} s); $started_line"
  echo "with AppCDS: ${cds_healthy_seconds} s to healthy, ${cds_cpu_seconds} CPU-s;" \
    "without: ${healthy_seconds} s, ${nocds_cpu_seconds} CPU-s"
  docker rm -f -v "$run_container" >/dev/null
fi

step "image check summary"
echo "image ${IMAGE}: ${image_size_mb} MB (base ${BASE_IMAGE}, Debian ${BASE_SUITE}, OpenJDK 17)"
echo "docker run -> healthy: ${cds_healthy_seconds} s at ${TASK_CPUS} CPU / ${TASK_MEMORY} (${cds_cpu_seconds} CPU-s)," \
  "AppCDS classes: ${from_app_archive} of ${loaded}"
echo "event delivered and deleted; SIGTERM -> exit in ${stop_seconds} s (code ${exit_code})"
echo "image check: passed in $(seconds_since "$started_ms") s"
