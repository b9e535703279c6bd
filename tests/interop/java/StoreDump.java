// Loads a keystore with the JVM's own KeyStore implementation and prints every entry as JSON
// lines, so tests can compare what Java sees with what ks reads and writes.
// Usage: java StoreDump.java TYPE PATH STOREPASS|-  [KEYPASS]
import java.io.FileInputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.HexFormat;

public class StoreDump {
    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    public static void main(String[] args) throws Exception {
        KeyStore ks = KeyStore.getInstance(args[0]);
        char[] storePass = args[2].equals("-") ? null : args[2].toCharArray();
        char[] keyPass = args.length > 3 ? args[3].toCharArray() : storePass;
        try (FileInputStream in = new FileInputStream(args[1])) {
            ks.load(in, storePass);
        }
        for (String alias : Collections.list(ks.aliases())) {
            StringBuilder line = new StringBuilder();
            line.append("{\"alias\":\"").append(alias).append("\"");
            if (ks.isCertificateEntry(alias)) {
                line.append(",\"type\":\"trusted-cert\",\"chain\":[\"")
                    .append(sha256(ks.getCertificate(alias).getEncoded())).append("\"]");
            } else {
                Key key = ks.getKey(alias, keyPass);
                boolean secret = ks.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class);
                line.append(",\"type\":\"").append(secret ? "secret-key" : "private-key").append("\"");
                line.append(",\"algorithm\":\"").append(key.getAlgorithm()).append("\"");
                byte[] encoded = key.getEncoded();
                line.append(",\"key\":\"").append(encoded == null ? "" : HexFormat.of().formatHex(encoded)).append("\"");
                line.append(",\"chain\":[");
                Certificate[] chain = ks.getCertificateChain(alias);
                if (chain != null) {
                    for (int i = 0; i < chain.length; i++) {
                        if (i > 0) line.append(",");
                        line.append("\"").append(sha256(chain[i].getEncoded())).append("\"");
                    }
                }
                line.append("]");
            }
            line.append("}");
            System.out.println(line);
        }
    }
}
