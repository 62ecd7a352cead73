package io.cmkaudit.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@code moto_server} process on a free loopback port, started with {@code MOTO_IAM_LOAD_MANAGED_POLICIES=true} so
 * AWS managed policies exist. Started once per JVM by {@link MotoServerExtension}; reset between test classes.
 */
public final class MotoServer implements AutoCloseable {

    /** What tests print when moto_server is missing. */
    public static final String INSTALL_HINT = "moto_server not found on the PATH nor in $HOME/.pyenv/shims: "
            + "install it with pip install 'moto[server]' (Python 3), then re-run the tests";

    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /**
     * Finds {@code moto_server}: every folder of {@code PATH}, then {@code $HOME/.pyenv/shims}.
     *
     * @return the executable, if found
     */
    public static Optional<Path> locate() {
        return locate(System.getenv("PATH"), System.getProperty("user.home"));
    }

    /**
     * @param path a PATH value, or null
     * @param home a home folder, or null
     * @return the first executable {@code moto_server} in the PATH folders, then in {@code home/.pyenv/shims}
     */
    static Optional<Path> locate(String path, String home) {
        List<Path> dirs = new ArrayList<>();
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        if (home != null) {
            dirs.add(Path.of(home, ".pyenv", "shims"));
        }
        return dirs.stream().map(d -> d.resolve("moto_server")).filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts moto_server on a free loopback port and waits (up to 60 s) until it answers.
     *
     * @return the running server
     * @throws IllegalStateException with {@link #INSTALL_HINT} when moto_server is missing, or the log tail when it
     *                               does not come up
     */
    public static MotoServer start() {
        return start(locate(), true);
    }

    /**
     * Starts moto_server, optionally without AWS managed policies: moto then creates each account's IAM in
     * milliseconds instead of ~2 s, which is what large benchmark organizations need.
     *
     * @param loadAwsManagedPolicies whether moto loads AWS managed policies into each account
     * @return the running server
     */
    public static MotoServer start(boolean loadAwsManagedPolicies) {
        return start(locate(), loadAwsManagedPolicies);
    }

    static MotoServer start(Optional<Path> executable) {
        return start(executable, true);
    }

    static MotoServer start(Optional<Path> executable, boolean loadAwsManagedPolicies) {
        Path exe = executable.orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
        int port = freePort();
        try {
            Path log = Files.createTempFile("moto-server-" + port + "-", ".log");
            ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("MOTO_IAM_LOAD_MANAGED_POLICIES", Boolean.toString(loadAwsManagedPolicies));
            pb.environment().remove("MOTO_ACCOUNT_ID");
            Process p = pb.start();
            MotoServer server = new MotoServer(p, URI.create("http://127.0.0.1:" + port), log);
            server.awaitUp(Duration.ofSeconds(180));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + exe + ": " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e.getMessage(), e);
        }
    }

    private void awaitUp(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/data.json"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto_server", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for moto_server", e);
            }
        }
        close();
        throw new IllegalStateException("moto_server did not answer within " + limit.toSeconds() + " s: " + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * @return the server's base URL, e.g. {@code http://127.0.0.1:41234}
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Forgets every resource in every account ({@code POST /moto-api/reset}). Generous limit: with many accounts loaded
     * (each with AWS managed policies) moto takes tens of seconds on a busy 2-core machine.
     */
    public void reset() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset"))
                    .timeout(Duration.ofSeconds(180)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("moto reset answered HTTP " + r.statusCode() + ": " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto reset failed: " + e.getMessage() + "; " + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during moto reset", e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
