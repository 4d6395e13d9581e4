package com.fulcrumscim.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image that {@code mvn -Pimage verify} writes to target/fulcrum-scim-VERSION-image.tar
 * (the profile passes its path as {@value #IMAGE_PROPERTY}; without it this class skips): its
 * config, its layers, and its entrypoint run from the unpacked root filesystem in namespaces of
 * its own, as a container runtime would start it.
 */
class ImageIT {
  static final String IMAGE_PROPERTY = "fulcrum.image.tar";
  static final String USER = "65532:65532";

  @TempDir static Path dir;
  static Path oci;
  static JsonNode manifest;
  static JsonNode config;
  /** "mode owner path" of every entry of every layer, in layer order. */
  static List<String> entries;

  @BeforeAll
  static void unpackTheImage() throws Exception {
    String property = System.getProperty(IMAGE_PROPERTY, "");
    if (property.isBlank()) {
      return; // each test reports the skip
    }
    Path image = Path.of(property);
    assertThat(image).as("-Pimage wrote the image").isRegularFile();
    oci = Files.createDirectory(dir.resolve("oci"));
    assertThat(PackageIT.run(Map.of(), dir, "tar", "-xf", image.toString(), "-C", oci.toString()).exit()).isZero();
    ObjectMapper json = new ObjectMapper();
    JsonNode index = json.readTree(oci.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(1);
    manifest = json.readTree(blob(index.path("manifests").get(0)).toFile());
    config = json.readTree(blob(manifest.path("config")).toFile());
    entries = new ArrayList<>();
    for (JsonNode layer : manifest.path("layers")) {
      PackageIT.Run listing = PackageIT.run(Map.of(), dir, "tar", "--numeric-owner", "-tvzf", blob(layer).toString());
      assertThat(listing.exit()).as(listing.out()).isZero();
      listing.out().lines().filter(l -> !l.startsWith("tar: ")).map(l -> l.split("\\s+"))
          .map(f -> f[0] + " " + f[1] + " /" + f[f.length - 1].replaceFirst("^\\./", "").replaceFirst("/$", ""))
          .forEach(entries::add);
    }
  }

  @BeforeEach
  void onlyWithTheImage() {
    assumeTrue(config != null, "no image to check: it is built and checked only with -Pimage (mvn -B -Pimage verify)");
  }

  static Path blob(JsonNode descriptor) {
    return oci.resolve("blobs/sha256").resolve(descriptor.path("digest").asText().substring("sha256:".length()));
  }

  static BridgeConfig packagedConfig() {
    return new ConfigLoader(Map.<String, String>of()::get).load(Path.of("src/packaging/config.yml"), key -> true);
  }

  @Test
  void theEntrypointIsThePackagesCommandServingAsANonRootUser() {
    JsonNode c = config.path("config");
    assertThat(c.path("Entrypoint").toString()).isEqualTo("[\"/usr/bin/fulcrum-scim\",\"serve\"]");
    assertThat(c.path("Cmd").isMissingNode() || c.path("Cmd").isEmpty()).as("no Cmd appended to serve").isTrue();
    assertThat(c.path("User").asText()).isEqualTo(USER);
    assertThat(c.path("WorkingDir").asText()).isEqualTo("/var/lib/fulcrum-scim");
    assertThat(c.path("Env").toString()).contains("FULCRUM_SCIM_HOST=0.0.0.0", "FULCRUM_SCIM_CDS=off");
  }

  @Test
  void theImageExposesTheConfiguredPortAndKeepsTheDatabaseOnAVolume() {
    BridgeConfig packaged = packagedConfig();
    JsonNode c = config.path("config");
    assertThat(c.path("ExposedPorts").has(packaged.server().port() + "/tcp")).as(c.path("ExposedPorts").toString()).isTrue();
    assertThat(c.path("Volumes").has("/var/lib/fulcrum-scim")).isTrue();
    assertThat(packaged.storage().path()).startsWithRaw(Path.of("/var/lib/fulcrum-scim"));
    assertThat(entries).as("the volume's directory belongs to the image's user, so a new volume is writable")
        .contains("drwx------ 65532/65532 /var/lib/fulcrum-scim");
  }

  @Test
  void theLabelsNameTheVersionAndTheRevisionTheJarWasBuiltFrom() throws IOException {
    Properties build = new Properties();
    try (var in = Files.newInputStream(Path.of("target/classes/fulcrum-scim-build.properties"))) {
      build.load(in);
    }
    JsonNode labels = config.path("config").path("Labels");
    assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo(build.getProperty("version"));
    assertThat(labels.path("org.opencontainers.image.revision").asText())
        .matches("[0-9a-f]{40}").startsWith(build.getProperty("commit"));
    assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("fulcrum-scim");
  }

  @Test
  void theLayersHoldThePackagesJarCommandAndSampleConfigWhereTheDebPutsThem() {
    assertThat(entries).contains(
        "-rwxr-xr-x 0/0 /usr/bin/fulcrum-scim",
        "-rw-r--r-- 0/0 /usr/share/fulcrum-scim/lib/fulcrum-scim.jar",
        "-rw-r--r-- 0/0 /etc/fulcrum-scim/config.yml");
    assertThat(entries).as("Jib's own classes and dependency jars are filtered out: the shaded jar is the program")
        .noneMatch(e -> e.contains(" /app"));
    assertThat(entries).as("a JRE in the base image").anyMatch(e -> e.endsWith("/bin/java") && e.contains("/usr/lib/jvm/java-17-openjdk"));
  }

  @Test
  void theImagesFilesAreTheOnesThePackagesShip() throws Exception {
    Path root = unpackedRoot();
    assertThat(Files.mismatch(root.resolve("usr/bin/fulcrum-scim"), Path.of("src/packaging/fulcrum-scim"))).isEqualTo(-1L);
    assertThat(Files.mismatch(root.resolve("etc/fulcrum-scim/config.yml"), Path.of("src/packaging/config.yml"))).isEqualTo(-1L);
    assertThat(Files.mismatch(root.resolve("usr/share/fulcrum-scim/lib/fulcrum-scim.jar"), Path.of("target/fulcrum-scim.jar")))
        .isEqualTo(-1L);
  }

  /**
   * The entrypoint from the unpacked layers, as the image's user, in its working directory and with
   * only its environment, in fresh mount, PID and network namespaces (root only: unshare, chroot,
   * device nodes); a runtime does the same with more isolation.
   */
  @Test
  void theEntrypointServesReadyzAsTheImageUserAndStopsCleanlyOnSigterm() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "running the image's root filesystem needs root (unshare, chroot, mknod); the checks of its contents ran");
    Path root = unpackedRoot();
    for (String node : List.of("null 1 3", "zero 1 5", "random 1 8", "urandom 1 9")) {
      String[] n = node.split(" ");
      PackageIT.Run made = PackageIT.run(Map.of(), dir, "mknod", "-m", "666", root.resolve("dev/" + n[0]).toString(), "c", n[1], n[2]);
      assertThat(made.exit()).as(made.out()).isZero();
    }
    JsonNode c = config.path("config");
    String[] user = c.path("User").asText().split(":");
    List<String> command = new ArrayList<>(List.of("unshare", "--net", "--pid", "--fork", "--kill-child", "--mount-proc",
        "--root=" + root, "--wd=" + c.path("WorkingDir").asText(), "--setuid", user[0], "--setgid", user[1], "--"));
    c.path("Entrypoint").forEach(a -> command.add(a.asText()));
    c.path("Cmd").forEach(a -> command.add(a.asText()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("container.log").toFile()).directory(dir.toFile());
    pb.environment().clear();
    c.path("Env").forEach(e -> pb.environment().put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
    Process unshare = pb.start();
    try {
      // unshare itself is in the new network namespace; its loopback starts down.
      assertThat(nsenter(unshare, "ip", "link", "set", "lo", "up").exit()).isZero();
      int port = packagedConfig().server().port();
      String readyz = "";
      Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
      while (!readyz.startsWith("HTTP/1.1 200") && unshare.isAlive() && Instant.now().isBefore(deadline)) {
        Thread.sleep(500);
        readyz = nsenter(unshare, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port
            + " && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3").out();
      }
      assertThat(readyz).as(log()).startsWith("HTTP/1.1 200").contains("\"status\":\"ready\"", "embedded Fulcrum emulator");
      PosixFileAttributes db = Files.readAttributes(root.resolve("var/lib/fulcrum-scim/fulcrum-scim.db"), PosixFileAttributes.class);
      assertThat(db.owner().getName()).as("the database belongs to the image's user").isIn(user[0], "65532");

      // The runtime's `stop`: SIGTERM to the container's first process, the JVM itself (the command execs it).
      ProcessHandle first = unshare.toHandle().children().findFirst().orElseThrow();
      assertThat(first.info().command().orElse("")).as("the command execs java").endsWith("/java");
      first.destroy();
      assertThat(unshare.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(unshare.exitValue()).as(log()).isZero();
      assertThat(log()).contains("stopped cleanly");
    } finally {
      unshare.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  static PackageIT.Run nsenter(Process target, String... command) throws Exception {
    List<String> all = new ArrayList<>(List.of("nsenter", "-t", String.valueOf(target.pid()), "-n"));
    all.addAll(List.of(command));
    return PackageIT.run(Map.of(), dir, all.toArray(String[]::new));
  }

  static String log() throws IOException {
    return Files.readString(dir.resolve("container.log"));
  }

  /** The layers unpacked in order into one tree (once); tar keeps owners and modes when run as root. */
  static synchronized Path unpackedRoot() throws Exception {
    Path root = dir.resolve("rootfs");
    if (!Files.isDirectory(root)) {
      Path partial = Files.createDirectory(dir.resolve("rootfs.partial"));
      for (JsonNode layer : manifest.path("layers")) {
        PackageIT.Run unpacked = PackageIT.run(Map.of(), dir, "tar", "--numeric-owner", "-xzf", blob(layer).toString(), "-C", partial.toString());
        assertThat(unpacked.exit()).as(unpacked.out()).isZero();
      }
      assertThat(entries).as("no whiteouts to apply").noneMatch(e -> e.contains("/.wh."));
      Files.move(partial, root);
    }
    return root;
  }
}
