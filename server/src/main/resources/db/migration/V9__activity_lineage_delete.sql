-- Share governance, part one: who read and forked what (activity), where a conversation came from
-- (lineage, which outlives a deleted ancestor) and deleting a conversation cheaply.

-- Activity: one row per event. Reads by the same reader of the same conversation at the same
-- boundary within one 10-minute window (fold_window = epoch seconds / 600) are one row whose count
-- grows: an upsert on conversation_activity_read_fold, so a polling client cannot flood the log.
-- No foreign key to conversations: the events of a deleted conversation stay for the audit.
create table conversation_activity (
    id              bigint      generated always as identity primary key,
    project_id      text        not null,
    conversation_id uuid        not null,
    actor_id        text        not null,
    action          text        not null check (action in ('read', 'fork', 'share', 'unshare', 'delete', 'rename')),
    at              timestamptz not null,
    last_at         timestamptz not null,
    count           integer     not null default 1,
    details         jsonb       not null default '{}',
    fold_boundary   integer,
    fold_window     bigint,
    constraint activity_read_folds check ((action = 'read') = (fold_window is not null))
);

create unique index conversation_activity_read_fold
    on conversation_activity (conversation_id, actor_id, fold_boundary, fold_window) where action = 'read';
create index conversation_activity_by_conversation on conversation_activity (conversation_id, at desc, id desc);
create index conversation_activity_by_project on conversation_activity (project_id, at, id);

-- What stays of a deleted conversation: its place in the lineage (no title, no messages), so that
-- a fork's forked_from still leads somewhere and the lineage can show it as deleted. forked_from
-- columns of conversations never had a foreign key, so a fork keeps naming a deleted source.
create table deleted_conversations (
    id                          uuid        primary key,
    project_id                  text        not null,
    owner_id                    text        not null,
    forked_from_conversation_id uuid,
    forked_from_message_id      uuid,
    forked_from_owner_id        text,
    forked_from_index           integer,
    created_at                  timestamptz not null,
    was_shared                  boolean     not null,
    deleted_at                  timestamptz not null,
    deleted_by                  text        not null
);

-- conversation_lineage lists the forks made from a conversation
create index conversations_forks on conversations (forked_from_conversation_id, created_at)
    where forked_from_conversation_id is not null;
create index deleted_conversations_forks on deleted_conversations (forked_from_conversation_id)
    where forked_from_conversation_id is not null;

-- The parent key (conversation_id, parent_id) -> messages (conversation_id, id) made deleting a
-- conversation quadratic: for each deleted message the key looked for messages naming it as
-- parent, and with no index on (conversation_id, parent_id) each look scanned the whole
-- conversation (100,000 messages: 10^10 index entries). The same rule is now checked once per
-- inserting or updating statement, over the rows it wrote (as V4 did for the conversation key).
-- Messages are deleted only with their conversation, all at once, so no delete can orphan a parent.
-- The lookup of each parent is an index probe (messages_id_in_conversation): OFFSET 0 keeps the
-- planner from turning it into a join that reads the whole messages table once per statement (the
-- transition table has no statistics), which made every append cost as much as the table is big.
alter table messages drop constraint messages_parent_same_conversation;

create function messages_name_existing_parents() returns trigger
language plpgsql as $$
begin
    if exists (select 1
                 from added a
                where a.parent_id is not null
                  and not exists (select 1 from messages p
                                   where p.conversation_id = a.conversation_id and p.id = a.parent_id
                                  offset 0)) then
        raise foreign_key_violation
            using message = 'a message names a parent that is not a message of its conversation';
    end if;
    return null;
end
$$;

create trigger messages_inserted_name_existing_parents
    after insert on messages referencing new table as added
    for each statement execute function messages_name_existing_parents();

create trigger messages_updated_name_existing_parents
    after update on messages referencing new table as added
    for each statement execute function messages_name_existing_parents();

-- A deletion is announced like any other change (V6), with the kind 'deleted'.
create function conversations_announce_delete() returns trigger
language plpgsql as $$
begin
    perform pg_notify('baton_conversations', old.id::text || ' deleted');
    return null;
end
$$;

create trigger conversations_announce_delete
    after delete on conversations
    for each row execute function conversations_announce_delete();
