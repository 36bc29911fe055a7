package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.Message;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessErrorClassifierTest {

    private static final Map<String, Object> FINANCE = Map.of("dataset", "finance", "limit", 10);

    private final AccessErrorClassifier classifier = new AccessErrorClassifier();

    private Optional<AccessError> classify(Map<String, Object> arguments, ToolOutcome outcome, InheritedUse inherited) {
        return classifier.classify("query_dataset", arguments, outcome, inherited);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Forbidden",
            "forbidden: dataset is restricted",
            "permission denied: user 'bob' may not read dataset 'finance'",
            "PERMISSION DENIED",
            "Access denied.",
            "access is denied for this dataset",
            "Reading this dataset is not allowed",
            "not permitted",
            "Unauthorized",
            "unauthorised request",
            "user is not authorized to read finance",
            "HTTP 401",
            "upstream answered 403.",
            "status (403)",
            "User bob does not have permission to read dataset finance",
            "bob doesn't have access to this dataset",
            "insufficient privileges on schema",
            "no access to dataset 'finance'"})
    void aRefusalInAnErrorResultIsAnAccessErrorNamingTheToolAndTheDataset(String text) {
        Optional<AccessError> error = classify(FINANCE, ToolOutcome.error(text), InheritedUse.none());

        assertThat(error).contains(new AccessError("query_dataset", "dataset 'finance'", false));
    }

    @Test
    void aJsonRpcForbiddenErrorIsAnAccessError() {
        ToolOutcome outcome = new ToolOutcome(
                "JSON-RPC error -32003: Forbidden: user 'bob' may not export dataset 'finance'", true, -32003, false);

        assertThat(classifier.classify("export_dataset", Map.of("dataset", "finance"), outcome, InheritedUse.none()))
                .contains(new AccessError("export_dataset", "dataset 'finance'", false));
    }

    @Test
    void theResourceNamedIsTheMostTellingArgumentNotTheFirstOne() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("sql", "select * from budget");
        arguments.put("limit", 5);
        arguments.put("table", "budget");
        arguments.put("dataset", "finance");

        assertThat(classify(arguments, ToolOutcome.error("permission denied"), InheritedUse.none()))
                .map(AccessError::resource).contains("dataset 'finance'");
    }

    @Test
    void aPlainArgumentNamesTheResourceWhenNoTellingOneIsGiven() {
        Map<String, Object> arguments = Map.of("question", "margins", "verbose", true);

        assertThat(classify(arguments, ToolOutcome.error("403 Forbidden"), InheritedUse.none()))
                .map(AccessError::resource).contains("question 'margins'");
    }

    @Test
    void aCallWithoutPlainArgumentsIsRefusedTheRequestedResource() {
        Map<String, Object> arguments = Map.of("filter", Map.of("dataset", "finance"), "blank", " ");

        assertThat(classify(arguments, ToolOutcome.error("Forbidden"), InheritedUse.none()))
                .map(AccessError::resource).contains("the requested resource");
    }

    @Test
    void aSuccessfulResultIsNeverAnAccessErrorWhateverItSays() {
        ToolOutcome outcome = ToolOutcome.success("rows: 403; note: permission denied rows were filtered out");

        assertThat(classify(FINANCE, outcome, InheritedUse.none())).isEmpty();
    }

    @Test
    void anUnreachableUpstreamIsNeverAnAccessError() {
        ToolOutcome outcome = new ToolOutcome("The upstream MCP server 'warehouse' did not answer: 403 Forbidden",
                true, null, true);

        assertThat(classify(FINANCE, outcome, InheritedUse.none())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "limit must be at least 1",
            "query returned 4031 rows, more than the limit",
            "row 1403 has an invalid date",
            "error code 40310",
            "E403X is not a valid quarter",
            "syntax error near 'forbiddenword'"})
    void anErrorThatIsNotARefusalIsNotAnAccessError(String text) {
        assertThat(classify(FINANCE, ToolOutcome.error(text), InheritedUse.none())).isEmpty();
    }

    @Test
    void notFoundCountsForADatasetTheInheritedHistoryUsedSuccessfully() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("What is the finance budget?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"finance\",\"sql\":\"select * from budget\"}");
        h.result(call, "department,budget_eur\nSales,900000");
        Message end = h.turnEnd("Sales has 900000 EUR.");
        InheritedUse inherited = InheritedUse.of(h.forkedAt(end), h.messages());

        Optional<AccessError> error = classify(Map.of("dataset", "finance", "sql", "select * from margins"),
                ToolOutcome.error("dataset 'finance' not found"), inherited);

        assertThat(error).contains(new AccessError("query_dataset", "dataset 'finance'", true));
    }

    /** Regression: a plain argument such as limit, used before, made any "not found" an access error. */
    @Test
    void notFoundIsAboutTheArgumentTheMessageNamesNotAnyInheritedArgument() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Show the sales orders");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"sales\",\"table\":\"orders\",\"limit\":10}");
        h.result(call, "5 orders");
        Message end = h.turnEnd("There are 5 orders.");
        InheritedUse inherited = InheritedUse.of(h.forkedAt(end), h.messages());

        assertThat(classify(Map.of("dataset", "marketing", "limit", 10),
                ToolOutcome.error("dataset 'marketing' not found"), inherited)).isEmpty();
        // the table is what is missing, not the dataset used before
        assertThat(classify(Map.of("dataset", "sales", "table", "x"),
                ToolOutcome.error("table 'x' does not exist in dataset 'sales'"), inherited)).isEmpty();
        assertThat(classify(Map.of("dataset", "sales", "table", "orders"),
                ToolOutcome.error("table 'orders' does not exist in dataset 'sales'"), inherited))
                .contains(new AccessError("query_dataset", "table 'orders'", true));
    }

    /** Regression: "not allowed" and 401 in a check of an argument's value read as refusals. */
    @ParameterizedTest
    @ValueSource(strings = {
            "limit 0 is not allowed; it must be at least 1",
            "limit must be at most 400, not 401",
            "a negative offset is not permitted: expected 0 or more"})
    void aValueCheckThatSaysNotAllowedIsNotARefusal(String text) {
        assertThat(classify(FINANCE, ToolOutcome.error(text), InheritedUse.none())).isEmpty();
    }

    @Test
    void notFoundForADatasetNeverUsedBeforeIsNotAnAccessError() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Show the sales orders");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"sales\"}");
        h.result(call, "5 orders");
        Message end = h.turnEnd("There are 5 orders.");
        InheritedUse inherited = InheritedUse.of(h.forkedAt(end), h.messages());

        assertThat(classify(Map.of("dataset", "finance"), ToolOutcome.error("dataset 'finance' not found"),
                inherited)).isEmpty();
        assertThat(classify(Map.of("dataset", "finance"), ToolOutcome.error("dataset 'finance' not found"),
                InheritedUse.none())).isEmpty();
    }

    @Test
    void notFoundCountsOnlyForTheSameArgumentNameAndValue() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Describe the finance table");
        Message call = h.call(turn, "describe_table", "{\"table\":\"finance\"}");
        h.result(call, "columns: a, b");
        Message end = h.turnEnd("It has two columns.");
        InheritedUse inherited = InheritedUse.of(h.forkedAt(end), h.messages());

        assertThat(inherited.used(new ResourceRef("table", "finance"))).isTrue();
        assertThat(inherited.used(new ResourceRef("dataset", "finance"))).isFalse();
        assertThat(classify(Map.of("dataset", "finance"), ToolOutcome.error("dataset 'finance' not found"),
                inherited)).isEmpty();
    }

    @Test
    void aCallWhoseResultWasAnErrorDoesNotCountAsUse() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("What is the finance budget?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"finance\"}");
        h.errorResult(call, "dataset 'finance' not found");
        Message end = h.turnEnd("I cannot see that dataset.");
        InheritedUse inherited = InheritedUse.of(h.forkedAt(end), h.messages());

        assertThat(inherited.used(new ResourceRef("dataset", "finance"))).isFalse();
        assertThat(classify(Map.of("dataset", "finance"), ToolOutcome.error("dataset 'finance' not found"),
                inherited)).isEmpty();
    }

    @Test
    void useAfterTheForkPointDoesNotCount() {
        StoredHistory h = new StoredHistory();
        Message first = h.userTurn("Hello");
        Message firstEnd = h.turnEnd("Hello, how can I help?");
        Message second = h.userTurn("What is the finance budget?");
        Message call = h.call(second, "query_dataset", "{\"dataset\":\"finance\"}");
        h.result(call, "900000");
        h.turnEnd("900000 EUR");

        InheritedUse inherited = InheritedUse.of(h.forkedAt(firstEnd), h.messages());

        assertThat(first.index()).isLessThan(firstEnd.index());
        assertThat(inherited.used(new ResourceRef("dataset", "finance"))).isFalse();
    }

    @Test
    void aCallCopiedWithoutItsResultDoesNotCount() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("What is the finance budget?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"finance\"}");
        Message progress = h.progress(turn, "Calling query_dataset on warehouse");
        h.result(call, "900000");

        InheritedUse inherited = InheritedUse.of(h.forkedAt(progress), h.messages());

        assertThat(inherited.used(new ResourceRef("dataset", "finance"))).isFalse();
    }

    @Test
    void aConversationThatIsNotAForkInheritsNothing() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("What is the finance budget?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"finance\"}");
        h.result(call, "900000");
        h.turnEnd("900000 EUR");

        InheritedUse inherited = InheritedUse.of(h.notAFork(), h.messages());

        assertThat(inherited.used(new ResourceRef("dataset", "finance"))).isFalse();
        assertThat(classify(Map.of("dataset", "finance"), ToolOutcome.error("dataset 'finance' not found"),
                inherited)).isEmpty();
    }

    @Test
    void everyPlainArgumentOfAnInheritedCallCountsAndArgumentsThatAreNotAnObjectAreIgnored() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Export");
        Message broken = h.call(turn, "export_dataset", "not json at all");
        h.result(broken, "ok");
        Message list = h.call(turn, "list_datasets", "[\"finance\"]");
        h.result(list, "finance, sales");
        Message export = h.call(turn, "export_dataset",
                "{\"dataset\":\"finance\",\"format\":\"csv\",\"max_rows\":100,\"options\":{\"header\":true}}");
        h.result(export, "department,year\n");
        Message end = h.turnEnd("Exported.");

        InheritedUse inherited = InheritedUse.of(h.forkedAt(end), h.messages());

        assertThat(inherited.used(new ResourceRef("dataset", "finance"))).isTrue();
        assertThat(inherited.used(new ResourceRef("format", "csv"))).isTrue();
        assertThat(inherited.used(new ResourceRef("max_rows", "100"))).isTrue();
        assertThat(inherited.used(new ResourceRef("options", "{header=true}"))).isFalse();
    }

    @Test
    void aMissingTableInADatasetNeverUsedIsNotAnAccessError() {
        Map<String, Object> arguments = Map.of("dataset", "sales", "table", "x");

        assertThat(classify(arguments, ToolOutcome.error("table 'x' does not exist in dataset 'sales'"),
                InheritedUse.none())).isEmpty();
    }
}
