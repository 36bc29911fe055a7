-- Bearer tokens of the HTTP transport. Only a SHA-256 hash of the secret is kept: the secret is
-- printed once, at creation. A revoked token stays listed, with the time it was revoked.
create table tokens (
    id          uuid        primary key,
    secret_hash bytea       not null unique,
    user_id     text        not null,
    project_id  text        not null,
    role        text        not null check (role in ('viewer', 'editor', 'admin')),
    label       text        not null default '',
    created_at  timestamptz not null,
    revoked_at  timestamptz
);

create index tokens_by_project on tokens (project_id, created_at desc);
