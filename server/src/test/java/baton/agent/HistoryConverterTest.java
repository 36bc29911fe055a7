package baton.agent;

import static org.assertj.core.api.Assertions.assertThat;

import baton.conversation.ContentType;
import baton.conversation.Message;
import baton.conversation.MessageRole;
import baton.conversation.MessageType;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryConverterTest {

    private final HistoryConverter converter = new HistoryConverter();

    private static AiMessage request(Message call) {
        return AiMessage.from(ToolExecutionRequest.builder()
                .id(call.id().toString()).name(call.tool()).arguments(call.content()).build());
    }

    private static ToolExecutionResultMessage answer(Message call, String text) {
        return ToolExecutionResultMessage.from(call.id().toString(), call.tool(), text);
    }

    @Test
    void aCompletedTurnBecomesUserRequestResultAndAnswerInOrder() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("What was revenue in Q4?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"sales\",\"table\":\"revenue_by_quarter\"}");
        h.result(call, "2026-Q4,521750,389");
        h.turnEnd("Q4 revenue was 521,750 EUR.");

        List<ChatMessage> chat = converter.convert(h.messages());

        assertThat(chat).containsExactly(
                UserMessage.from("What was revenue in Q4?"),
                request(call),
                answer(call, "2026-Q4,521750,389"),
                AiMessage.from("Q4 revenue was 521,750 EUR."));
    }

    @Test
    void theToolRequestIdIsTheStoredCallIdAndTheResultAnswersIt() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Describe sales");
        Message call = h.call(turn, "describe_dataset", "{\"dataset\":\"sales\"}");
        h.result(call, "tables: orders, revenue_by_quarter");

        List<ChatMessage> chat = converter.convert(h.messages());

        ToolExecutionRequest request = ((AiMessage) chat.get(1)).toolExecutionRequests().get(0);
        ToolExecutionResultMessage result = (ToolExecutionResultMessage) chat.get(2);
        assertThat(request.id()).isEqualTo(call.id().toString());
        assertThat(request.name()).isEqualTo("describe_dataset");
        assertThat(request.arguments()).isEqualTo("{\"dataset\":\"sales\"}");
        assertThat(result.id()).isEqualTo(call.id().toString());
        assertThat(result.toolName()).isEqualTo("describe_dataset");
        assertThat(result.text()).isEqualTo("tables: orders, revenue_by_quarter");
    }

    @Test
    void eachResultFollowsItsCallEvenWhenStoredLaterWithOtherMessagesBetween() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Compare orders and budget");
        Message orders = h.call(turn, "query_dataset", "{\"dataset\":\"sales\"}");
        Message budget = h.call(turn, "query_dataset", "{\"dataset\":\"finance\"}");
        h.progress(turn, "Waiting for the warehouse");
        h.result(budget, "budget rows");
        h.system("The warehouse is slow today.");
        h.result(orders, "order rows");
        h.turnEnd("Orders are within budget.");

        List<ChatMessage> chat = converter.convert(h.messages());

        assertThat(chat).containsExactly(
                UserMessage.from("Compare orders and budget"),
                request(orders),
                answer(orders, "order rows"),
                request(budget),
                answer(budget, "budget rows"),
                SystemMessage.from("The warehouse is slow today."),
                AiMessage.from("Orders are within budget."));
    }

    @Test
    void withheldResultsAndAnswersShowTheModelTheirSentenceAndNothingRecorded() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Margins?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"finance\"}");
        String result = "{\"reason\":\"access_denied\",\"tool\":\"query_dataset\",\"resource\":\"dataset 'finance'\","
                + "\"sentence\":\"The result of query_dataset on dataset 'finance' is withheld.\"}";
        h.add(MessageRole.TOOL, MessageType.RESULT, "query_dataset", call, ContentType.WITHHELD, result);
        h.add(MessageRole.ASSISTANT, MessageType.RESULT, Message.ROUTER_AGENT, null, ContentType.WITHHELD,
                "{\"reason\":\"derived\",\"tool\":\"query_dataset\",\"resource\":null,\"sentence\":\"This message is withheld.\"}");

        List<ChatMessage> chat = converter.convert(h.messages());

        assertThat(chat).hasSize(4);
        assertThat(((ToolExecutionResultMessage) chat.get(2)).text())
                .isEqualTo("[withheld by Baton] The result of query_dataset on dataset 'finance' is withheld.");
        assertThat(((AiMessage) chat.get(3)).text()).isEqualTo("[withheld by Baton] This message is withheld.");
    }

    @Test
    void aCallWithoutAResultIsLeftOut() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Export finance");
        h.call(turn, "export_dataset", "{\"dataset\":\"finance\"}");
        h.failedTurnEnd("The turn ran longer than 600 s (the turn timeout) and was stopped.");
        h.userTurn("Try again");

        List<ChatMessage> chat = converter.convert(h.messages());

        assertThat(chat).containsExactly(UserMessage.from("Export finance"), UserMessage.from("Try again"));
    }

    @Test
    void aTurnThatEndedInAnErrorIsNotSentAsSomethingTheModelSaid() {
        StoredHistory h = new StoredHistory();
        h.userTurn("Hello");
        h.failedTurnEnd("The model did not answer within 60 s (BATON_MODEL_TIMEOUT); the turn was stopped.");

        assertThat(converter.convert(h.messages())).containsExactly(UserMessage.from("Hello"));
    }

    @Test
    void aToolErrorResultIsStillSentSoTheModelSeesTheFailure() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Budget?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"finance\"}");
        h.errorResult(call, "permission denied: user 'bob' may not read dataset 'finance'");
        h.turnEnd("I may not read finance.");

        assertThat(converter.convert(h.messages())).containsExactly(
                UserMessage.from("Budget?"),
                request(call),
                answer(call, "permission denied: user 'bob' may not read dataset 'finance'"),
                AiMessage.from("I may not read finance."));
    }

    @Test
    void progressMessagesAreNotSent() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Hi");
        h.progress(turn, "Asking the model (step 1 of at most 8)");
        h.add(MessageRole.USER, MessageType.PROGRESS, "", null, ContentType.TEXT, "typing…");
        h.turnEnd("Hello!");

        assertThat(converter.convert(h.messages())).containsExactly(UserMessage.from("Hi"), AiMessage.from("Hello!"));
    }

    @Test
    void systemMessagesStayWhereTheyWere() {
        StoredHistory h = new StoredHistory();
        h.system("You answer in French.");
        h.userTurn("Hi");
        h.turnEnd("Bonjour !");

        assertThat(converter.convert(h.messages())).containsExactly(
                SystemMessage.from("You answer in French."), UserMessage.from("Hi"), AiMessage.from("Bonjour !"));
    }

    /**
     * Regression: append_messages accepts a blank system message, and converting it threw, so every
     * later turn of the conversation (and of its forks) failed with an internal error.
     */
    @Test
    void aBlankSystemMessageIsLeftOutRatherThanFailingTheWholeHistory() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Hi");
        h.system("  ");
        h.add(MessageRole.SYSTEM, MessageType.RESULT, "", turn, ContentType.TEXT, "");
        h.add(MessageRole.SYSTEM, MessageType.RESULT, "", turn, ContentType.TEXT, "\n\t");
        h.turnEnd("Hello!");

        assertThat(converter.convert(h.messages())).containsExactly(UserMessage.from("Hi"), AiMessage.from("Hello!"));
    }

    @Test
    void aRootToolMessageAndAnEmptyRootMessageAreNotSent() {
        StoredHistory h = new StoredHistory();
        h.userTurn("");
        h.add(MessageRole.TOOL, MessageType.RESULT, "query_dataset", null, ContentType.TEXT, "orphan rows");
        h.userTurn("Hi");

        assertThat(converter.convert(h.messages())).containsExactly(UserMessage.from("Hi"));
    }

    @Test
    void aSecondResultOfTheSameCallIsIgnored() {
        StoredHistory h = new StoredHistory();
        Message turn = h.userTurn("Orders?");
        Message call = h.call(turn, "query_dataset", "{\"dataset\":\"sales\"}");
        h.result(call, "first");
        h.result(call, "second");

        assertThat(converter.convert(h.messages())).containsExactly(
                UserMessage.from("Orders?"), request(call), answer(call, "first"));
    }

    @Test
    void anEmptyHistoryGivesNoMessages() {
        assertThat(converter.convert(List.of())).isEmpty();
    }
}
