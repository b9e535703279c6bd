// A minimal JVM HTTPS client: it trusts and authenticates exactly as the javax.net.ssl.*
// system properties say, so it proves what a JVM agent configured the same way would do.
// Usage: java -Djavax.net.ssl.trustStore=... [-Djavax.net.ssl.keyStore=...] HttpsProbe URL
import java.io.InputStream;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

public class HttpsProbe {
    public static void main(String[] args) throws Exception {
        try {
            HttpsURLConnection connection = (HttpsURLConnection) new URL(args[0]).openConnection();
            connection.setConnectTimeout(10000);
            connection.setReadTimeout(10000);
            int status = connection.getResponseCode();
            String cipher = connection.getCipherSuite();
            String body;
            try (InputStream in = connection.getInputStream()) {
                body = new String(in.readAllBytes(), "UTF-8").trim();
            }
            System.out.println("status=" + status + " body=" + body
                + " cipher=" + cipher);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            System.out.println("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (root != e ? " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : ""));
            System.exit(1);
        }
    }
}
