# First version of the image. Both base images are build arguments so that a locally built image can
# stand in where a registry is unreachable.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-25
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src ./src
RUN mvn -B -ntp -q package -DskipTests \
 && java -Djarmode=tools -jar target/capi-dispatch-worker-*.jar extract --layers --launcher --destination /layers

FROM ${RUNTIME_IMAGE}
RUN groupadd --system worker && useradd --system --gid worker --home-dir /app worker
WORKDIR /app
# Layers from least to most often changed, so a code change rebuilds only the last one.
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
USER worker
# The task's root filesystem is read-only; the JVM and Tomcat write only here. A volume declared in the
# image inherits this directory's mode (1777), so the non-root user can write to it on Fargate.
VOLUME /tmp
EXPOSE 3001
# Heap as a share of the task's 512 MB, leaving room for metaspace, threads and direct buffers.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
# No curl or Node.js in the JRE image: bash's /dev/tcp asks /health directly.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/3001 && printf "GET /health HTTP/1.0\r\n\r\n" >&3 && head -1 <&3 | grep -q " 200 "'
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
