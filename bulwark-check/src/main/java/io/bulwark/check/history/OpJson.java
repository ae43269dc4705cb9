package io.bulwark.check.history;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that knows the JSON shape of an event (DESIGN §9), so that the reader, the writer
 * and error messages agree. Unknown fields are ignored (DESIGN §8: more fields may be added);
 * duplicate fields and trailing content are errors. Thread-safe.
 */
final class OpJson {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(FACTORY).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private OpJson() {}

  /**
   * Parses one event.
   *
   * @throws IllegalArgumentException naming the field and what is wrong with it
   */
  static Op fromJson(String line) {
    JsonNode root = parseTree(line);
    if (!root.isObject()) {
      throw new IllegalArgumentException("an event must be a JSON object, got " + describe(root));
    }
    long process = integerField(root, "process");
    OpType type = OpType.fromJsonName(textField(root, "type"));
    if (type == null) {
      throw badField("type", "must be invoke, ok, fail or info", root.get("type"));
    }
    OpFunction f = OpFunction.fromJsonName(textField(root, "f"));
    if (f == null) {
      throw badField("f", "must be read, write, cas or txn", root.get("f"));
    }
    String key = optionalKey(root.get("key"));
    OpValue value = parseValue(f, requiredField(root, "value"));
    long timeNanos = integerField(root, "time");
    return new Op(process, type, f, key, value, timeNanos);
  }

  /** Renders one event as a single line of JSON, without the line break. */
  static String toJson(Op op) {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = FACTORY.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeNumberField("process", op.process());
      gen.writeStringField("type", op.type().jsonName());
      gen.writeStringField("f", op.f().jsonName());
      if (op.key() != null) {
        gen.writeStringField("key", op.key());
      }
      gen.writeFieldName("value");
      writeValue(gen, op.value());
      gen.writeNumberField("time", op.timeNanos());
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
    }
    return out.toString();
  }

  /** Renders a value as it appears in a history file. */
  static String render(OpValue value) {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = FACTORY.createGenerator(out)) {
      writeValue(gen, value);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
    }
    return out.toString();
  }

  /** Renders a micro-op as it appears in a history file. */
  static String render(MicroOp microOp) {
    StringWriter out = new StringWriter();
    try (JsonGenerator gen = FACTORY.createGenerator(out)) {
      writeMicroOp(gen, microOp);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
    }
    return out.toString();
  }

  private static JsonNode parseTree(String line) {
    try {
      return MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "malformed JSON at column "
              + e.getLocation().getColumnNr()
              + ": "
              + e.getOriginalMessage());
    }
  }

  private static OpValue parseValue(OpFunction f, JsonNode node) {
    switch (f) {
      case READ:
      case WRITE:
        return new OpValue.Scalar(nullableText(node, "value"));
      case CAS:
        if (!node.isArray() || node.size() != 2) {
          throw badField("value", "of a cas must be [expected, new]", node);
        }
        return new OpValue.Cas(
            nullableText(node.get(0), "value[0]"), nullableText(node.get(1), "value[1]"));
      case TXN:
        return new OpValue.Txn(parseMicroOps(node));
      default:
        throw new IllegalStateException("unhandled function " + f);
    }
  }

  private static List<MicroOp> parseMicroOps(JsonNode node) {
    if (!node.isArray()) {
      throw badField("value", "of a txn must be a list of micro-ops", node);
    }
    List<MicroOp> microOps = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      String where = "value[" + i + "]";
      JsonNode step = node.get(i);
      if (!step.isArray() || step.size() != 3) {
        throw badField(where, "must be [\"r\"|\"w\", key, value]", step);
      }
      JsonNode kind = step.get(0);
      String key = step.get(1).isTextual() ? step.get(1).textValue() : null;
      if (key == null) {
        throw badField(where + "[1]", "must be a key string", step.get(1));
      }
      String value = nullableText(step.get(2), where + "[2]");
      if ("r".equals(kind.textValue())) {
        microOps.add(MicroOp.read(key, value));
      } else if ("w".equals(kind.textValue())) {
        microOps.add(MicroOp.write(key, value));
      } else {
        throw badField(where + "[0]", "must be \"r\" or \"w\"", kind);
      }
    }
    return microOps;
  }

  private static void writeValue(JsonGenerator gen, OpValue value) throws IOException {
    if (value instanceof OpValue.Scalar) {
      gen.writeString(((OpValue.Scalar) value).value());
    } else if (value instanceof OpValue.Cas) {
      OpValue.Cas cas = (OpValue.Cas) value;
      gen.writeStartArray();
      gen.writeString(cas.expected());
      gen.writeString(cas.newValue());
      gen.writeEndArray();
    } else {
      gen.writeStartArray();
      for (MicroOp microOp : ((OpValue.Txn) value).microOps()) {
        writeMicroOp(gen, microOp);
      }
      gen.writeEndArray();
    }
  }

  private static void writeMicroOp(JsonGenerator gen, MicroOp microOp) throws IOException {
    gen.writeStartArray();
    gen.writeString(microOp.kind().jsonName());
    gen.writeString(microOp.key());
    gen.writeString(microOp.value());
    gen.writeEndArray();
  }

  private static JsonNode requiredField(JsonNode root, String name) {
    JsonNode node = root.get(name);
    if (node == null) {
      throw new IllegalArgumentException("missing field \"" + name + "\"");
    }
    return node;
  }

  private static long integerField(JsonNode root, String name) {
    JsonNode node = requiredField(root, name);
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw badField(name, "must be an integer", node);
    }
    return node.longValue();
  }

  private static String textField(JsonNode root, String name) {
    JsonNode node = requiredField(root, name);
    if (!node.isTextual()) {
      throw badField(name, "must be a string", node);
    }
    return node.textValue();
  }

  private static String optionalKey(JsonNode node) {
    return node == null ? null : nullableText(node, "key");
  }

  private static String nullableText(JsonNode node, String name) {
    if (node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw badField(name, "must be a string or null", node);
    }
    return node.textValue();
  }

  private static IllegalArgumentException badField(String name, String rule, JsonNode got) {
    return new IllegalArgumentException(
        "field \"" + name + "\" " + rule + ", got " + describe(got));
  }

  private static String describe(JsonNode node) {
    String text = node.toString();
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
