package baton.agent;

import baton.conversation.ContentType;
import baton.conversation.Conversation;
import baton.conversation.Message;
import baton.conversation.MessageType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The resources that the inherited part of a forked conversation (the messages the fork copied)
 * used successfully: the plain arguments of every tool call whose result was not an error.
 */
public final class InheritedUse {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InheritedUse NONE = new InheritedUse(Set.of());

    private final Set<ResourceRef> used;

    private InheritedUse(Set<ResourceRef> used) {
        this.used = used;
    }

    public static InheritedUse none() {
        return NONE;
    }

    /** What the copied messages of {@code conversation} used; nothing when it is not a fork. */
    public static InheritedUse of(Conversation conversation, List<Message> messages) {
        if (conversation.forkedFrom() == null) {
            return NONE;
        }
        int lastInherited = conversation.forkedFrom().messageIndex();
        Map<UUID, Message> calls = new HashMap<>();
        Set<ResourceRef> used = new HashSet<>();
        for (Message m : messages) {
            if (m.index() > lastInherited) {
                break;
            }
            if (m.parentId() == null) {
                continue;
            }
            if (m.type() == MessageType.CALL) {
                calls.put(m.id(), m);
            } else if (m.type() == MessageType.RESULT && m.contentType() != ContentType.ERROR) {
                Message call = calls.get(m.parentId());
                if (call != null) {
                    Map<String, Object> arguments = arguments(call.content());
                    if (arguments != null) {
                        used.addAll(ResourceRef.allOf(arguments));
                    }
                }
            }
        }
        return new InheritedUse(Set.copyOf(used));
    }

    /** What one call used: its own plain arguments (a recorded call that succeeded for its owner). */
    public static InheritedUse ofArguments(Map<String, Object> arguments) {
        return new InheritedUse(Set.copyOf(ResourceRef.allOf(arguments)));
    }

    public boolean used(ResourceRef resource) {
        return used.contains(resource);
    }

    /** A tool call's arguments, or null when they are not a JSON object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> arguments(String json) {
        try {
            Object value = JSON.readValue(json, Object.class);
            return value instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        } catch (IOException e) {
            return null;
        }
    }
}
