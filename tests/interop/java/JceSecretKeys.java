// Writes a JCEKS holding a secret key of every algorithm the JDK's KeyGenerator makes, plus a
// PBKDF2WithHmacSHA1 key (keytool -importpass makes only PBE* keys, so the API makes this one).
// Usage: java JceSecretKeys.java OUT.jceks STOREPASS
import java.io.FileOutputStream;
import java.security.KeyStore;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

public class JceSecretKeys {
    public static void main(String[] args) throws Exception {
        char[] pass = args[1].toCharArray();
        KeyStore ks = KeyStore.getInstance("JCEKS");
        ks.load(null, null);
        KeyStore.PasswordProtection protection = new KeyStore.PasswordProtection(pass);
        PBEKeySpec spec = new PBEKeySpec("hunter2".toCharArray(), new byte[16], 1000, 256);
        ks.setEntry("pbkdf2", new KeyStore.SecretKeyEntry(
            SecretKeyFactory.getInstance("PBKDF2WithHmacSHA1").generateSecret(spec)), protection);
        for (String algorithm : new String[] {"AES", "DES", "DESede", "ARCFOUR", "Blowfish",
                "ChaCha20", "HmacSHA256", "HmacSHA512/256", "HmacSHA3-256"}) {
            ks.setEntry(algorithm.toLowerCase().replace("/", "-"),
                new KeyStore.SecretKeyEntry(KeyGenerator.getInstance(algorithm).generateKey()),
                protection);
        }
        try (FileOutputStream out = new FileOutputStream(args[0])) {
            ks.store(out, pass);
        }
    }
}
