-- Conversations and their messages. Every row belongs to one project; the project column is
-- repeated on conversations only, and every access goes through the conversation row.

create table conversations (
    id                          uuid        primary key,
    project_id                  text        not null,
    owner_id                    text        not null,
    title                       text        not null,
    created_at                  timestamptz not null,
    updated_at                  timestamptz not null,
    -- the share boundary: a turn end of this conversation, and its index so that reads can cut
    -- at it in SQL (idx <= shared_until_index) without a join
    shared_until_message_id     uuid,
    shared_until_index          integer,
    forked_from_conversation_id uuid,
    forked_from_message_id      uuid,
    forked_from_owner_id        text,
    -- the nearest earlier owner of the inherited history (a fork of a fork keeps it), or null
    -- when the whole history is the owner's own; non-null makes this a cross-owner fork
    earlier_owner_id            text,
    -- number of messages, which is also the index the next appended message gets
    message_count               integer     not null default 0,
    constraint shared_boundary_whole check ((shared_until_message_id is null) = (shared_until_index is null))
);

create index conversations_by_owner on conversations (project_id, owner_id, created_at desc, id desc);
create index conversations_shared on conversations (project_id, created_at desc, id desc)
    where shared_until_message_id is not null;

create table messages (
    id              uuid        primary key,
    conversation_id uuid        not null references conversations (id) on delete cascade,
    parent_id       uuid,
    idx             integer     not null,
    role            text        not null check (role in ('system', 'user', 'assistant', 'tool')),
    type            text        not null check (type in ('call', 'result', 'progress')),
    tool            text        not null default '',
    content_type    text        not null check (content_type in ('text', 'json', 'error')),
    content         text        not null,
    created_at      timestamptz not null,
    constraint messages_index_unique unique (conversation_id, idx),
    -- a parent is a message of the same conversation, checked by the database too
    constraint messages_id_in_conversation unique (conversation_id, id),
    constraint messages_parent_same_conversation foreign key (conversation_id, parent_id)
        references messages (conversation_id, id)
);

-- turn ends are looked up by share (latest) and fork (latest at or below a boundary)
create index messages_turn_ends on messages (conversation_id, idx)
    where type = 'result' and tool = 'router_agent' and parent_id is null;
