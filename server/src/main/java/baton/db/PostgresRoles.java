package baton.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.security.SecureRandom;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may connect to the embedded PostgreSQL, and as what: nobody without a password
 * (SCRAM-SHA-256 in pg_hba.conf, no trust line), and Baton only as the role {@code baton}, which
 * is no superuser, may create no database and no role, is a member of no predefined role (so no
 * {@code COPY … FROM PROGRAM}, no server files), and owns the database {@code baton} with its
 * schemas and everything in them. The superuser's password is used here only, to set this up.
 *
 * <p>{@link #secure} also converts a cluster made before this (initdb with trust, every object
 * owned by {@code postgres}): it sets the passwords, creates the role, hands it the database and
 * its objects, and only then rewrites pg_hba.conf and reloads it. Each step can run again, so a
 * crash in between is repaired by the next start.
 */
final class PostgresRoles {

    private static final Logger log = LoggerFactory.getLogger(PostgresRoles.class);

    static final String SUPERUSER = "postgres";
    static final String ROLE = "baton";
    static final String DATABASE = "baton";

    /** Nothing without a password; the Unix socket is off, its line is here for when someone turns it on. */
    static final String PG_HBA = """
            # Written by Baton: every connection needs its role's password (SCRAM-SHA-256); nothing is trusted.
            # TYPE  DATABASE  USER  ADDRESS       METHOD
            local   all       all                 scram-sha-256
            host    all       all   127.0.0.1/32  scram-sha-256
            host    all       all   ::1/128       scram-sha-256
            """;

    private static final String CREATE_ROLE = "create role " + ROLE
            + " login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls";
    private static final String ALTER_ROLE = "alter role " + ROLE
            + " login nosuperuser nocreatedb nocreaterole noinherit noreplication nobypassrls";
    /** Out of every role it may have been granted (pg_execute_server_program, pg_read_server_files, …). */
    private static final String REVOKE_MEMBERSHIPS = """
            do $$
            declare r record;
            begin
                for r in select m.roleid::regrole as granted from pg_auth_members m
                          where m.member = 'baton'::regrole loop
                    execute format('revoke %s from baton', r.granted);
                end loop;
            end
            $$""";
    /** Hands every schema and schema object of the current database that is not PostgreSQL's own to Baton's role. */
    private static final String TRANSFER_OWNERSHIP = """
            do $$
            declare r record;
            begin
                for r in select n.nspname from pg_namespace n
                          where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
                            and n.nspowner <> 'baton'::regrole loop
                    execute format('alter schema %I owner to baton', r.nspname);
                end loop;
                for r in select c.oid::regclass as name, c.relkind from pg_class c
                           join pg_namespace n on n.oid = c.relnamespace
                          where c.relkind in ('r', 'p', 'v', 'm')
                            and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
                            and c.relowner <> 'baton'::regrole loop
                    execute format(case r.relkind when 'v' then 'alter view %s owner to baton'
                                                  when 'm' then 'alter materialized view %s owner to baton'
                                                  else 'alter table %s owner to baton' end, r.name);
                end loop;
                -- sequences of serial and identity columns went with their tables; these are the others
                for r in select c.oid::regclass as name from pg_class c
                           join pg_namespace n on n.oid = c.relnamespace
                          where c.relkind = 'S'
                            and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
                            and c.relowner <> 'baton'::regrole loop
                    execute format('alter sequence %s owner to baton', r.name);
                end loop;
                for r in select p.oid::regprocedure as signature from pg_proc p
                           join pg_namespace n on n.oid = p.pronamespace
                          where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
                            and p.proowner <> 'baton'::regrole loop
                    execute format('alter routine %s owner to baton', r.signature);
                end loop;
                for r in select t.oid::regtype as name from pg_type t
                           join pg_namespace n on n.oid = t.typnamespace
                          where (t.typtype in ('e', 'd', 'r', 'm')
                                 or (t.typtype = 'c' and (select c.relkind from pg_class c where c.oid = t.typrelid) = 'c'))
                            and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema'
                            and t.typowner <> 'baton'::regrole loop
                    execute format('alter type %s owner to baton', r.name);
                end loop;
            end
            $$""";

    /**
     * PBKDF2 iterations of Baton's role. The count only slows down guessing a password a person
     * chose; Baton's is 256 random bits, which no count makes more or less guessable. PostgreSQL's
     * 4096 cost every new connection of a just-started JVM about 60–100 ms of client-side hashing
     * (measured), which a start of {@code serve --stdio} pays several times. The superuser keeps
     * 4096: it logs in only to set things up.
     */
    static final int BATON_SCRAM_ITERATIONS = 1;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dataDir;
    private final PostgresSecrets secrets;

    PostgresRoles(Path dataDir, PostgresSecrets secrets) {
        this.dataDir = dataDir;
        this.secrets = secrets;
    }

    /**
     * Written into the cluster's directory once {@link #secure} has finished, so a process stopped
     * half way (the role or database not made yet, though both passwords are stored) leaves a
     * cluster the next start secures again instead of one whose role never comes.
     */
    static final String SECURED_MARKER = "baton_secured";

    /**
     * Whether the cluster is already set up as described above, judged by the files alone (no
     * connection): both passwords are stored, pg_hba.conf is Baton's, and {@link #secure} ended.
     */
    boolean isSecured() {
        return Files.exists(secrets.superuserFile()) && Files.exists(secrets.batonFile()) && hasBatonsPgHba()
                && Files.exists(dataDir.resolve(SECURED_MARKER));
    }

    private void markSecured() throws IOException {
        Files.writeString(dataDir.resolve(SECURED_MARKER), "secured by Baton\n", StandardCharsets.UTF_8);
    }

