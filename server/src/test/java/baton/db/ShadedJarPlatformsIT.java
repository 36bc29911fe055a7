package baton.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** The jar users run carries the embedded PostgreSQL of every platform the README names. */
class ShadedJarPlatformsIT {

    private static final Path JAR = Path.of(System.getProperty("baton.jar", "target/baton.jar"));

    @Test
    void packagesLinuxAndMacArchivesForX86AndArm() throws Exception {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            for (String name : new String[] {"postgres-linux-x86_64.txz", "postgres-linux-arm_64.txz",
                    "postgres-darwin-x86_64.txz", "postgres-darwin-arm_64.txz"}) {
                assertThat(jar.getEntry(name)).as(name + " in " + JAR).isNotNull();
            }
        }
    }

    /** Selection as the jar does it, in a class loader that sees only the jar. */
    @Test
    void theJarSelectsItsArm64ArchiveForAarch64() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> binaries = Class.forName("baton.db.PostgresBinaries", false, loader);
            Method read = binaries.getDeclaredMethod("readArchive", String.class, String.class);
            read.setAccessible(true);
            byte[] linux = (byte[]) read.invoke(null, "Linux", "aarch64");
            PostgresBinariesTest.isElfAarch64(PostgresBinariesTest.postgresBinaryHeader(linux));
            byte[] mac = (byte[]) read.invoke(null, "Mac OS X", "aarch64");
            PostgresBinariesTest.isMachOArm64(PostgresBinariesTest.postgresBinaryHeader(mac));
        }
    }
}
