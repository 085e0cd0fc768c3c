# memfleet console image. Build from the repository root after `./mvnw -q -B -DskipTests package`:
#   docker build -f docker/console.Dockerfile -t memfleet/console:0.1.0 .
# Settings come as environment variables (MEMFLEET_NODES, SPRING_APPLICATION_JSON, ...) or flags after the
# image name (--memfleet.nodes=a:11211,b:11211@g); JVM flags through JAVA_TOOL_OPTIONS.
FROM eclipse-temurin:25-jre AS layers
WORKDIR /build
COPY console/target/memfleet-console.jar memfleet-console.jar
# Boot's layers: dependencies change rarely, so an image rebuilt after a code change reuses their layer.
RUN java -Djarmode=tools -jar memfleet-console.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 memfleet \
 && useradd --system --uid 10001 --gid memfleet --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin memfleet
WORKDIR /opt/memfleet/console
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
USER 10001:10001
EXPOSE 8080
# started from the extracted layers, not with -jar, so the jar manifest's Enable-Native-Access (Netty's epoll
# library) is given on the command line
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "org.springframework.boot.loader.launch.JarLauncher"]
