// BouncyCastle as the producer and judge of its own keystores (BKS, BKS-V1, UBER, BCFKS).
// Run with bcprov on the class path:
//   make OUTDIR STOREPASS INDIR   writes OUTDIR/store.{bks,bks-v1,uber,bcfks}, store-kwp.bcfks
//                                 (AES key wrap, HMAC-SHA3-512), store-scrypt.bcfks and
//                                 fuzz.bcfks (cheap to open: the fuzz tests' seed)
//                                 from INDIR's rsa.key/rsa.crt/rsa-ca.crt/ec.key/ec.crt/ec-ca.crt/
//                                 trusted.crt (PKCS#8 and certificate DER)
//   dump STOREPASS TYPE=PATH...   prints every entry of each store as a JSON line, as its
//                                 KeyStore sees it (BC's types, or the JDK's own: PKCS12, JKS…)
//   raw OUTDIR STOREPASS INDIR    opaque.bks, holding an opaque key entry (setKeyEntry with
//                                 bytes), and ownpass.bks, a key under its own password
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Collections;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.util.PBKDF2Config;
import org.bouncycastle.crypto.util.ScryptConfig;
import org.bouncycastle.jcajce.BCFKSLoadStoreParameter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public class BcStores {
    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static Certificate cert(Path dir, String name) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        try (FileInputStream in = new FileInputStream(dir.resolve(name).toFile())) {
            return factory.generateCertificate(in);
        }
    }

    static PrivateKey key(Path dir, String name, String algorithm) throws Exception {
        byte[] der = Files.readAllBytes(dir.resolve(name));
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    static void fill(KeyStore ks, Path in, char[] pass) throws Exception {
        ks.setKeyEntry("rsa-key", key(in, "rsa.key", "RSA"), pass,
            new Certificate[] {cert(in, "rsa.crt"), cert(in, "rsa-ca.crt")});
        ks.setKeyEntry("ec-key", key(in, "ec.key", "EC"), pass,
            new Certificate[] {cert(in, "ec.crt"), cert(in, "ec-ca.crt")});
        ks.setCertificateEntry("trusted-ca", cert(in, "trusted.crt"));
        byte[] aes = new byte[32];
        byte[] hmac = new byte[20];
        for (int i = 0; i < aes.length; i++) aes[i] = (byte) (i * 7 + 1);
        for (int i = 0; i < hmac.length; i++) hmac[i] = (byte) (0xA0 + i);
        ks.setKeyEntry("aes-key", new SecretKeySpec(aes, "AES"), pass, null);
        ks.setKeyEntry("hmac-key", new SecretKeySpec(hmac, "HmacSHA256"), pass, null);
    }

    static void write(KeyStore ks, Path out, char[] pass) throws Exception {
        try (FileOutputStream stream = new FileOutputStream(out.toFile())) {
            ks.store(stream, pass);
        }
    }

    static KeyStore open(String type) throws Exception {
        if (type.equals("BKS-V1")) {
            // Version 1 is off by default since BC 1.71; this property turns it back on.
            System.setProperty("org.bouncycastle.bks.enable_v1", "true");
            return new KeyStore(new org.bouncycastle.jcajce.provider.keystore.bc.BcKeyStoreSpi.Version1(),
                Security.getProvider("BC"), "BKS-V1") {};
        }
        if (type.equals("BKS") || type.equals("UBER") || type.equals("BCFKS")) {
            return KeyStore.getInstance(type, "BC");
        }
        return KeyStore.getInstance(type); // PKCS12, JKS, JCEKS: the JDK's own, as keytool's
    }

    public static void main(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (args[0].equals("make") || args[0].equals("raw")) {
            Path out = Path.of(args[1]);
            char[] pass = args[2].toCharArray();
            Path in = Path.of(args[3]);
            if (args[0].equals("raw")) {
                KeyStore ks = KeyStore.getInstance("BKS", "BC");
                ks.load(null, null);
                ks.setKeyEntry("opaque", new byte[] {1, 2, 3, 4, 5}, null);
                ks.setCertificateEntry("trusted-ca", cert(in, "trusted.crt"));
                write(ks, out.resolve("opaque.bks"), pass);
                // A BKS whose key 'own' has a password of its own ("ownpass2").
                KeyStore own = KeyStore.getInstance("BKS", "BC");
                own.load(null, null);
                own.setKeyEntry("own", key(in, "rsa.key", "RSA"), "ownpass2".toCharArray(),
                    new Certificate[] {cert(in, "rsa.crt"), cert(in, "rsa-ca.crt")});
                own.setKeyEntry("shared", key(in, "ec.key", "EC"), pass,
                    new Certificate[] {cert(in, "ec.crt"), cert(in, "ec-ca.crt")});
                write(own, out.resolve("ownpass.bks"), pass);
                return;
            }
            for (String[] made : new String[][] {
                    {"BKS", "store.bks"}, {"BKS-V1", "store.bks-v1"}, {"UBER", "store.uber"},
                    {"BCFKS", "store.bcfks"}}) {
                KeyStore ks = open(made[0]);
                ks.load(null, null);
                fill(ks, in, pass);
                write(ks, out.resolve(made[1]), pass);
            }
            // BCFKS with AES key wrap (KWP) for the store and its keys, and an HMAC-SHA3-512 MAC.
            try (FileOutputStream stream = new FileOutputStream(out.resolve("store-kwp.bcfks").toFile())) {
                BCFKSLoadStoreParameter params = new BCFKSLoadStoreParameter.Builder(stream, pass)
                    .withStoreEncryptionAlgorithm(BCFKSLoadStoreParameter.EncryptionAlgorithm.AES256_KWP)
                    .withStoreMacAlgorithm(BCFKSLoadStoreParameter.MacAlgorithm.HmacSHA3_512)
                    .withStorePBKDFConfig(new PBKDF2Config.Builder()
                        .withIterationCount(4096).withSaltLength(32)
                        .withPRF(PBKDF2Config.PRF_SHA512).build())
                    .build();
                KeyStore ks = KeyStore.getInstance("BCFKS", "BC");
                ks.load(new BCFKSLoadStoreParameter.Builder().withStoreEncryptionAlgorithm(
                    BCFKSLoadStoreParameter.EncryptionAlgorithm.AES256_KWP).build());
                fill(ks, in, pass);
                ks.store(params);
            }
            // A cheap BCFKS for the fuzz tests: 1,024 store iterations, one key (BC protects
            // each key with 51,200 iterations whatever the store says).
            try (FileOutputStream stream = new FileOutputStream(out.resolve("fuzz.bcfks").toFile())) {
                BCFKSLoadStoreParameter params = new BCFKSLoadStoreParameter.Builder(stream, pass)
                    .withStorePBKDFConfig(new PBKDF2Config.Builder().withIterationCount(1024)
                        .withSaltLength(16).withPRF(PBKDF2Config.PRF_SHA512).build())
                    .build();
                KeyStore ks = KeyStore.getInstance("BCFKS", "BC");
                ks.load(null, null);
                ks.setKeyEntry("ec-key", key(in, "ec.key", "EC"), pass,
                    new Certificate[] {cert(in, "ec.crt"), cert(in, "ec-ca.crt")});
                ks.setCertificateEntry("trusted-ca", cert(in, "trusted.crt"));
                ks.store(params);
            }
            // BCFKS whose MAC and store key come from scrypt (N=1024, r=8, p=1).
            try (FileOutputStream stream = new FileOutputStream(out.resolve("store-scrypt.bcfks").toFile())) {
                BCFKSLoadStoreParameter params = new BCFKSLoadStoreParameter.Builder(stream, pass)
                    .withStorePBKDFConfig(new ScryptConfig.Builder(1024, 8, 1).withSaltLength(20).build())
                    .build();
                KeyStore ks = KeyStore.getInstance("BCFKS", "BC");
                ks.load(null, null);
                fill(ks, in, pass);
                ks.store(params);
            }
            return;
        }
        // dump STOREPASS TYPE=PATH...: one JVM for every store; each line names its store.
        char[] pass = args[1].toCharArray();
        for (int n = 2; n < args.length; n++) {
            String type = args[n].substring(0, args[n].indexOf('='));
            String path = args[n].substring(args[n].indexOf('=') + 1);
            KeyStore ks = open(type);
            try (FileInputStream in = new FileInputStream(path)) {
                ks.load(in, pass);
            }
            for (String alias : Collections.list(ks.aliases())) {
                System.out.println(describe(ks, alias, pass, path));
            }
        }
    }

    static String describe(KeyStore ks, String alias, char[] pass, String path) throws Exception {
        StringBuilder line = new StringBuilder();
        line.append("{\"store\":\"").append(path).append("\",\"provider\":\"")
            .append(ks.getProvider().getName()).append("\",\"alias\":\"").append(alias).append("\"");
        if (ks.isCertificateEntry(alias)) {
            line.append(",\"type\":\"trusted-cert\",\"chain\":[\"")
                .append(sha256(ks.getCertificate(alias).getEncoded())).append("\"]");
        } else {
            boolean secret = ks.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class);
            line.append(",\"type\":\"").append(secret ? "secret-key" : "private-key").append("\"");
            String algorithm = "";
            String encoded = "";
            try {
                Key key = ks.getKey(alias, pass);
                algorithm = key.getAlgorithm();
                encoded = HexFormat.of().formatHex(key.getEncoded());
            } catch (Exception | Error unreadable) {
                // BKS opaque entries, and BCFKS HMAC keys (BC 1.72 has no factory for their
                // OID), cannot be read back through the KeyStore API.
            }
            line.append(",\"algorithm\":\"").append(algorithm).append("\"");
            line.append(",\"key\":\"").append(encoded).append("\"");
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
        return line.append("}").toString();
    }
}
