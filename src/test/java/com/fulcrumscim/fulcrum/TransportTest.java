package com.fulcrumscim.fulcrum;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * The client's transport: TLS (the JDK's CA certificates read into a trust manager) only toward an
 * https:// Fulcrum, where it is built at start as before; an http:// one (the emulator on loopback)
 * needs none, and building it was a seventh of serve's start (issue 12).
 */
class TransportTest {
  static OkHttpClient toward(String baseUrl) {
    return CallExecutor.okHttp(FulcrumSettings.of(baseUrl, "tok", 5000, Duration.ofSeconds(5), Duration.ofSeconds(5)));
  }

  @Test
  void anHttpFulcrumGetsACleartextClientWithoutATrustManager() {
    OkHttpClient http = toward("http://127.0.0.1:8089");
    assertThat(http.connectionSpecs()).containsExactly(ConnectionSpec.CLEARTEXT);
    assertThat(http.x509TrustManager()).isNull();
  }

  @Test
  void anHttpsFulcrumGetsItsTrustManagerAtStart() {
    OkHttpClient https = toward("https://api.fulcrumapp.com");
    assertThat(https.connectionSpecs()).contains(ConnectionSpec.MODERN_TLS);
    assertThat(https.x509TrustManager()).isNotNull();
  }
}
