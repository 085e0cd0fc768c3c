# memfleet node image. Build from the repository root after `./mvnw -q -B -DskipTests package`:
#   docker build -f docker/node.Dockerfile -t memfleet/node:0.1.0 .
# Runs as uid 10001 with a read-only root filesystem in the chart; /tmp must be writable (Netty unpacks its
# epoll library there), which the chart mounts as an emptyDir.
FROM eclipse-temurin:25-jre

# bash: the launcher and the chart's readiness probe (`version` over /dev/tcp) need it; the image has it.
RUN groupadd --system --gid 10001 memfleet \
 && useradd --system --uid 10001 --gid memfleet --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin memfleet

# The installed layout the launcher knows: /opt/memfleet/bin/memfleet-node finds ../lib/memfleet-node.jar.
COPY --chmod=0755 bin/memfleet-node /opt/memfleet/bin/memfleet-node
COPY --chmod=0644 node/target/memfleet-node.jar /opt/memfleet/lib/memfleet-node.jar

ENV JAVA_HOME=/opt/java/openjdk \
    MEMFLEET_JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx128m -XX:+ExitOnOutOfMemoryError"
USER 10001:10001
EXPOSE 11211 11212
ENTRYPOINT ["/opt/memfleet/bin/memfleet-node"]
CMD ["-m", "64", "-p", "11211"]
