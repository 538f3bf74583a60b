package dev.gil4j.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough JSON to write results: objects keep their keys in the order they were put, numbers
 * that are not finite (a missing median) become {@code null}.
 */
final class Json {
  static final Json NULL = new Json("null");

  private final Map<String, Json> members;
  private final List<Json> elements;
  private final String literal;

  private Json(String literal) {
    this.literal = literal;
    this.members = null;
    this.elements = null;
  }

  private Json(Map<String, Json> members, List<Json> elements) {
    this.literal = null;
    this.members = members;
    this.elements = elements;
  }

  static Json object() {
    return new Json(new LinkedHashMap<>(), null);
  }

  static Json array(List<Json> elements) {
    return new Json(null, new ArrayList<>(elements));
  }

  static Json strings(List<String> values) {
    return array(values.stream().map(Json::of).toList());
  }

  static Json of(String s) {
    return s == null ? NULL : new Json(quote(s));
  }

  static Json of(double d) {
    return Double.isFinite(d) ? new Json(number(d)) : NULL;
  }

  static Json of(long n) {
    return new Json(Long.toString(n));
  }

  static Json of(boolean b) {
    return new Json(Boolean.toString(b));
  }

  Json put(String key, Json value) {
    members.put(key, value);
    return this;
  }

  Json put(String key, String value) {
    return put(key, of(value));
  }

  Json put(String key, double value) {
    return put(key, of(value));
  }

  Json put(String key, long value) {
    return put(key, of(value));
  }

  Json put(String key, boolean value) {
    return put(key, of(value));
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    write(out, "");
    return out.toString();
  }

  private void write(StringBuilder out, String indent) {
    if (literal != null) {
      out.append(literal);
      return;
    }
    boolean object = members != null;
    int size = object ? members.size() : elements.size();
    if (size == 0) {
      out.append(object ? "{}" : "[]");
      return;
    }
    String inner = indent + "  ";
    out.append(object ? "{\n" : "[\n");
    int i = 0;
    if (object) {
      for (Map.Entry<String, Json> e : members.entrySet()) {
        out.append(inner).append(quote(e.getKey())).append(": ");
        e.getValue().write(out, inner);
        out.append(++i < size ? ",\n" : "\n");
      }
    } else {
      for (Json e : elements) {
        out.append(inner);
        e.write(out, inner);
        out.append(++i < size ? ",\n" : "\n");
      }
    }
    out.append(indent).append(object ? '}' : ']');
  }

  private static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%.6g", d).replaceFirst("\\.?0+(e|$)", "$1");
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
