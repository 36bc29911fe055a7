-- Share governance: who a share is for, until when, and whether its boundary follows the owner.
-- All three belong to the share and are replaced by a re-share; an unshare clears them.
--
-- * shared_with: the user ids (within the conversation's project) a share is for, or null for
--   the whole project.
-- * shared_expires_at: from this instant on, non-owners are refused as if it were not shared,
--   or null for no expiry. Checked in the read's own SQL against the caller's instant: no job.
-- * shared_follows: the boundary is the latest turn end at the time of each read (a live share);
--   shared_until_* then hold the turn end of the share itself and mark the conversation shared.

alter table conversations add column shared_with text[];
alter table conversations add column shared_expires_at timestamptz;
alter table conversations add column shared_follows boolean not null default false;

alter table conversations add constraint share_terms_need_a_share
    check (shared_until_index is not null
           or (shared_with is null and shared_expires_at is null and not shared_follows));

-- The change announcement of V6, now also a 'boundary' change when what another member may see
-- moves without shared_until_index moving: the share's audience, expiry or follow changed, or a
-- followed conversation gained a turn end. An append inside a turn stays 'content' (a turn in
-- progress is never visible, so its members hear nothing of it).
create or replace function conversations_announce_change() returns trigger
language plpgsql as $$
begin
    perform pg_notify('baton_conversations', new.id::text || ' ' ||
        case when old.shared_until_index is distinct from new.shared_until_index
                  or old.shared_with is distinct from new.shared_with
                  or old.shared_expires_at is distinct from new.shared_expires_at
                  or old.shared_follows is distinct from new.shared_follows
                  or (new.shared_follows and new.message_count > old.message_count
                      and exists (select 1 from messages m
                                   where m.conversation_id = new.id
                                     and m.idx >= old.message_count and m.idx < new.message_count
                                     and m.type = 'result' and m.tool = 'router_agent'
                                     and m.parent_id is null))
             then 'boundary' else 'content' end);
    return null;
end
$$;
