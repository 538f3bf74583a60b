package dev.gil4j.agent.internal;

/**
 * One instrumented JDK concept: the class, which of its methods (by name, and optionally by the
 * start of the descriptor or its return type), and the advice they get. Native and abstract methods
 * never match: they have no body to wrap.
 *
 * @param type the class's internal name, {@code java/lang/Thread}
 * @param name the method's name, or the start of it if {@code prefix}
 * @param prefix whether {@code name} is the start of the name
 * @param arguments the descriptor's start up to its closing parenthesis, {@code ([BII)}, or null
 *     for any arguments
 * @param returns the return type's descriptor, {@code I}, or null for any
 * @param advice what the methods get
 */
record JdkPoint(
    String type, String name, boolean prefix, String arguments, String returns, JdkAdvice advice) {

  /** The methods {@code name} of {@code type} (binary name, with dots), any descriptor. */
  static JdkPoint of(String type, String name, JdkAdvice advice) {
    return new JdkPoint(type.replace('.', '/'), name, false, null, null, advice);
  }

  /** The methods of {@code type} whose names start with {@code prefix}. */
  static JdkPoint startingWith(String type, String prefix, JdkAdvice advice) {
    return new JdkPoint(type.replace('.', '/'), prefix, true, null, null, advice);
  }

  /** The methods {@code name} of {@code type} taking exactly {@code arguments}, {@code ([BII)}. */
  static JdkPoint taking(String type, String name, String arguments, JdkAdvice advice) {
    return new JdkPoint(type.replace('.', '/'), name, false, arguments, null, advice);
  }

  /** The methods {@code name} of {@code type} returning {@code returns}, a type descriptor. */
  static JdkPoint returning(String type, String name, String returns, JdkAdvice advice) {
    return new JdkPoint(type.replace('.', '/'), name, false, null, returns, advice);
  }

  /** Each of {@code names} of {@code type}, any descriptor. */
  static JdkPoint[] each(String type, JdkAdvice advice, String... names) {
    JdkPoint[] points = new JdkPoint[names.length];
    for (int i = 0; i < names.length; i++) {
      points[i] = of(type, names[i], advice);
    }
    return points;
  }

  /** Whether the method {@code methodName} with descriptor {@code desc} is one of these. */
  boolean matches(String methodName, String desc) {
    return (prefix ? methodName.startsWith(name) : methodName.equals(name))
        && (arguments == null || desc.startsWith(arguments))
        && (returns == null || desc.endsWith(")" + returns));
  }
}
