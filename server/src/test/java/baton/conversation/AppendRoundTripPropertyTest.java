package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import baton.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * An append stores its messages in one statement, one array per column; whatever text a message
 * holds (quotes, backslashes, braces, commas, the word NULL, empty text, any storable character)
 * reads back exactly as it was appended, with its tool and its parent.
 */
class AppendRoundTripPropertyTest {

    private final Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());
    private final Identity owner = new Identity("owner", "roundtrip-" + UUID.randomUUID(), Role.EDITOR);

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> awkward = Arbitraries.of("", "NULL", "null", "\"", "\\", "{", "}", "{}", ",", " ", "\"NULL\"",
                "a,b", "{\"a\":[1,\"b\\\"c\"]}", "line\nbreak\ttab", "é 漢字 😀", "\\\\\"\"");
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40)
                .filter(s -> s.indexOf('\0') < 0 && StorableText.problem(s) == null);
        return Arbitraries.oneOf(awkward, any, Arbitraries.strings().withChars("\"\\{},NUL ").ofMaxLength(12));
    }

    @Property(tries = 60)
    void whatIsAppendedReadsBackExactly(@ForAll("texts") String first, @ForAll("texts") String second,
            @ForAll("texts") String third) {
        UUID id = conversations.create(owner, "round trip").id();
        UUID call = UUID.randomUUID();
        List<NewMessage> batch = new ArrayList<>();
        batch.add(new NewMessage(call, MessageRole.ASSISTANT, MessageType.CALL, first, null, ContentType.TEXT, second));
        batch.add(new NewMessage(null, MessageRole.TOOL, MessageType.RESULT, first, call, ContentType.TEXT, third));
        batch.add(new NewMessage(null, MessageRole.USER, MessageType.CALL, "", null, ContentType.TEXT, first));
        List<UUID> ids = conversations.append(owner, id, batch);

        List<Message> read = conversations.readAll(owner, id).messages();
        assertThat(read).extracting(Message::id).containsExactlyElementsOf(ids);
        assertThat(read).extracting(Message::content).containsExactly(second, third, first);
        assertThat(read).extracting(Message::tool).containsExactly(first, first, "");
        assertThat(read).extracting(Message::parentId).containsExactly(null, call, null);
        assertThat(read).extracting(Message::index).containsExactly(0, 1, 2);
    }

    @Example
    void aThousandMessagesInOneAppendKeepTheirOrder() {
        UUID id = conversations.create(owner, "large append").id();
        List<NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < Conversations.MAX_APPEND_MESSAGES; i++) {
            batch.add(new NewMessage(null, MessageRole.USER, MessageType.CALL, "", null, ContentType.TEXT, "m" + i));
        }
        conversations.append(owner, id, batch);
        List<Message> read = conversations.readAll(owner, id).messages();
        assertThat(read).hasSize(Conversations.MAX_APPEND_MESSAGES);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).content()).isEqualTo("m" + i);
            assertThat(read.get(i).index()).isEqualTo(i);
        }
    }
}
