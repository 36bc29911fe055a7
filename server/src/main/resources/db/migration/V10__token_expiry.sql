-- Baton tokens may expire (baton token create --expires-in). A token past its expires_at is
-- refused like a revoked one; null means it never expires (every token made before this column).
alter table tokens add column if not exists expires_at timestamptz;
