// A minimal JVM HTTPS client: it trusts and authenticates exactly as the javax.net.ssl.*
// system properties say, so it proves what a JVM configured the same way would do.
// `ks verify --java` runs it from source (java HttpsProbe.java URL) and passes the stores in
// KS_PROBE_* environment variables, so that no password is on a command line; the demo and
// the tests compile it and give -Djavax.net.ssl.trustStore=... [-Djavax.net.ssl.keyStore=...].
// Output: "status=<code> body=<first line> cipher=<suite>" then "ok: HTTP <code>"; or one
// line "failed: <exception>: <message> (<root cause>: <message>)" and exit status 1.
import java.io.InputStream;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

public class HttpsProbe {
    static void set(String property, String variable) {
        String value = System.getenv(variable);
        if (value != null) System.setProperty(property, value);
    }

    public static void main(String[] args) throws Exception {
        set("javax.net.ssl.trustStore", "KS_PROBE_TRUSTSTORE");
        set("javax.net.ssl.trustStorePassword", "KS_PROBE_TRUSTSTORE_PASSWORD");
        set("javax.net.ssl.keyStore", "KS_PROBE_KEYSTORE");
        set("javax.net.ssl.keyStorePassword", "KS_PROBE_KEYSTORE_PASSWORD");
        set("javax.net.ssl.keyStoreType", "KS_PROBE_KEYSTORE_TYPE");
        try {
            HttpsURLConnection connection = (HttpsURLConnection) new URL(args[0]).openConnection();
            connection.setConnectTimeout(10000);
            connection.setReadTimeout(10000);
            int status = connection.getResponseCode();
            String cipher = connection.getCipherSuite();
            String body = "";
            // The handshake is the verdict: a server that answers with an error status
            // still accepted this client.
            try (InputStream in = connection.getInputStream()) {
                body = new String(in.readAllBytes(), "UTF-8").trim();
            } catch (Exception e) {
            }
            System.out.println("status=" + status + " body=" + body + " cipher=" + cipher);
            System.out.println("ok: HTTP " + status);
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null) root = root.getCause();
            System.out.println("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (root != e ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")" : ""));
            System.exit(1);
        }
    }
}
