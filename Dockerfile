# The worker's image: the Spring Boot jar extracted into cache-friendly layers on a JRE, with an AppCDS
# archive trained at build time so the JVM starts faster on a quarter vCPU.
#
#   docker build .                                      # Maven builds the jar in the build stage (GitHub)
#   docker build --build-arg JAR_SOURCE=context .       # takes target/capi-dispatch-worker-*.jar from the
#                                                       # context instead (`mvn package` first)
#
# Both base images are build arguments, so that locally built images can stand in where no registry answers
# (.github/scripts/image-check.sh builds one with debootstrap). The runtime image needs java (17 or newer),
# bash and useradd; the build image Maven and a JDK.
#
# Needs BuildKit (the default builder since Docker 23; DOCKER_BUILDKIT=1 on 20.10): it builds only the stages
# the result needs, so JAR_SOURCE=context never touches BUILD_IMAGE and the default build never looks for a
# jar in the context.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-25
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre
# maven: build the jar here; context: copy the jar that `mvn package` left in target/.
ARG JAR_SOURCE=maven

# The jar and its layers are the same on every platform: build them on the builder's own (no emulation when the
# image is built for another architecture); only the last stage runs on the target platform.
FROM --platform=$BUILDPLATFORM ${BUILD_IMAGE} AS jar-maven
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
RUN mvn -B -ntp -q package -DskipTests && cp target/capi-dispatch-worker-*.jar /app.jar

FROM scratch AS jar-context
# Exactly one jar may match (.dockerignore lets only these in): several make COPY fail instead of guessing.
COPY target/capi-dispatch-worker-*.jar /app.jar

FROM jar-${JAR_SOURCE} AS jar

FROM --platform=$BUILDPLATFORM ${RUNTIME_IMAGE} AS layers
WORKDIR /extract
COPY --from=jar /app.jar app.jar
# Without --launcher: a plain app.jar whose manifest lists lib/*.jar, started with `java -jar`. Classes
# then come from ordinary jars on the class path, which is what AppCDS can archive; through Spring Boot's
# launcher (nested class loader, BOOT-INF/) most of them are skipped and the archive saves far less.
RUN java -Djarmode=tools -jar app.jar extract --layers --destination /layers

FROM ${RUNTIME_IMAGE}
RUN groupadd --system worker && useradd --system --gid worker --home-dir /app --shell /usr/sbin/nologin worker
WORKDIR /app
# Layers from least to most often changed, so a code change rebuilds only the last ones.
COPY --from=layers /layers/dependencies/ ./
COPY --from=layers /layers/spring-boot-loader/ ./
COPY --from=layers /layers/snapshot-dependencies/ ./
COPY --from=layers /layers/application/ ./
# A 512 MB task. The heap gets 45 % (~230 MB): the benchmark's worker keeps about 50 MB live, and a larger
# heap only lets the serial collector grow into memory the rest of the process needs; at 60 % the worker's
# peak RSS was ~470 MB of the task's 512. Metaspace, code cache and direct buffers (Netty, the SQS client) are
# bounded so the JVM fails with a message (and exits, so ECS replaces the task) instead of being killed for
# exceeding the task's memory. C1 only (TieredStopAtLevel=1): on a quarter vCPU the C2 compiler's own work
# cost more CPU than its faster code saved (the benchmark halved its CPU per event and its start-up CPU with
# C1 alone; see docs/performance.md). Two malloc arenas instead of one per thread keep native memory compact.
# Young generation half the heap (NewRatio=1, default a third): the messages in flight (up to 2,000) are live at
# every young collection and copied each time; fewer, larger collections cut the collector's CPU by a third.
# The heap starts at its full size (InitialRAMPercentage, default 1/64 of memory: 8 MB): grown step by step, it
# took a hundred small collections and two full ones while the first load arrived; at full size from the start the
# collector's CPU per 50,000 events halved and the peak RSS was lower, not higher (docs/performance.md).
ENV JAVA_TOOL_OPTIONS="-XX:InitialRAMPercentage=45 -XX:MaxRAMPercentage=45 -XX:NewRatio=1 -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=48m -XX:MaxDirectMemorySize=64m -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=/app/app.jsa -Xshare:auto"
ENV MALLOC_ARENA_MAX=2
# AppCDS training run: start the worker until its context is refreshed (beans created, nothing started: no
# listener, no web server, no AWS call) and archive every class it loaded. The queue URLs only have to be
# well-formed. The archive fits only this JRE and this class path, both fixed in this image; -Xshare:auto
# makes a JVM that cannot use it start without it instead of failing. The heap is the task's (45 % of 512 MB)
# whatever the builder's memory: a heap above 32 GB would change the JVM's object pointers, and an archive
# made so would never fit the task. The worker reads its Meta secret at start-up and there is no Secrets Manager
# in a build: the training run takes credentials from the (empty) environment instead and runs dry.
RUN JAVA_TOOL_OPTIONS="-Xmx230m -XX:NewRatio=1 -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=48m -XX:MaxDirectMemorySize=64m -XX:TieredStopAtLevel=1" \
    SQS_QUEUE_URL=http://127.0.0.1:9324/000000000000/capi-dispatch \
    SQS_DLQ_URL=http://127.0.0.1:9324/000000000000/capi-dispatch-dlq \
    AWS_REGION=us-east-1 \
    CAPI_CREDENTIALS_SOURCE=environment \
    java -XX:ArchiveClassesAtExit=/app/app.jsa -Xlog:cds=error -Xlog:cds+dynamic=info \
         -Dspring.context.exit=onRefresh -jar /app/app.jar > /tmp/cds-training.log 2>&1 \
 || { tail -n 50 /tmp/cds-training.log; exit 1; }; \
    grep -E 'Written dynamic archive|klasses' /tmp/cds-training.log; rm -f /tmp/cds-training.log; test -s /app/app.jsa
USER worker
# The task's root filesystem is read-only; the JVM and Tomcat write only here. A volume declared in the
# image inherits this directory's mode (1777), so the non-root user can write to it on Fargate.
VOLUME /tmp
EXPOSE 3001
# Docker's own check (docker run, compose); ECS runs the same command from the task definition. No curl or
# Node.js in the image: bash's /dev/tcp asks /health directly, on SERVER_PORT when it is set.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD bash -c 'exec 3<>"/dev/tcp/127.0.0.1/${SERVER_PORT:-3001}" && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
# Arguments go to the same main class: `docker run IMAGE dlq inspect` runs an operator command.
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
