package com.fulcrumscim.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.testing.BridgeProcess;
import com.fulcrumscim.testing.ScimTestServer;
import io.javalin.Javalin;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSupportTest {
  @TempDir static Path dir;
  static Pem rsa;
  static Pem ec;

  /** A self-signed certificate for localhost and 127.0.0.1 with its key, as PEM files. */
  record Pem(Path certificate, Path privateKey, Certificate cert) {
    BridgeConfig.Tls tls() {
      return new BridgeConfig.Tls(certificate.toString(), privateKey.toString());
    }
  }

  @BeforeAll
  static void generate() throws Exception {
    rsa = selfSigned("rsa", "-keyalg", "RSA", "-keysize", "2048");
    ec = selfSigned("ec", "-keyalg", "EC", "-groupname", "secp256r1");
  }

  static Pem selfSigned(String name, String... keyOptions) throws Exception {
    Path store = dir.resolve(name + ".p12");
    String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> command = new java.util.ArrayList<>(List.of(keytool, "-genkeypair", "-alias", "t",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret", "-keypass", "secret"));
    command.addAll(List.of(keyOptions));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(output).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "secret".toCharArray());
    }
    Certificate cert = ks.getCertificate("t");
    Path certFile = Files.writeString(dir.resolve(name + "-cert.pem"), pem("CERTIFICATE", cert.getEncoded()));
    Path keyFile = Files.writeString(dir.resolve(name + "-key.pem"),
        pem("PRIVATE KEY", ks.getKey("t", "secret".toCharArray()).getEncoded()));
    return new Pem(certFile, keyFile, cert);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** A server answering /hello over HTTPS with {@code tls}. */
  static Javalin serve(TlsSupport tls) {
    return Javalin.create(cfg -> {
      cfg.routes.get("/hello", ctx -> ctx.result("hello over " + ctx.scheme()));
      tls.useHttps(cfg, "127.0.0.1", 0);
    }).start();
  }

  /** GET https://localhost:port/hello on a new connection, trusting only {@code pem}'s certificate. */
  static HttpResponse<String> get(int port, Pem pem) throws Exception {
    return get("localhost", port, pem);
  }

  static HttpResponse<String> get(String host, int port, Pem pem) throws Exception {
    return trusting(pem).send(HttpRequest.newBuilder(URI.create("https://" + host + ":" + port + "/hello")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A client that trusts only {@code pem}'s certificate. */
  static HttpClient trusting(Pem pem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("bridge", pem.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(client).build();
  }

  @Test
  void aBridgeReloadWhoseCertificateDoesNotLoadLeavesTheTokensAsTheyWereToo() throws Exception {
    String before = "token_hashes: [\"" + com.fulcrumscim.scim.BearerTokens.sha256Hex("old") + "\"]";
    String after = "token_hashes: [\"" + com.fulcrumscim.scim.BearerTokens.sha256Hex("new") + "\"]";
    String config = "storage:\n  path: " + dir.resolve("reload.db") + "\nserver:\n  tls:\n    certificate: %s\n    private_key: "
        + rsa.privateKey() + "\nscim:\n  %s\n";
    ConfigLoader loader = new ConfigLoader(n -> null);
    Bridge bridge = new Bridge(ScimTestServer.withPort(loader.parse("test", config.formatted(rsa.certificate(), before)), 0),
        n -> null, Clock.systemUTC(), new SecureRandom()).start();
    try {
      Path broken = Files.writeString(dir.resolve("broken-cert.pem"), "not a certificate\n");
      assertThatThrownBy(() -> bridge.reload(loader.parse("test", config.formatted(broken, after))))
          .hasMessageContaining("server.tls.certificate");

      URI users = URI.create("https://localhost:" + bridge.port() + "/scim/v2/Users");
      assertThat(trusting(rsa).send(HttpRequest.newBuilder(users).header("Authorization", "Bearer old").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).as("the old token still works").isEqualTo(200);
      assertThat(trusting(rsa).send(HttpRequest.newBuilder(users).header("Authorization", "Bearer new").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
    } finally {
      bridge.stop();
    }
  }

  static HttpResponse<String> httpsRoundTrip(TlsSupport tls, Pem pem) throws Exception {
    return httpsRoundTrip(tls, pem, "localhost");
  }

  static HttpResponse<String> httpsRoundTrip(TlsSupport tls, Pem pem, String host) throws Exception {
    Javalin app = serve(tls);
    try {
      return get(host, app.port(), pem);
    } finally {
      app.stop();
    }
  }

  @Test
  void aReloadServesTheRenewedCertificateToNewConnections() throws Exception {
    TlsSupport tls = TlsSupport.load(rsa.tls());
    Javalin app = serve(tls);
    try {
      assertThat(get(app.port(), rsa).statusCode()).isEqualTo(200);
      tls.reload(ec.tls());
      assertThat(get(app.port(), ec).body()).isEqualTo("hello over https");
      assertThatThrownBy(() -> get(app.port(), rsa)).as("the old certificate is gone").isInstanceOf(java.io.IOException.class);
    } finally {
      app.stop();
    }
  }

  @Test
  void aReloadOfABrokenFileKeepsTheOldCertificateServing() throws Exception {
    TlsSupport tls = TlsSupport.load(rsa.tls());
    Javalin app = serve(tls);
    try {
      assertThatThrownBy(() -> tls.reload(new BridgeConfig.Tls(rsa.certificate().toString(), ec.privateKey().toString())))
          .hasMessageContaining("server.tls.private_key");
      assertThat(get(app.port(), rsa).statusCode()).isEqualTo(200);
    } finally {
      app.stop();
    }
  }

  @Test
  void servesHttpsWithAnRsaKey() throws Exception {
    HttpResponse<String> r = httpsRoundTrip(TlsSupport.load(rsa.tls()), rsa);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello over https");
  }

  @Test
  void servesHttpsAtTheIpAddressTheBridgePrints() throws Exception {
    // a client connecting by IP sends no SNI name; Jetty's SNI host check answered "400 Invalid SNI"
    HttpResponse<String> r = httpsRoundTrip(TlsSupport.load(rsa.tls()), rsa, "127.0.0.1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello over https");
  }

  @Test
  void servesHttpsWithAnEcKey() throws Exception {
    assertThat(httpsRoundTrip(TlsSupport.load(ec.tls()), ec).body()).isEqualTo("hello over https");
  }

  @Test
  void buildsAnSslContextForOtherServers() {
    assertThat(TlsSupport.load(rsa.tls()).sslContext().getProtocol()).isEqualTo("TLS");
  }

  @Test
  void aMissingCertificateFileNamesTheKeyAndTheFile() {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(() -> TlsSupport.load(new BridgeConfig.Tls(missing.toString(), rsa.privateKey().toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": server.tls.certificate: file not found");
  }

  @Test
  void aCertificateThatCannotBeReadSaysWhyInWords() throws Exception {
    Path underAFile = Files.writeString(dir.resolve("a-file"), "").resolve("cert.pem");
    assertThatThrownBy(() -> TlsSupport.load(new BridgeConfig.Tls(underAFile.toString(), rsa.privateKey().toString())))
        .hasMessage(underAFile + ": server.tls.certificate: cannot read: not a directory");
  }

  @Test
  void aFileWithoutACertificateSaysWhatWasExpected() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    assertThatThrownBy(() -> TlsSupport.load(new BridgeConfig.Tls(notPem.toString(), rsa.privateKey().toString())))
        .hasMessage(notPem + ": server.tls.certificate: no PEM certificate in the file (expected -----BEGIN CERTIFICATE-----)");
  }

  @Test
  void aPkcs1KeyIsRefusedWithTheConversionCommand() throws Exception {
    Path pkcs1 = Files.writeString(dir.resolve("pkcs1.pem"), pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThatThrownBy(() -> TlsSupport.load(new BridgeConfig.Tls(rsa.certificate().toString(), pkcs1.toString())))
        .hasMessageStartingWith(pkcs1 + ": server.tls.private_key: a PKCS#1/SEC1 key (RSA PRIVATE KEY); convert it to PKCS#8")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    // an RSA key as keytool writes one (PKCS#8), made here: only the key matters, and a keytool JVM costs seconds
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    Path other = Files.writeString(dir.resolve("other-key.pem"), pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded()));
    assertThatThrownBy(() -> TlsSupport.load(new BridgeConfig.Tls(rsa.certificate().toString(), other.toString())))
        .hasMessageStartingWith(other + ": server.tls.private_key: this key does not belong to the certificate in "
            + rsa.certificate());
  }

  @Test
  void aKeyOfTheWrongTypeIsRefused() {
    assertThatThrownBy(() -> TlsSupport.load(new BridgeConfig.Tls(rsa.certificate().toString(), ec.privateKey().toString())))
        .hasMessageStartingWith(ec.privateKey() + ": server.tls.private_key: not a PKCS#8 RSA key");
  }

  /** review-s13e F3: a file name a variable gave is named by the variable in the line, never by its value. */
  @Test
  void aFileAVariableNamesIsNamedByTheVariableNotByItsValue() {
    String missing = dir.resolve("s3cret-named.pem").toString();
    BridgeConfig c = new ConfigLoader(java.util.Map.of("TLS_KEY", missing)::get).parse("config.yml",
        "server:\n  tls:\n    certificate: " + rsa.certificate() + "\n    private_key: ${TLS_KEY}\n");
    assertThatThrownBy(() -> TlsSupport.load(c.server().tls()))
        .hasMessage("the file ${TLS_KEY} names (its value not shown): server.tls.private_key: file not found");
  }

  /** review-s13e F3: `TLS_KEY=$(base64 -w0 key.pem)` passed the load and was printed whole as a file not found. */
  @Test
  void aKeyBase64dIntoAVariableIsRefusedByCheckWithoutPrintingIt() throws Exception {
    String base64 = Base64.getEncoder().encodeToString(Files.readAllBytes(rsa.privateKey()));
    Path config = Files.writeString(dir.resolve("base64-key.yml"), "storage:\n  path: " + dir.resolve("b.db")
        + "\nserver:\n  tls:\n    certificate: " + rsa.certificate() + "\n    private_key: ${TLS_KEY}\n");
    BridgeProcess check = BridgeProcess.command(java.util.Map.of("TLS_KEY", base64), "check", "--config", config.toString());
    assertThat(check.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(check.terminate()).isEqualTo(2);
    String printed = String.join("\n", check.output());
    assertThat(printed).contains("server.tls.private_key: ${TLS_KEY} (its value not shown): must name a PEM file")
        .doesNotContain(base64.substring(0, 16)).doesNotContain(base64.substring(base64.length() - 40));
  }
}
