-- The index of the last message a fork copied: messages at or below it are the inherited part
-- of the history (the agent's access-error classifier looks at what that part used).
alter table conversations add column forked_from_index integer;

update conversations c
   set forked_from_index = m.idx
  from messages m
 where m.id = c.forked_from_message_id;

alter table conversations add constraint forked_from_whole
    check ((forked_from_conversation_id is null) = (forked_from_index is null));

-- send_message looks up the latest root message of router_agent to find an open turn
create index messages_turn_roots on messages (conversation_id, idx)
    where tool = 'router_agent' and parent_id is null;
