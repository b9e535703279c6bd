// Runs several keytool commands in one JVM (one start instead of one per key): each line of
// the file named by args[0] is one command's arguments, separated by tabs. Stops at the first
// command that fails, with its exit status.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

public class KeytoolBatch {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] command = line.split("\t");
            // Main's constructor is private in JDK 17; run() is what its main() calls before
            // it exits on failure.
            Class<?> main = Class.forName("sun.security.tools.keytool.Main");
            java.lang.reflect.Constructor<?> make = main.getDeclaredConstructor();
            make.setAccessible(true);
            Object tool = make.newInstance();
            java.lang.reflect.Method run = main.getDeclaredMethod(
                "run", String[].class, java.io.PrintStream.class);
            run.setAccessible(true);
            try {
                run.invoke(tool, command, System.out);
            } catch (java.lang.reflect.InvocationTargetException e) {
                System.err.println("keytool " + String.join(" ", command) + ": " + e.getCause());
                System.exit(1);
            }
        }
    }
}
