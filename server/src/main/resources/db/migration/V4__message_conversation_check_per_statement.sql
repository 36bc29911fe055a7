-- A message's conversation must exist. The foreign key checked that once per inserted row, and
-- each check locked the conversation row again: a quarter of the time of a 10,000-message fork
-- went there. The same rule is now checked once per statement, over all the rows it inserted.
--
-- What the key also did, and how it is kept:
-- * Deleting a conversation deleted its messages (on delete cascade): a statement trigger on
--   conversations does the same. Baton itself never deletes a conversation.
-- * The key locked the conversation while a transaction added messages to it, so that it could
--   not be deleted under them. Every path in Baton that inserts messages already holds that row
--   (an append locks it for update; a fork inserts it in the same transaction), so a delete waits
--   for the insert to commit, and its cascade then sees the new messages.
-- * Changing a conversation's id is refused, as the key refused it while messages pointed at it.

alter table messages drop constraint messages_conversation_id_fkey;

create function messages_name_existing_conversations() returns trigger
language plpgsql as $$
begin
    if exists (select 1
                 from (select distinct conversation_id from added) a
                where not exists (select 1 from conversations c where c.id = a.conversation_id)) then
        raise foreign_key_violation
            using message = 'a message names a conversation that does not exist';
    end if;
    return null;
end
$$;

create trigger messages_inserted_name_existing_conversations
    after insert on messages referencing new table as added
    for each statement execute function messages_name_existing_conversations();

create trigger messages_updated_name_existing_conversations
    after update on messages referencing new table as added
    for each statement execute function messages_name_existing_conversations();

create function conversations_deleted_take_their_messages() returns trigger
language plpgsql as $$
begin
    delete from messages m using removed r where m.conversation_id = r.id;
    return null;
end
$$;

create trigger conversations_deleted_take_their_messages
    after delete on conversations referencing old table as removed
    for each statement execute function conversations_deleted_take_their_messages();

create function conversations_keep_their_id() returns trigger
language plpgsql as $$
begin
    raise foreign_key_violation using message = 'a conversation''s id never changes';
end
$$;

create trigger conversations_keep_their_id
    before update of id on conversations
    for each row when (old.id is distinct from new.id)
    execute function conversations_keep_their_id();
