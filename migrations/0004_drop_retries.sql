-- A drop that failed to post (a missing permission, a deleted channel) is tried again at
-- retry_ms while it is still within the grace period; NULL means it will not be retried.
ALTER TABLE drops ADD COLUMN retry_ms INTEGER;
