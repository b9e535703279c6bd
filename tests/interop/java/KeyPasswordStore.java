// Rewrites a PKCS12 with every private key under its own password, as the JDK's
// two-password test store is made: the KeyStore API honours a per-entry PasswordProtection
// for PKCS12 (keytool -destkeypass does not). Usage: in.p12 storepass out.p12 keypass
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.security.KeyStore;
import java.util.Collections;

public class KeyPasswordStore {
    public static void main(String[] args) throws Exception {
        char[] storePass = args[1].toCharArray();
        KeyStore in = KeyStore.getInstance("PKCS12");
        try (FileInputStream stream = new FileInputStream(args[0])) {
            in.load(stream, storePass);
        }
        KeyStore out = KeyStore.getInstance("PKCS12");
        out.load(null, null);
        KeyStore.PasswordProtection storeProtection = new KeyStore.PasswordProtection(storePass);
        KeyStore.PasswordProtection keyProtection =
            new KeyStore.PasswordProtection(args[3].toCharArray());
        for (String alias : Collections.list(in.aliases())) {
            KeyStore.Entry entry = in.getEntry(alias, in.isKeyEntry(alias) ? storeProtection : null);
            out.setEntry(alias, entry, in.isKeyEntry(alias) ? keyProtection : null);
        }
        try (FileOutputStream stream = new FileOutputStream(args[2])) {
            out.store(stream, storePass);
        }
    }
}
