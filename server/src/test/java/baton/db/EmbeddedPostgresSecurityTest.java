package baton.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression for the embedded PostgreSQL that trusted every local user as superuser: any process
 * could read every project's conversations, plant a token, and run programs with
 * {@code COPY … FROM PROGRAM}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedPostgresSecurityTest {

    @TempDir
    static Path base;

    private static EmbeddedPostgresServer server;
    private static EmbeddedPostgresServer.Login login;

    @BeforeAll
    static void start() {
        server = new EmbeddedPostgresServer(base);
        login = server.ensureRunning();
        try (Storage storage = Storage.open(null, base, 2)) {
            // migrated as Baton's role: it owns what the migrations create (V4: functions, triggers)
        }
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void aConnectionWithoutThePasswordIsRefused() {
        for (String user : List.of("postgres", "baton", System.getProperty("user.name"))) {
            for (String database : List.of("postgres", "baton")) {
                assertThatThrownBy(() -> connect(login.port(), database, user, null))
                        .as(user + " on " + database).isInstanceOf(SQLException.class);
            }
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        for (String user : List.of("postgres", "baton")) {
            assertThatThrownBy(() -> connect(login.port(), "baton", user, "not-the-password"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
        }
    }

    @Test
    void batonsRoleIsNoSuperuserAndCannotRunPrograms() throws Exception {
        try (Connection connection = connect(login.port(), "baton", login.user(), login.password());
             Statement statement = connection.createStatement()) {
            assertThat(login.user()).isEqualTo("baton");
            assertThat(query(statement, "select rolsuper or rolcreatedb or rolcreaterole or rolreplication or rolbypassrls"
                    + " from pg_roles where rolname = current_user")).isEqualTo("f");
            assertThat(query(statement, "select count(*) from pg_auth_members where member = current_user::regrole"))
                    .as("member of no role (pg_execute_server_program, pg_read_server_files, …)").isEqualTo("0");
            statement.execute("create temporary table loot (line text)");
            assertThatThrownBy(() -> statement.execute("copy loot from program 'id'"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThatThrownBy(() -> statement.execute("select pg_read_file('PG_VERSION')"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            assertThat(query(statement, "select string_agg(distinct pg_get_userbyid(relowner), ',') from pg_class c"
                    + " join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'")).isEqualTo("baton");
            assertThat(query(statement, "select string_agg(distinct pg_get_userbyid(proowner), ',') from pg_proc p"
                    + " join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'")).isEqualTo("baton");
        }
    }

    @Test
    void theSuperuserStillLogsInWithItsPassword() throws Exception {
        String password = Files.readString(base.resolve("superuser.password")).strip();
        try (Connection connection = connect(login.port(), "postgres", "postgres", password);
             Statement statement = connection.createStatement()) {
            assertThat(query(statement, "select rolsuper from pg_roles where rolname = current_user")).isEqualTo("t");
            assertThat(query(statement, "select rolpassword from pg_authid where rolname = 'postgres'"))
                    .startsWith("SCRAM-SHA-256$4096:");
            assertThat(query(statement, "select rolpassword from pg_authid where rolname = 'baton'"))
                    .startsWith("SCRAM-SHA-256$1:");
        }
    }

    @Test
    void thePasswordFilesAreTheOwnersOnlyAndPgHbaTrustsNobody() throws Exception {
        for (String file : List.of("superuser.password", "baton.password", "postgres.log")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
        for (String file : List.of("superuser.password", "baton.password")) {
            assertThat(Files.readString(base.resolve(file)).strip()).hasSize(43);
        }
        List<String> rules = Files.readAllLines(server.dataDir().resolve("pg_hba.conf")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(rules).isNotEmpty().allSatisfy(rule -> assertThat(rule).endsWith("scram-sha-256"));
        assertThat(login.toString()).doesNotContain(login.password());
    }

    /**
     * A cluster made before passwords (initdb with trust, everything owned by postgres) is
     * converted on the next start: its conversations stay, Baton's role owns them, and nothing
     * logs in without a password any more.
     */
    @Test
    void aTrustClusterWithConversationsIsConvertedWithoutLosingThem(@TempDir Path old) throws Exception {
        EmbeddedPostgresServer before = new EmbeddedPostgresServer(old);
        EmbeddedPostgresServer.Login first = before.ensureRunning();
        try (Storage storage = Storage.open(null, old, 2)) {
            // schema as Baton makes it
        }
        UUID conversation = UUID.randomUUID();
        try (Connection connection = connect(first.port(), "baton", first.user(), first.password());
             Statement statement = connection.createStatement()) {
            statement.execute("insert into conversations (id, project_id, owner_id, title, created_at, updated_at)"
                    + " values ('" + conversation + "', 'p', 'alice', 'kept across the conversion', now(), now())");
        }
        makeItATrustClusterAsBefore(old, first.port());
        before.stop();
        assertThat(before.isRunning()).isFalse();

        long started = System.nanoTime();
        EmbeddedPostgresServer.Login after = new EmbeddedPostgresServer(old).ensureRunning();
        long convertedMillis = (System.nanoTime() - started) / 1_000_000;
        System.err.println("converted start of a trust cluster: " + convertedMillis + " ms");

        try (Connection connection = connect(after.port(), "baton", after.user(), after.password());
             Statement statement = connection.createStatement()) {
            assertThat(query(statement, "select title from conversations where id = '" + conversation + "'"))
                    .isEqualTo("kept across the conversion");
            assertThat(query(statement, "select string_agg(distinct pg_get_userbyid(relowner), ',') from pg_class c"
                    + " join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public'")).isEqualTo("baton");
            assertThat(query(statement, "select string_agg(distinct pg_get_userbyid(proowner), ',') from pg_proc p"
                    + " join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'")).isEqualTo("baton");
            // the V4 trigger still guards messages, now running as the owner
            assertThatThrownBy(() -> statement.execute("insert into messages (id, conversation_id, idx, role, type,"
                    + " content_type, content, created_at) values (gen_random_uuid(), gen_random_uuid(), 0, 'user',"
                    + " 'call', 'text', 'x', now())"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23503"));
        }
        for (String user : List.of("postgres", "baton")) {
            assertThatThrownBy(() -> connect(after.port(), "baton", user, null)).isInstanceOf(SQLException.class);
        }
        try (Storage storage = Storage.open(null, old, 2)) {
            // Flyway validates and migrates as the new owner
        }
        new EmbeddedPostgresServer(old).stop();
    }

    @Test
    void aFirstStartStoppedBeforeTheRoleWasMadeIsSecuredByTheNextStart(@TempDir Path half) throws Exception {
        EmbeddedPostgresServer first = new EmbeddedPostgresServer(half);
        EmbeddedPostgresServer.Login login = first.ensureRunning();
        // what a process stopped half way through its first start leaves: the cluster made, both
        // passwords stored, Baton's pg_hba.conf, but no role or database baton yet
        String superuser = Files.readString(half.resolve("superuser.password")).strip();
        try (Connection connection = connect(login.port(), "postgres", "postgres", superuser);
             Statement statement = connection.createStatement()) {
            statement.execute("drop database baton");
            statement.execute("drop role baton");
        }
        Files.delete(half.resolve("data").resolve(PostgresRoles.SECURED_MARKER));
        first.stop();

        EmbeddedPostgresServer.Login next = new EmbeddedPostgresServer(half).ensureRunning();
        try (Connection connection = connect(next.port(), "baton", next.user(), next.password());
             Statement statement = connection.createStatement()) {
            assertThat(query(statement, "select current_user")).isEqualTo("baton");
        }
        new EmbeddedPostgresServer(half).stop();
    }

    /**
     * What the old code left: pg_hba.conf of {@code initdb -A trust}, no passwords, no role
     * {@code baton}, every object owned by postgres.
     */
    private static void makeItATrustClusterAsBefore(Path old, int port) throws Exception {
        String superuser = Files.readString(old.resolve("superuser.password")).strip();
        try (Connection connection = connect(port, "baton", "postgres", superuser);
             Statement statement = connection.createStatement()) {
            statement.execute("reassign owned by baton to postgres");
            statement.execute("alter schema public owner to pg_database_owner");
        }
        try (Connection connection = connect(port, "postgres", "postgres", superuser);
             Statement statement = connection.createStatement()) {
            statement.execute("drop owned by baton");
            statement.execute("drop role baton");
            statement.execute("alter role postgres password null");
        }
        Files.writeString(old.resolve("data/pg_hba.conf"), """
                # TYPE  DATABASE        USER            ADDRESS                 METHOD
                local   all             all                                     trust
                host    all             all             127.0.0.1/32            trust
                host    all             all             ::1/128                 trust
                local   replication     all                                     trust
                host    replication     all             127.0.0.1/32            trust
                host    replication     all             ::1/128                 trust
                """, StandardCharsets.UTF_8);
        Files.delete(old.resolve("superuser.password"));
        Files.delete(old.resolve("baton.password"));
    }

    private static Connection connect(int port, String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "3");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    private static String query(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
