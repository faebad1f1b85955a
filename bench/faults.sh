#!/usr/bin/env bash
# External fault harness: the real worker jar against a flaky Meta stand-in and SIGTERM/SIGKILL restarts, then
# a check that nothing was lost or misplaced. Prints one FAULTS summary line; exits 1 if a promise was broken.
#   bench/faults.sh                                   # 3,000 events, 150 s of chaos, about 5 minutes
#   EVENTS=800 CHAOS_SECONDS=60 RESTART_EVERY=10 MIN_RESTARTS=4 bench/faults.sh
#   SEED=42 bench/faults.sh                           # the random choices of a run (its seed is printed)
# Worker logs: target/faults/worker-N.log. Other knobs: FAULT_RATE, MAX_ATTEMPTS, VISIBILITY_TIMEOUT,
# WORKER_JAVA, WORKER_JVM_OPTIONS. What it does and checks: docs/failure-modes.md#external-fault-harness.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -q -B -ntp -DskipTests package
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
jar=$(find target -maxdepth 1 -name 'capi-dispatch-worker-*.jar' ! -name '*.original' | head -1)
rm -rf target/faults

java -Djar="$jar" -DlogDir=target/faults \
  -Devents="${EVENTS:-3000}" -DchaosSeconds="${CHAOS_SECONDS:-150}" -DrestartEverySeconds="${RESTART_EVERY:-15}" \
  ${SEED:+-Dseed="$SEED"} ${MIN_RESTARTS:+-DminRestarts="$MIN_RESTARTS"} ${FAULT_RATE:+-DfaultRate="$FAULT_RATE"} \
  ${MAX_ATTEMPTS:+-DmaxAttempts="$MAX_ATTEMPTS"} \
  ${VISIBILITY_TIMEOUT:+-DvisibilityTimeoutSeconds="$VISIBILITY_TIMEOUT"} \
  ${WORKER_JAVA:+-Djava="$WORKER_JAVA"} ${WORKER_JVM_OPTIONS:+-DjvmOptions="$WORKER_JVM_OPTIONS"} \
  -Dlogback.configurationFile=bench/logback-harness.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  ai.track.capidispatch.faults.FaultHarness
