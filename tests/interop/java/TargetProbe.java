// What one Java runtime makes of a batch of keystores: for each, whether KeyStore.load accepts
// it, whether getKey returns every key entry, and which aliases it sees as trusted certificates.
// Compiled once with --release 11 so that every JRE of the target matrix runs the same class.
// Input on stdin, UTF-8, one store a line: TYPE <TAB> PATH <TAB> P<password> | N (no password).
// Output on stdout: one JSON object a line, in input order.
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public class TargetProbe {
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(error.getClass().getSimpleName() + ": " + error.getMessage());
        for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
            text.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    static String probe(String type, String path, char[] password) {
        KeyStore store;
        try {
            store = KeyStore.getInstance(type);
            try (FileInputStream in = new FileInputStream(path)) {
                store.load(in, password);
            }
        } catch (Throwable error) {
            return "{\"loads\":false,\"error\":" + quote(describe(error)) + "}";
        }
        List<String> trusted = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> keyErrors = new ArrayList<>();
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias)) {
                    trusted.add(quote(alias));
                } else if (store.isKeyEntry(alias)) {
                    try {
                        Key key = store.getKey(alias, password);
                        if (key == null) {
                            keyErrors.add(quote(alias + ": getKey returned null"));
                        } else {
                            keys.add(quote(alias));
                        }
                    } catch (Throwable error) {
                        keyErrors.add(quote(alias + ": " + describe(error)));
                    }
                }
            }
        } catch (Throwable error) {
            return "{\"loads\":false,\"error\":" + quote(describe(error)) + "}";
        }
        return "{\"loads\":true,\"trusted\":" + trusted + ",\"keys\":" + keys
            + ",\"key_errors\":" + keyErrors + "}";
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\t", 3);
            char[] password = parts[2].startsWith("P") ? parts[2].substring(1).toCharArray() : null;
            out.println(probe(parts[0], parts[1], password));
        }
    }
}
