// A JVM TLS client configured only by the javax.net.ssl.* properties: it verifies the server
// (host name included, as HTTPS does), presents a client certificate when asked, sends one GET
// and prints the protocol and the status line. Exit 1 with the reason when anything fails.
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

public class TlsProbe {
    public static void main(String[] args) throws Exception {
        SSLSocketFactory factory = (SSLSocketFactory) SSLSocketFactory.getDefault();
        try (SSLSocket socket = (SSLSocket) factory.createSocket(args[0], Integer.parseInt(args[1]))) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            String protocol = socket.getSession().getProtocol();
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + args[0] + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println("protocol=" + protocol + " " + response.split("\r\n", 2)[0]);
        } catch (Exception e) {
            System.out.println("failed: " + e);
            System.exit(1);
        }
    }
}
