package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.config.FileProblem;
import io.javalin.config.JavalinConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS from {@code server.tls}: a PEM certificate chain (leaf first) and an unencrypted PKCS#8
 * RSA or EC private key. Everything is checked at load, so a bad file stops start-up with one line
 * naming the key and the file instead of failing the first TLS handshake.
 */
public final class TlsSupport {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  /** The key store lives only in memory; its password protects nothing and is never configured. */
  private static final char[] IN_MEMORY = "in-memory".toCharArray();
  private static final String ALIAS = "bridge";

  private final KeyStore keyStore;
  /** The factory the HTTPS connector uses, once one was made: {@link #reload} swaps its key store. */
  private SslContextFactory.Server serving;

  private TlsSupport(KeyStore keyStore) {
    this.keyStore = keyStore;
  }

  /** Reads and checks both files. */
  public static TlsSupport load(BridgeConfig.Tls tls) {
    PemFile certFile = new PemFile("server.tls.certificate", Path.of(tls.certificate()), tls.certificateFrom());
    PemFile keyFile = new PemFile("server.tls.private_key", Path.of(tls.privateKey()), tls.privateKeyFrom());
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile, chain.get(0).getPublicKey().getAlgorithm());
    if (!matches(key, chain.get(0))) {
      throw keyFile.refused("this key does not belong to the certificate in " + certFile.named()
          + " (the first certificate must be the server's own)");
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, key, IN_MEMORY, chain.toArray(new Certificate[0]));
      return new TlsSupport(store);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build an in-memory key store: " + e.getMessage(), e);
    }
  }

  /** For an HTTP client or server outside Jetty. */
  public SSLContext sslContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, IN_MEMORY);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  public SslContextFactory.Server sslContextFactory() {
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setKeyStore(keyStore);
    factory.setKeyStorePassword(new String(IN_MEMORY));
    return factory;
  }

  /**
   * Reads {@code tls} again (a renewed certificate) and hands it to the running connector: new
   * handshakes use it, open connections keep theirs. A bad file throws and leaves the old one serving.
   */
  public synchronized void reload(BridgeConfig.Tls tls) {
    TlsSupport fresh = load(tls);
    if (serving == null) {
      throw new IllegalStateException("no HTTPS connector serves this certificate");
    }
    try {
      serving.reload(factory -> factory.setKeyStore(fresh.keyStore));
    } catch (Exception e) {
      throw new IllegalStateException("the HTTPS connector refused the new certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the Javalin being configured listen with HTTPS on {@code host:port} instead of plain
   * HTTP. Start that Javalin with {@code start()}: the connector already knows host and port.
   */
  public void useHttps(JavalinConfig cfg, String host, int port) {
    cfg.jetty.addConnector((server, httpConfig) -> {
      HttpConfiguration https = new HttpConfiguration(httpConfig);
      // No SNI host check: clients reach the bridge by IP (the URL it prints) or by a name the
      // certificate may not list; the certificate is the client's to verify, not ours to refuse.
      https.addCustomizer(new SecureRequestCustomizer(false));
      SslContextFactory.Server factory = sslContextFactory();
      synchronized (this) {
        serving = factory;
      }
      ServerConnector connector = new ServerConnector(server,
          new SslConnectionFactory(factory, HttpVersion.HTTP_1_1.asString()),
          new HttpConnectionFactory(https));
      connector.setHost(host);
      connector.setPort(port);
      return connector;
    });
  }

  private static List<X509Certificate> certificates(PemFile file) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block block : blocks(file)) {
        if (block.type().equals("CERTIFICATE")) {
          chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
        }
      }
    } catch (GeneralSecurityException e) {
      throw file.refused("not a valid X.509 certificate: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      throw file.refused("no PEM certificate in the file (expected -----BEGIN CERTIFICATE-----)");
    }
    return chain;
  }

  private static PrivateKey privateKey(PemFile file, String algorithm) {
    List<Block> blocks = blocks(file);
    for (Block block : blocks) {
      switch (block.type()) {
        case "PRIVATE KEY" -> {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(block.der()));
          } catch (GeneralSecurityException e) {
            throw file.refused("not a PKCS#8 " + algorithm + " key matching the certificate's key type: " + e.getMessage());
          }
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw file.refused(
            "a PKCS#1/SEC1 key (" + block.type() + "); convert it to PKCS#8 with "
                + "`openssl pkcs8 -topk8 -nocrypt -in " + file.inShell() + " -out key.pk8.pem`");
        case "ENCRYPTED PRIVATE KEY" -> throw file.refused(
            "the key is encrypted; store it unencrypted (mode 0600, readable by the service user only): "
                + "`openssl pkcs8 -topk8 -nocrypt -in " + file.inShell() + " -out key.pk8.pem`");
        default -> {
          // certificates or parameters next to the key: not what we look for
        }
      }
    }
    throw file.refused("no PEM private key in the file (expected -----BEGIN PRIVATE KEY-----)");
  }

  /** Proves possession instead of comparing key encodings, which differ between RSA and EC. */
  private static boolean matches(PrivateKey key, X509Certificate certificate) {
    try {
      String algorithm = "SHA256with" + (key.getAlgorithm().equals("EC") ? "ECDSA" : key.getAlgorithm());
      byte[] probe = "fulcrum-scim key check".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private record Block(String type, byte[] der) {}

  /**
   * The file {@code key} names. {@code from}: the text a variable gave the name from, null when the
   * config writes it: its lines name that text instead, as a variable's value may be a secret given
   * there by mistake, the key's own text (review-s13e F3).
   */
  private record PemFile(String key, Path path, String from) {
    /** The file, or "the file ${TLS_KEY} names (its value not shown)". */
    String named() {
      return from == null ? path.toString() : "the file " + from + " names (its value not shown)";
    }

    /** The file as a shell command line takes it: its name, or the variable's text for a shell that sets it. */
    String inShell() {
      return from == null ? path.toString() : from;
    }

    ConfigException refused(String problem) {
      return new ConfigException(named(), key, problem);
    }
  }

  private static List<Block> blocks(PemFile file) {
    String text;
    try {
      text = Files.readString(file.path(), StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw file.refused("file not found");
    } catch (IOException e) {
      throw file.refused("cannot read: " + FileProblem.of(e));
    }
    List<Block> blocks = new ArrayList<>();
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw file.refused("the " + m.group(1) + " block is not valid base64");
      }
    }
    return blocks;
  }
}
