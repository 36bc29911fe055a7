package baton.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import baton.TestDatabase;
import baton.Turns;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Regression: text with a NUL character (which PostgreSQL text cannot hold) was answered "An
 * internal error occurred", and half a surrogate pair was stored as '?'. Both are now refused with
 * a sentence naming the field, and nothing is stored.
 */
class StorableTextTest {

    private final Conversations conversations = new Conversations(TestDatabase.database(), Clock.systemUTC());
    private final Identity alice = new Identity("alice", Turns.project(), Role.EDITOR);

    @Test
    void contentWithANulCharacterIsRefusedNamingTheField() {
        UUID id = conversations.create(alice, "t").id();
        List<NewMessage> turn = new ArrayList<>(Turns.turn("fine"));
        NewMessage last = turn.get(3);
        turn.set(3, new NewMessage(last.id(), last.role(), last.type(), last.tool(), null, last.contentType(), "a\u0000b"));

        assertThatThrownBy(() -> conversations.append(alice, id, turn)).isInstanceOfSatisfying(BatonException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("messages[3].content holds a NUL character (U+0000) at"
                            + " position 1, which cannot be stored.");
                });
        assertThat(conversations.metadata(alice, id).conversation().messageCount()).isZero();
    }

    @Test
    void aToolNameWithHalfASurrogatePairIsRefused() {
        UUID id = conversations.create(alice, "t").id();
        NewMessage call = new NewMessage(null, MessageRole.USER, MessageType.CALL, "q\ud800", null, ContentType.TEXT, "x");

        assertThatThrownBy(() -> conversations.append(alice, id, List.of(call))).hasMessage("messages[0].tool holds"
                + " half a surrogate pair (U+D800) at position 1, which is not valid Unicode and cannot be stored.");
    }

    @Test
    void aTitleWithANulCharacterIsRefused() {
        assertThatThrownBy(() -> conversations.create(alice, "\u0000")).hasMessage(
                "title holds a NUL character (U+0000) at position 0, which cannot be stored.");
    }

    @Test
    void completeSurrogatePairsAreStoredAndReadBackUnchanged() {
        UUID id = conversations.create(alice, "emoji 🎉").id();
        NewMessage m = new NewMessage(null, MessageRole.USER, MessageType.CALL, "", null, ContentType.TEXT, "🎉 done");
        conversations.append(alice, id, List.of(m));

        assertThat(conversations.readAll(alice, id).messages().get(0).content()).isEqualTo("🎉 done");
        assertThat(conversations.metadata(alice, id).conversation().title()).isEqualTo("emoji 🎉");
    }
}
