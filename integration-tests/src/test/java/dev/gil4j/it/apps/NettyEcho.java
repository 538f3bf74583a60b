package dev.gil4j.it.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Netty echo server on loopback, on the native epoll transport (whose event loops wait in the JNI
 * call {@code Native.epollWait}) or on Java NIO (whose waits are {@code Selector.select}): {@code
 * NettyEcho epoll|nio SECONDS CONNECTIONS}. Two event loops serve the connections; the load comes
 * from {@link EchoClient} in a separate JVM without the agent, so that the figure is the server's:
 * {@code CONNECTIONS} connections each send a message, wait for its echo and check it, for {@code
 * SECONDS}.
 *
 * <p>Prints {@code gil4j-metric} lines: {@code echoes} and {@code echoes_per_s} counted and checked
 * by the client, {@code bad_echoes}, and {@code echoed_bytes}, what the server wrote back.
 */
public final class NettyEcho {
  private NettyEcho() {}

  @ChannelHandler.Sharable
  static final class Echo extends ChannelInboundHandlerAdapter {
    final AtomicLong bytes = new AtomicLong();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      bytes.addAndGet(((ByteBuf) msg).readableBytes());
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  public static void main(String[] args) throws Exception {
    boolean epoll = args[0].equals("epoll");
    String seconds = args[1];
    String connections = args[2];
    if (epoll && !Epoll.isAvailable()) {
      throw new IllegalStateException("epoll unavailable", Epoll.unavailabilityCause());
    }
    EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    EventLoopGroup workers = epoll ? new EpollEventLoopGroup(2) : new NioEventLoopGroup(2);
    Class<? extends ServerChannel> type =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    Echo echo = new Echo();
    try {
      Channel server =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(type)
              .childHandler(echo)
              .bind(new InetSocketAddress("127.0.0.1", 0))
              .sync()
              .channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      ProcessBuilder pb =
          new ProcessBuilder(
              List.of(
                  java.toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  EchoClient.class.getName(),
                  Integer.toString(port),
                  seconds,
                  connections));
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      pb.redirectErrorStream(true);
      Process client = pb.start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          System.out.println(line);
        }
      }
      if (!client.waitFor(Long.parseLong(seconds) + 30, TimeUnit.SECONDS)) {
        client.destroyForcibly();
        throw new IllegalStateException("echo client hung");
      }
      if (client.exitValue() != 0) {
        throw new IllegalStateException("echo client failed: exit " + client.exitValue());
      }
      server.close().sync();
      System.out.println("gil4j-metric echoed_bytes " + echo.bytes.get());
    } finally {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }
}
