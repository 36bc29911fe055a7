-- Every committed change of a conversation is announced on the channel baton_conversations, so
-- each Baton process (one LISTEN connection each) can tell its MCP subscribers, whichever process
-- made the change. The payload is '<conversation id> <kind>': 'boundary' when the share boundary
-- moved (a share, an unshare, a re-share elsewhere: what every member may see changed), else
-- 'content' (an append, a re-share at the same boundary: only the owner and admins see more).
-- NOTIFY is delivered at commit and only then, so a rolled-back change is never announced.

create function conversations_announce_change() returns trigger
language plpgsql as $$
begin
    perform pg_notify('baton_conversations', new.id::text || ' ' ||
        case when old.shared_until_index is distinct from new.shared_until_index then 'boundary' else 'content' end);
    return null;
end
$$;

create trigger conversations_announce_change
    after update on conversations
    for each row execute function conversations_announce_change();
