package io.bulwark.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * ZooKeeper's four-letter words over a plain TCP socket: write the word, read until the server
 * closes. (On these machines {@code echo srvr | nc} sometimes returns nothing; a socket from Java
 * is reliable.) The servers must whitelist the word ({@code 4lw.commands.whitelist}).
 */
final class FourLetterWords {
  static final int TIMEOUT_MS = 2_000;
  static final int REPLY_BYTES_MAX = 64 * 1024;

  private FourLetterWords() {}

  /** The reply to {@code word}, or null if the server cannot be reached or does not answer. */
  static String ask(String host, int port, String word) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
      s.setSoTimeout(TIMEOUT_MS);
      OutputStream out = s.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = in.readNBytes(REPLY_BYTES_MAX);
      return new String(reply, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The {@code Mode:} line of a {@code srvr} reply ({@code leader}, {@code follower},
   * {@code standalone}), or null if the reply has none (the server is not serving yet).
   */
  static String mode(String srvrReply) {
    if (srvrReply == null) {
      return null;
    }
    for (String line : srvrReply.split("\n")) {
      if (line.startsWith("Mode:")) {
        return line.substring("Mode:".length()).trim();
      }
    }
    return null;
  }
}
