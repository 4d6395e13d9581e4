package com.fulcrumscim.scim;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Jetty pads its thread pool's job queue (BlockingArrayQueue) to a cache line of object references.
 * To count them it asks whether references are compressed through the platform MBeanServer, which
 * builds that server and registers every platform MBean: about 150 classes, and some 0.2 s of CPU
 * of serve's start (issue 12), for one flag no one reads over JMX here. The flag is asked here of
 * the HotSpot MXBean alone, and the count Jetty would make from it is handed to Jetty in its own
 * property ({@value #PROPERTY}); a value the operator set stays.
 */
final class JettyCacheLine {
  static final String PROPERTY = "org.eclipse.jetty.util.referencesPerCacheLine";
  /** Jetty's own property and default for the cache line's size. */
  static final String BYTES_PROPERTY = "org.eclipse.jetty.util.cacheLineBytes";
  static final int BYTES_DEFAULT = 64;

  private JettyCacheLine() {}

  /** Before the first Jetty server is built: its class reads the property once. */
  static void tellJetty() {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, Integer.toString(referencesPerLine(lineBytes(), compressedReferences())));
    }
  }

  /** As Jetty counts: 4-byte references when compressed, else 8. */
  static int referencesPerLine(int lineBytes, boolean compressed) {
    return compressed ? lineBytes >> 2 : lineBytes >> 3;
  }

  private static int lineBytes() {
    try {
      return Integer.parseInt(System.getProperty(BYTES_PROPERTY, Integer.toString(BYTES_DEFAULT)));
    } catch (NumberFormatException e) {
      return BYTES_DEFAULT; // as Jetty
    }
  }

  /** Jetty takes references for compressed when it cannot tell; so does this. */
  private static boolean compressedReferences() {
    try {
      return Boolean.parseBoolean(
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("UseCompressedOops").getValue());
    } catch (RuntimeException e) {
      return true;
    }
  }
}
