package baton.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The two passwords of the embedded PostgreSQL, each in a file of the base directory that only its
 * owner may read or write (0600): {@code superuser.password} for the superuser {@code postgres}
 * (initdb's {@code --pwfile}; used to create Baton's role and by {@code baton db}) and
 * {@code baton.password} for the role {@code baton} that Baton connects as.
 */
final class PostgresSecrets {

    static final String SUPERUSER_FILE = "superuser.password";
    static final String BATON_FILE = "baton.password";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path baseDir;

    PostgresSecrets(Path baseDir) {
        this.baseDir = baseDir;
    }

    Path superuserFile() {
        return baseDir.resolve(SUPERUSER_FILE);
    }

    Path batonFile() {
        return baseDir.resolve(BATON_FILE);
    }

    /** The superuser's password, when its file exists. */
    Optional<String> superuser() {
        return read(superuserFile());
    }

    /** Baton's password, when its file exists. */
    Optional<String> baton() {
        return read(batonFile());
    }

    /** The superuser's password, made (32 random bytes) and stored first when there is none. The caller holds the start lock. */
    String superuserOrCreate() throws IOException {
        return readOrCreate(superuserFile());
    }

    /** Baton's password, made and stored first when there is none. The caller holds the start lock. */
    String batonOrCreate() throws IOException {
        return readOrCreate(batonFile());
    }

    private static Optional<String> read(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("The password file " + file + " cannot be read (" + e.getMessage() + ").", e);
        }
    }

    private static String readOrCreate(Path file) throws IOException {
        Optional<String> existing = read(file);
        if (existing.isPresent()) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return existing.get();
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        // URL-safe base64 without padding: nothing a shell, a URL or pg_hba could misread.
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        // Created 0600 from the start (never readable by others, not even for a moment), written
        // aside and renamed, so a crash never leaves half a password.
        Path scratch = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(scratch);
        try {
            Files.createFile(scratch, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another process writes " + scratch + " outside the start lock", e);
        }
        Files.writeString(scratch, password + "\n", StandardCharsets.UTF_8);
        Files.move(scratch, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return password;
    }
}
