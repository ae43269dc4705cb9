package io.bulwark.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.HdrHistogram.Histogram;

/**
 * The physical floor of one acknowledged write on this machine (issue 7): one fdatasync plus
 * two loopback round trips — what any store needs at least to make a write durable on a
 * replica it has to ask. Measured in the bench's own run so that the single-client p50 is
 * judged against this machine at this moment, not against a figure from another day.
 *
 * <p>The fdatasync is {@code FileChannel.force(false)} after appending a record of the bench's
 * value size to a file in {@code dir} (put it on the file system the stores write to); the
 * round trip is a small message echoed over a loopback TCP connection with Nagle off, as a
 * request and its reply travel.
 *
 * @param fdatasyncP50Ms the median of {@code samples} synced appends
 * @param loopbackRttP50Ms the median of {@code samples} loopback echoes
 */
public record PhysicalFloor(double fdatasyncP50Ms, double loopbackRttP50Ms, int samples) {

  /** One fdatasync and two round trips (client to primary, primary to backup). */
  public double floorMs() {
    return fdatasyncP50Ms + 2 * loopbackRttP50Ms;
  }

  /** Measures both, {@code samples} times each, with records of {@code recordBytes}. */
  public static PhysicalFloor measure(Path dir, int samples, int recordBytes) throws IOException {
    if (samples < 1 || recordBytes < 1) {
      throw new IllegalArgumentException("samples and recordBytes must be positive, were "
          + samples + " and " + recordBytes);
    }
    return new PhysicalFloor(fdatasyncP50(dir, samples, recordBytes),
        loopbackRttP50(samples, recordBytes), samples);
  }

  private static double fdatasyncP50(Path dir, int samples, int recordBytes) throws IOException {
    Histogram h = new Histogram(3);
    Path file = Files.createTempFile(dir, "floor-", ".log");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer record = ByteBuffer.allocate(recordBytes);
      for (int i = 0; i < samples; i++) {
        record.clear();
        long start = System.nanoTime();
        while (record.hasRemaining()) {
          ch.write(record);
        }
        ch.force(false);
        h.recordValue(System.nanoTime() - start);
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return h.getValueAtPercentile(50) / 1e6;
  }

  private static double loopbackRttP50(int samples, int messageBytes) throws IOException {
    Histogram h = new Histogram(3);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
      Thread echo = new Thread(() -> echo(server, messageBytes, samples), "floor-echo");
      echo.setDaemon(true);
      echo.start();
      try (Socket s = new Socket(loopback, server.getLocalPort())) {
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] message = new byte[messageBytes];
        for (int i = 0; i < samples; i++) {
          long start = System.nanoTime();
          out.write(message);
          out.flush();
          in.readFully(message);
          h.recordValue(System.nanoTime() - start);
        }
      }
    }
    return h.getValueAtPercentile(50) / 1e6;
  }

  private static void echo(ServerSocket server, int messageBytes, int samples) {
    try (Socket s = server.accept()) {
      s.setTcpNoDelay(true);
      InputStream in = s.getInputStream();
      DataInputStream data = new DataInputStream(in);
      OutputStream out = s.getOutputStream();
      byte[] message = new byte[messageBytes];
      for (int i = 0; i < samples; i++) {
        data.readFully(message);
        out.write(message);
        out.flush();
      }
    } catch (IOException e) {
      // The measuring side reports its own failure; the echo just ends.
    }
  }
}
