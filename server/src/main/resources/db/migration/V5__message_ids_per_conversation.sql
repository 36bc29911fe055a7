-- A message id names a message within its conversation, no longer across the whole database.
-- With one key for every project, an append that brought its own id was refused ("already used")
-- when any project held that id: an answer that told a caller what another project stores. Now
-- an id is looked up only in the conversation it is appended to, and the key is the pair
-- (conversation_id, id), which messages_id_in_conversation already makes unique (the parent key
-- points at it). Every reference to a message (shares, forks, parents) names its conversation too.

alter table messages drop constraint messages_pkey;
alter table messages alter column id set not null;
