#!/usr/bin/env bash
# Benchmark of the real worker jar: embedded SQS (ElasticMQ), a Graph API stand-in with a fixed latency,
# the worker started with the contract's environment. Prints one BENCH summary line.
#   bench/run.sh                    # preload 50,000 events, drain them, compare with the queue's drain rate
#   bench/run.sh steady             # 500 events/s for 60 s, latency under load
#   bench/run.sh startup            # start-up only: seconds and CPU-seconds until /health answers 200
#   bench/run.sh large              # memory: 1,000 carts of 200 KB-1 MiB, 2,000 small events, 10 poison bodies,
#                                   # drained at 512 MB and at 1 GB of task memory; deaths, losses, peak RSS
#   bench/run.sh throughput         # the issue #18 figures, median [min-max] of REPS runs, against their targets:
#                                   # drain yardstick (best median over 1-16 pollers), then per run a fresh worker
#                                   # on WARMUP+EVENTS queued events, measured once WARMUP have arrived (events/s,
#                                   # ratio to the yardstick, CPU-s per 1,000), then RATE/s for SECONDS_STEADY (p95)
#                                   # in the same process; its peak RSS
#   EVENTS=50000 WARMUP=10000 REPS=3 SECONDS_STEADY=30 bench/run.sh throughput   # its defaults
#   bench/run.sh sqs-client         # CPU per SQS message of the yardstick's drain in a JVM with the image's options,
#                                   # through the yardstick's plain client and the worker's client set-up, with and
#                                   # without the listener's attributes; REPS (3), EVENTS, WARMUP, POLLERS (16),
#                                   # VARIANTS=yardstick:plain,worker:listener for some of them
#   EVENTS=3000 WARMUP=1000 REPS=1 SECONDS_STEADY=5 bench/run.sh throughput      # a smoke run
#   REPS=3 bench/run.sh             # preload with the yardstick's median of 3 runs per poller count (default 1)
#   LARGE=1000 SMALL=2000 POISON=10 TASK_MEMORY=512,1024 bench/run.sh large
#   WORKER_EXTRA_OPTIONS=-XX:StartFlightRecording=filename=target/bench/w.jfr  # added to the image's JVM options
#   JAR=path/to/extracted/app.jar   # run another jar than target's, e.g. one extracted as the image does
#   EVENTS=20000 LATENCY_MS=50 RATE=500 SECONDS_STEADY=60 WORKER_JAVA=/path/to/java bench/run.sh [preload|steady]
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-preload}
steady_seconds=${SECONDS_STEADY:-60}
if [ "$mode" = throughput ]; then steady_seconds=${SECONDS_STEADY:-30}; fi

mvn -q -B -ntp -DskipTests package
mvn -q -B -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
jar=${JAR:-$(find target -maxdepth 1 -name 'capi-dispatch-worker-*.jar' ! -name '*.original' | head -1)}

java -Djar="$jar" \
  -Dlarge="${LARGE:-1000}" -Dsmall="${SMALL:-2000}" -Dpoison="${POISON:-10}" -DtaskMemory="${TASK_MEMORY:-512,1024}" \
  -Devents="${EVENTS:-50000}" -DlatencyMs="${LATENCY_MS:-50}" -Drate="${RATE:-500}" -Dseconds="$steady_seconds" \
  ${REPS:+-Dreps="$REPS"} ${WARMUP:+-Dwarmup="$WARMUP"} ${POLLERS:+-Dpollers="$POLLERS"} \
  ${VARIANTS:+-Dvariants="$VARIANTS"} \
  ${WORKER_JAVA:+-Djava="$WORKER_JAVA"} ${WORKER_JVM_OPTIONS:+-DjvmOptions="$WORKER_JVM_OPTIONS"} \
  ${WORKER_EXTRA_OPTIONS:+-DextraJvmOptions="$WORKER_EXTRA_OPTIONS"} \
  -Dlogback.configurationFile=bench/logback-harness.xml \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  ai.track.capidispatch.bench.Benchmark "$mode"
