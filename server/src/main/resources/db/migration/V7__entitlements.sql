-- Entitlement-aware sharing (issue 12).
--
-- shared_tool_results: what a non-owner sees of the tool results of a shared conversation:
-- 'checked' (only what they could obtain themselves), 'all' or 'none'. Null while not shared, and
-- for shares made before this migration: those follow the server's default policy.
alter table conversations add column shared_tool_results text
    check (shared_tool_results in ('checked', 'all', 'none'));

-- lost_access: for a fork of another owner's conversation, the tool+resource pairs of the inherited
-- part that the new owner could not obtain when it was forked (a JSON array of
-- {"tool", "resource", "reason"}), rendered into the fork's system prompt. Null otherwise.
alter table conversations add column lost_access text;

-- A fork copies the results its new owner may not see as 'withheld' messages.
alter table messages drop constraint messages_content_type_check;
alter table messages add constraint messages_content_type_check
    check (content_type in ('text', 'json', 'error', 'withheld'));

-- Outcomes of re-running a recorded read-only call as a reader, shared by every Baton instance on
-- the database. Only definite outcomes are kept (granted, access_denied, not_found); a call that
-- could not be checked is tried again on the next read. Rows older than the TTL are ignored and
-- replaced.
create table entitlement_checks (
    project_id     text        not null,
    user_id        text        not null,
    role           text        not null,
    upstream       text        not null,
    tool           text        not null,
    arguments_hash text        not null, -- SHA-256 (hex) of the arguments as canonical JSON
    verdict        text        not null check (verdict in ('granted', 'access_denied', 'not_found')),
    resource       text,
    checked_at     timestamptz not null,
    primary key (project_id, user_id, role, tool, arguments_hash, upstream)
);
