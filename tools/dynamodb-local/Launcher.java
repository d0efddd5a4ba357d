// Launcher starts Amazon's DynamoDB Local bound to 127.0.0.1 only.
//
// DynamoDB Local has no host option: its ServerRunner listens on every
// interface. This launcher builds the same server from the same command-line
// arguments (-port, -inMemory, -dbPath, -sharedDb, -disableTelemetry, ...),
// then, before starting it, sets the host of each Jetty ServerConnector to
// 127.0.0.1, so the test server is never reachable from the network.
//
// Compile against the jar and its libraries:
//
//	javac -cp 'DIR/DynamoDBLocal.jar:DIR/DynamoDBLocal_lib/*' -d OUT Launcher.java
//
// and run with the same class path plus OUT, and
// -Djava.library.path=DIR/DynamoDBLocal_lib for the native sqlite4java.
import java.lang.reflect.Field;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class Launcher {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        if (proxy == null) { // -help or bad arguments: ServerRunner printed why
            System.exit(2);
        }
        // The Jetty server is a private field; there is no other way to reach
        // its connectors before they bind.
        Field f = DynamoDBProxyServer.class.getDeclaredField("server");
        f.setAccessible(true);
        Server server = (Server) f.get(proxy);
        int bound = 0;
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector) {
                ((ServerConnector) c).setHost(HOST);
                bound++;
            }
        }
        if (bound == 0) { // refuse to start on every interface
            System.err.println("Launcher: no ServerConnector found; refusing to listen on all interfaces");
            System.exit(3);
        }
        proxy.start();
        System.err.println("Launcher: DynamoDB Local listening on " + HOST + " only");
        proxy.join();
    }
}