    private boolean hasBatonsPgHba() {
        try {
            return PG_HBA.equals(Files.readString(dataDir.resolve("pg_hba.conf"), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL in " + dataDir + " could not be inspected because "
                    + "pg_hba.conf is unreadable (" + e.getMessage() + ").", e);
        }
    }

    /**
     * Sets up (or converts) the running cluster on {@code port}; the caller holds the start lock.
     * On a trust cluster the superuser connects without its password (any is accepted), sets it,
     * and from the reload on nothing connects without one.
     */
    void secure(int port) throws IOException, InterruptedException {
        String superuserPassword = secrets.superuserOrCreate();
        String batonPassword = secrets.batonOrCreate();
        log.info("Securing PostgreSQL in {}: passwords, role {}, owner of database {}", dataDir, ROLE, DATABASE);
        boolean converting;
        try (Connection connection = connect(port, "postgres", SUPERUSER, Optional.of(superuserPassword));
             Statement statement = connection.createStatement()) {
            PGConnection pg = connection.unwrap(PGConnection.class);
            // The driver hashes the password (SCRAM) itself: the statement carries no password.
            pg.alterUserPassword(SUPERUSER, superuserPassword.toCharArray(), "scram-sha-256");
            statement.execute(roleExists(connection) ? ALTER_ROLE : CREATE_ROLE);
            statement.execute(REVOKE_MEMBERSHIPS);
            statement.execute("alter role " + ROLE + " password '" + batonVerifier(batonPassword) + "'");
            converting = databaseExists(connection);
            statement.execute(converting
                    ? "alter database " + DATABASE + " owner to " + ROLE
                    : "create database " + DATABASE + " owner " + ROLE);
        } catch (SQLException e) {
            throw refused("could not set up role " + ROLE, e);
        }
        if (converting) { // a new database holds nothing of anyone else's
            try (Connection connection = connect(port, DATABASE, SUPERUSER, Optional.of(superuserPassword));
                 Statement statement = connection.createStatement()) {
                statement.execute(TRANSFER_OWNERSHIP);
            } catch (SQLException e) {
                throw refused("could not hand database " + DATABASE + " to role " + ROLE, e);
            }
        }
        if (hasBatonsPgHba()) { // written at initdb: the server has never read any other
            markSecured();
            log.info("PostgreSQL in {} accepts only password logins; Baton connects as {}", dataDir, ROLE);
            return;
        }
        writePgHba(dataDir);
        try (Connection connection = connect(port, "postgres", SUPERUSER, Optional.of(superuserPassword));
             Statement statement = connection.createStatement()) {
            statement.execute("select pg_reload_conf()");
        } catch (SQLException e) {
            throw refused("could not reload pg_hba.conf", e);
        }
        awaitPasswordsRequired(port);
        markSecured();
        log.info("PostgreSQL in {} accepts only password logins; Baton connects as {}", dataDir, ROLE);
    }

    /**
     * The SCRAM-SHA-256 verifier of Baton's password, with {@link #BATON_SCRAM_ITERATIONS}. It is
     * a literal in the statement because ALTER ROLE takes no parameters; only these characters
     * can occur in it, which is checked.
     */
    static String batonVerifier(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        String verifier = PasswordUtil.encodeScramSha256(password.toCharArray(), BATON_SCRAM_ITERATIONS, salt);
        if (!verifier.matches("SCRAM-SHA-256\\$\\d+:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")) {
            throw new IllegalStateException("unexpected SCRAM verifier format");
        }
        return verifier;
    }

    private static boolean roleExists(Connection connection) throws SQLException {
        return exists(connection, "select 1 from pg_roles where rolname = ?", ROLE);
    }

    private static boolean databaseExists(Connection connection) throws SQLException {
        return exists(connection, "select 1 from pg_database where datname = ?", DATABASE);
    }

    private static boolean exists(Connection connection, String sql, String name) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Written aside and renamed, so PostgreSQL never reads half a file; 0600 like the rest of the cluster. */
    static void writePgHba(Path cluster) throws IOException {
        Path file = cluster.resolve("pg_hba.conf");
        Path scratch = cluster.resolve("pg_hba.conf.baton-tmp");
        Files.deleteIfExists(scratch);
        Files.createFile(scratch, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(scratch, PG_HBA, StandardCharsets.UTF_8);
        Files.move(scratch, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The postmaster reloads its configuration a moment after the signal; wait until a passwordless login fails. */
    private void awaitPasswordsRequired(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection ignored = connect(port, "postgres", SUPERUSER, Optional.empty())) {
                Thread.sleep(20); // still the old rules
            } catch (SQLException e) {
                return;
            }
        }
        throw new IllegalStateException("PostgreSQL in " + dataDir + " still accepts logins without a password "
                + "10 s after pg_hba.conf was rewritten.");
    }

    private IllegalStateException refused(String what, SQLException e) {
        String hint = "28P01".equals(e.getSQLState())
                ? " (the superuser's password in " + secrets.superuserFile() + " is not the cluster's: was the file replaced?)"
                : "";
        return new IllegalStateException("PostgreSQL in " + dataDir + " " + what + ": " + e.getMessage() + hint, e);
    }

    /** A connection to the server on {@code port} of this machine, without a password when none is given. */
    static Connection connect(int port, String database, String user, Optional<String> password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        password.ifPresent(p -> props.setProperty("password", p));
        props.setProperty("connectTimeout", "3");
        props.setProperty("loginTimeout", "5");
        props.setProperty("socketTimeout", "30");
        props.setProperty("ApplicationName", "baton-embedded-postgres");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }
}
