package dev.gil4j.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough JSON to write results — objects keep their keys in the order they were put, numbers
 * that are not finite (a missing median) become {@code null} — and to read the agent's summaries
 * back ({@link #parse}).
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

  /**
   * Reads one JSON value: an object becomes a {@code Map<String, Object>} (keys in order), an array
   * a {@code List<Object>}, a whole number a {@code Long}, another number a {@code Double}, {@code
   * true}/{@code false} a {@code Boolean}, {@code null} null.
   *
   * @throws IllegalArgumentException saying where the text stops being JSON
   */
  static Object parse(String text) {
    Reader r = new Reader(text);
    Object value = r.value();
    r.skipSpace();
    if (r.at < text.length()) {
      throw r.bad("end of text");
    }
    return value;
  }

  private static final class Reader {
    private final String text;
    private int at;

    Reader(String text) {
      this.text = text;
    }

    Object value() {
      skipSpace();
      if (at >= text.length()) {
        throw bad("a value");
      }
      char c = text.charAt(at);
      switch (c) {
        case '{' -> {
          at++;
          Map<String, Object> members = new LinkedHashMap<>();
          if (!next('}')) {
            do {
              skipSpace();
              String key = string();
              expect(':');
              members.put(key, value());
            } while (next(','));
            expect('}');
          }
          return members;
        }
        case '[' -> {
          at++;
          List<Object> elements = new ArrayList<>();
          if (!next(']')) {
            do {
              elements.add(value());
            } while (next(','));
            expect(']');
          }
          return elements;
        }
        case '"' -> {
          return string();
        }
        default -> {
          for (String word : new String[] {"true", "false", "null"}) {
            if (text.startsWith(word, at)) {
              at += word.length();
              return word.equals("null") ? null : Boolean.valueOf(word);
            }
          }
          return number();
        }
      }
    }

    private Object number() {
      int start = at;
      while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
        at++;
      }
      String n = text.substring(start, at);
      try {
        return n.matches("-?[0-9]+") ? (Object) Long.valueOf(n) : (Object) Double.valueOf(n);
      } catch (NumberFormatException e) {
        at = start;
        throw bad("a value");
      }
    }

    private String string() {
      if (at >= text.length() || text.charAt(at) != '"') {
        throw bad("a string");
      }
      StringBuilder out = new StringBuilder();
      for (at++; at < text.length(); at++) {
        char c = text.charAt(at);
        if (c == '"') {
          at++;
          return out.toString();
        }
        if (c == '\\' && at + 1 < text.length()) {
          char e = text.charAt(++at);
          switch (e) {
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'u' -> {
              if (at + 4 >= text.length()) {
                throw bad("four hex digits");
              }
              try {
                out.append((char) Integer.parseInt(text.substring(at + 1, at + 5), 16));
              } catch (NumberFormatException x) {
                throw bad("four hex digits");
              }
              at += 4;
            }
            default -> out.append(e);
          }
        } else {
          out.append(c);
        }
      }
      throw bad("the end of a string");
    }

    private boolean next(char c) {
      skipSpace();
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!next(c)) {
        throw bad("'" + c + "'");
      }
    }

    void skipSpace() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
        at++;
      }
    }

    IllegalArgumentException bad(String expected) {
      return new IllegalArgumentException("not JSON at character " + at + ": expected " + expected);
    }
  }
}
