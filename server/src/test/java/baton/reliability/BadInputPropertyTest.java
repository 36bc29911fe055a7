package baton.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import baton.Turns;
import baton.conversation.Identity;
import baton.conversation.Role;
import baton.db.Database;
import baton.e2e.McpTestClient;
import baton.mcp.ToolSpecs;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Bad input: generated arguments for every tool (see {@link BadArguments}) sent by a real MCP
 * client over Streamable HTTP. Every answer is a result that fits the tool's output schema, an
 * {@code isError} result or a JSON-RPC error, with one sentence and never a stack trace, SQL or
 * anything of a conversation the caller may not read; and a refused call changes nothing, in the
 * caller's project or any other.
 */
class BadInputPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpecs SPECS = new ToolSpecs(JSON);
    private static final DefaultJsonSchemaValidator VALIDATOR = new DefaultJsonSchemaValidator(JSON);
    private static final ConcurrentMap<String, AtomicInteger> ANSWERS = new ConcurrentHashMap<>();

    private static Database db;
    private static InProcessBaton baton;
    private static McpTestClient eve;
    private static String project;
    private static Load.Secrets secrets;
    private static List<String> ids;

    /** Sets the property's tries from {@link Budget#tries()}: short in every build, long in the profile. */
    static final class BudgetTries implements AroundPropertyHook {
        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            context.attributes().setTries(Budget.tries());
            return property.execute();
        }
    }

    @BeforeContainer
    static void start() {
        db = TestDatabase.database();
        baton = InProcessBaton.start(db);
        project = "bad-" + UUID.randomUUID();
        secrets = Load.Secrets.plant(baton.conversations(), project);
        Identity caller = new Identity("eve", project, Role.EDITOR);
        UUID own = baton.conversations().create(caller, "eve's").id();
        List<UUID> messages = baton.conversations().append(caller, own, Turns.turn("first"));
        UUID empty = baton.conversations().create(caller, "empty").id();
        List<String> known = new ArrayList<>(List.of(own.toString(), messages.get(3).toString(),
                messages.get(1).toString(), empty.toString(), secrets.sameProjectUnshared(),
                secrets.otherProjectShared()));
        known.addAll(secretMessages());
        ids = List.copyOf(known);
        eve = McpTestClient.overHttp(baton.mcpUrl(), baton.token("eve", project, Role.EDITOR), p -> { });
    }

    /** Message ids of the planted conversations, read as their owners (admins of their projects). */
    private static List<String> secretMessages() {
        List<String> out = new ArrayList<>();
        for (String id : List.of(secrets.sameProjectUnshared(), secrets.otherProjectShared())) {
            var view = baton.conversations().readAll(new Identity("root", id.equals(secrets.otherProjectShared())
                    ? secrets.otherProject() : project, Role.ADMIN), UUID.fromString(id));
            view.messages().forEach(m -> out.add(m.id().toString()));
        }
        return out;
    }

    @AfterContainer
    static void stop() {
        Budget.report("bad-input", "## Bad input: " + ANSWERS.values().stream().mapToInt(AtomicInteger::get).sum()
                + " generated calls\n\n| tool | answer | count |\n|---|---|---|\n" + ANSWERS.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> "| " + e.getKey().replace(" ", " | ") + " | " + e.getValue() + " |")
                        .reduce("", (a, b) -> a + b + "\n"));
        eve.close();
        baton.close();
    }

    @Provide
    Arbitrary<BadArguments.Call> calls() {
        return new BadArguments(ids).calls();
    }

    @Property(edgeCases = EdgeCasesMode.NONE, shrinking = ShrinkingMode.BOUNDED)
    @AddLifecycleHook(BudgetTries.class)
    void everyAnswerIsAResultARefusalOrAnErrorAndARefusalChangesNothing(@ForAll("calls") BadArguments.Call call) {
        String before = state();
        Outcome o = Outcome.call(eve.raw(), call.tool(), call.arguments());
        ANSWERS.computeIfAbsent((BadArguments.TOOLS.contains(call.tool()) ? call.tool() : "unknown_tool") + " "
                + o.kind(), k -> new AtomicInteger()).incrementAndGet();

        assertThat(o.kind()).as("%s → %s", call, o.describe()).isNotEqualTo(Outcome.Kind.FAILED);
        assertThat(o.leaks(secrets.texts())).as("%s → %s", call, o.describe()).isEmpty();
        if (o.ok()) {
            var valid = VALIDATOR.validate(SPECS.tool(call.tool()).outputSchema(), o.structured());
            assertThat(valid.valid()).as("%s → %s: %s", call, o.describe(), valid.errorMessage()).isTrue();
        } else {
            assertThat(o.text()).as("%s → one sentence", call).isNotBlank().hasSizeLessThan(600)
                    .doesNotContain("internal error"); // bad input is the caller's mistake, named as such
            assertThat(state()).as("%s was refused (%s) but changed the database", call, o.text()).isEqualTo(before);
        }
    }

    /** Everything the caller's project and the other project hold. */
    private static String state() {
        return Invariants.checksum(db, project) + Invariants.checksum(db, secrets.otherProject());
    }
}
