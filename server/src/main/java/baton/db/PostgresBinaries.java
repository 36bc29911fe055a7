package baton.db;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
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
import java.util.EnumSet;
import java.util.HexFormat;
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
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(operatingSystem(), architecture())) {
            archive = in.readAllBytes();
        }
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
                EmbeddedPostgresServer.deleteRecursively(leftover);
            }
        }
    }

    /** Same naming as zonky's EmbeddedPostgres.getOS(). */
    private static String operatingSystem() {
        String name = System.getProperty("os.name", "");
        if (name.startsWith("Windows")) {
            return "Windows";
        }
        if (name.startsWith("Mac")) {
            return "Darwin";
        }
        if (name.startsWith("Linux")) {
            return "Linux";
        }
        throw new UnsupportedOperationException("Unknown operating system " + name);
    }

    /** Same naming as zonky's EmbeddedPostgres.getArchitecture(). */
    private static String architecture() {
        String arch = System.getProperty("os.arch", "");
        return "amd64".equals(arch) ? "x86_64" : arch;
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
