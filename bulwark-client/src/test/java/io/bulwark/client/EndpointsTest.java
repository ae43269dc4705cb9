package io.bulwark.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Goal: {@code BulwarkClient.connect} accepts "host:port,host:port" (DESIGN §8 {@code --cluster})
 * and refuses anything else with an IllegalArgumentException that names the bad part. Method:
 * parse lists directly, and connect (which makes no network call) to valid ones.
 */
class EndpointsTest {

  @ParameterizedTest(name = "[{index}] \"{0}\" names \"{1}\"")
  @CsvSource(delimiter = '|', value = {
      "localhost|localhost",
      "localhost:|localhost:",
      ":7000|:7000",
      "host:abc|host:abc",
      "host:70000|host:70000",
      "host:0|host:0",
      "a:1,,b:2|endpoint 2",
      "a:1,b|\"b\"",
      "::1:7000|::1:7000",
      "[::1:7000|[::1:7000",
      "a b:7000|a b:7000",
  })
  void malformedEndpoints_throwIllegalArgumentNamingThePart(String endpoints, String named) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BulwarkClient.connect(endpoints));
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void emptyEndpoints_throwIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> BulwarkClient.connect(""));
    assertThrows(IllegalArgumentException.class, () -> BulwarkClient.connect(" "));
    assertThrows(IllegalArgumentException.class,
        () -> BulwarkClient.connect(List.of(), ClientOptions.defaults()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BulwarkClient.connect(List.of("a:1", "a:1,b:2"), ClientOptions.defaults()));
    assertTrue(e.getMessage().contains("a:1,b:2"), e.getMessage());
  }

  @Test
  void validEndpoints_areCanonicalAndDeduplicated() {
    assertEquals(List.of("a:1", "b.example:65535", "[::1]:7000"),
        Endpoints.parseList(" a:1, B.example:65535,[::1]:7000,A:1"));
    assertEquals("[::1]:7000", Endpoints.canonicalOrNull("[::1]:7000"));
    assertEquals(null, Endpoints.canonicalOrNull("nonsense"));
  }

  @Test
  void connect_makesNoNetworkCall() {
    try (BulwarkClient c = BulwarkClient.connect("127.0.0.1:1,127.0.0.1:2")) {
      assertEquals(36, c.clientId().length());
    }
  }
}
