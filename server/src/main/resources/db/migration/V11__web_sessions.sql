-- Sessions of the web pages (/c/{id}, /): a person signs in once and the browser keeps an HttpOnly
-- cookie. Only a SHA-256 hash of the session id is kept (the id is a 256-bit random secret), never
-- the Baton token that was used to sign in. A session signed in with a token ends with the token
-- (revoked: the join in the lookup; deleted: the cascade); one signed in another way has no token.
-- Every instance on the database honours every session. Touches only its own table.
create table web_sessions (
    id_hash     bytea       primary key,
    user_id     text        not null,
    project_id  text        not null,
    role        text        not null check (role in ('viewer', 'editor', 'admin')),
    token_id    uuid        references tokens (id) on delete cascade,
    created_at  timestamptz not null,
    expires_at  timestamptz not null
);

create index web_sessions_by_expiry on web_sessions (expires_at);
