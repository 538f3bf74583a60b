package dev.gil4j.it.apps;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty, the HTTP server, in its default configuration (a queued thread pool, selector and acceptor
 * threads), loaded by {@code wrk} on loopback: {@code JettyLoad WRK SECONDS CONNECTIONS}. The
 * handler renders {@value #ROWS} rows of text per request; {@code wrk} keeps {@code CONNECTIONS}
 * connections busy for {@code SECONDS} and checks every response body against the expected one in a
 * Lua script.
 *
 * <p>Prints {@code wrk}'s output (prefixed {@code wrk|}) and {@code gil4j-metric} lines: {@code
 * requests} and {@code requests_per_s} as {@code wrk} counted them, {@code bodies_checked} and
 * {@code bad_bodies} from the script, {@code non_2xx} and {@code socket_errors} ({@code wrk} prints
 * them only when there are any), and {@code served}, the requests the handler answered.
 */
public final class JettyLoad {
  static final int ROWS = 40;
  private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ");
  private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern BODIES = Pattern.compile("bodies checked (\\d+), bad (\\d+)");

  /**
   * Counts each thread's bodies and the bad ones; {@code done} runs after the threads end and adds
   * up their counts. {@code BODY} stands for the expected body.
   */
  private static final String SCRIPT =
      """
      local threads = {}
      function setup(thread) table.insert(threads, thread) end
      function init(args) checked = 0; bad = 0 end
      function response(status, headers, body)
        checked = checked + 1
        if body ~= expected then bad = bad + 1 end
      end
      function done(summary, latency, requests)
        local c, b = 0, 0
        for _, t in ipairs(threads) do c = c + t:get("checked"); b = b + t:get("bad") end
        io.write(string.format("bodies checked %d, bad %d\\n", c, b))
      end
      expected = [==[BODY]==]
      """;

  private JettyLoad() {}

  public static void main(String[] args) throws Exception {
    String wrk = args[0];
    int seconds = Integer.parseInt(args[1]);
    int connections = Integer.parseInt(args[2]);
    AtomicLong served = new AtomicLong();
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new RowsHandler(served));
    server.start();
    Path script = Files.createTempFile("gil4j-wrk", ".lua");
    String output;
    try {
      Files.writeString(script, SCRIPT.replace("BODY", rows(ROWS)));
      String url = "http://127.0.0.1:" + connector.getLocalPort() + "/rows?n=" + ROWS;
      Process load =
          new ProcessBuilder(
                  wrk,
                  "-t2",
                  "-c" + connections,
                  "-d" + seconds + "s",
                  "--timeout",
                  "10s",
                  "-s",
                  script.toString(),
                  url)
              .redirectErrorStream(true)
              .start();
      output = new String(load.getInputStream().readAllBytes(), UTF_8);
      int status = load.waitFor();
      output.lines().forEach(l -> System.out.println("wrk| " + l));
      if (status != 0) {
        throw new IllegalStateException("wrk exited with status " + status);
      }
    } finally {
      server.stop();
      Files.delete(script);
    }
    Matcher bodies = find(BODIES, output);
    Matcher errors = SOCKET_ERRORS.matcher(output);
    long socketErrors = 0;
    if (errors.find()) {
      for (int g = 1; g <= 4; g++) {
        socketErrors += Long.parseLong(errors.group(g));
      }
    }
    Matcher non2xx = NON_2XX.matcher(output);
    System.out.printf("gil4j-metric requests %s 1%n", find(REQUESTS, output).group(1));
    System.out.printf("gil4j-metric requests_per_s %s 1/s%n", find(RATE, output).group(1));
    System.out.printf("gil4j-metric bodies_checked %s 1%n", bodies.group(1));
    System.out.printf("gil4j-metric bad_bodies %s 1%n", bodies.group(2));
    System.out.printf("gil4j-metric non_2xx %s 1%n", non2xx.find() ? non2xx.group(1) : "0");
    System.out.printf("gil4j-metric socket_errors %d 1%n", socketErrors);
    System.out.printf("gil4j-metric served %d 1%n", served.get());
  }

  private static Matcher find(Pattern pattern, String output) {
    Matcher m = pattern.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no '" + pattern + "' in wrk's output:\n" + output);
    }
    return m;
  }

  /** The body for {@code /rows?n=N}: one line per row, its number and a hash of it. */
  static String rows(int n) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < n; i++) {
      body.append(i).append(' ').append(Long.toHexString(mix(i))).append('\n');
    }
    return body.toString();
  }

  private static long mix(long x) {
    x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
    x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }

  /** Answers {@code /rows?n=N} with {@link #rows}, counting the requests it answered. */
  private static final class RowsHandler extends Handler.Abstract {
    private final AtomicLong served;

    RowsHandler(AtomicLong served) {
      this.served = served;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int n = Integer.parseInt(Request.extractQueryParameters(request).getValue("n"));
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
      // Counted before the write, so that every response wrk has read is already counted.
      served.incrementAndGet();
      Content.Sink.write(response, true, rows(n), callback);
      return true;
    }
  }
}
